"""Counting a closed pulse round: its sealed ballots opened, coarsened, stored shuffled.

While a round is open its answers wait sealed in the ballot box (:mod:`connectwell.core.ballots`,
dropped by :func:`connectwell.pulses.service.answer`). After its last day, :func:`count_round`
(the ``pulse-count`` job, every few minutes) stores them as responses in one transaction that
has nothing to do with who answered: no person, no time, no order. Plain functions, the
session first; they flush, never commit.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from connectwell.core import ballots
from connectwell.core.config import Settings
from connectwell.core.db.updates import update_once
from connectwell.people.models import Person, Team
from connectwell.pulses.models import Answer, Participation, PulseRound, Response
from connectwell.pulses.service import ballot_box, tenure_band
from connectwell.stats import Attributes, coarsen_attributes

log = logging.getLogger(__name__)


def count_round(
    session: Session, settings: Settings, round_: PulseRound, *, floor: int, now: dt.datetime
) -> int | None:
    """Open a closed round's ballot box and store its answers; how many, or None if not now.

    Only after the round's last day, and once: the round is claimed by setting ``counted_at``
    from NULL in one conditional UPDATE, so of two workers racing exactly one counts. The
    ballots come out shuffled; each one's team, tenure band and location are coarsened until
    at least ``floor`` of the round's *respondents* share them
    (:func:`connectwell.stats.coarsen_attributes`): ``pulse_participation.answered`` tells a
    database reader who answered, so the people invited are the wrong crowd to hide in. The
    respondents' groups are computed from their records now, as a reader would. The
    responses are inserted in that order
    with random keys. Every participation row of the round is then touched, so that on
    PostgreSQL they all carry this transaction's id, like the responses: ``xmin`` joins a
    response to everyone invited or to no one.
    """
    if now.date() <= round_.closes_on:
        return None
    _, claimed = update_once(
        session, PulseRound, round_.id, PulseRound.counted_at.is_(None), counted_at=now
    )
    if not claimed:
        return None
    sealed = ballots.take_all(session, settings, ballot_box(round_.id))
    respondents = session.execute(
        select(Person.team_id, Person.start_date, Person.location)
        .join(Participation, Participation.person_id == Person.id)
        .where(Participation.round_id == round_.id, Participation.answered.is_(True))
    )
    audience_ = [
        Attributes(team, tenure_band(start, round_.opens_on), location or "")
        for team, start, location in respondents
    ]
    parents = {t: p for t, p in session.execute(select(Team.id, Team.parent_id))}
    stored = coarsen_attributes(
        [Attributes(b["team_id"], b["tenure_band"], b["location"]) for b in sealed],
        audience_,
        parents,
        floor,
    )
    responses, answers = [], []
    for ballot, kept in zip(sealed, stored, strict=True):
        key = secrets.token_hex(16)
        responses.append(
            {
                "id": key,
                "round_id": round_.id,
                "team_id": kept.team_id,
                "tenure_band": kept.tenure_band,
                "location": kept.location,
                "comment": ballot["comment"],
            }
        )
        answers += [
            {"response_id": key, "item_id": int(item), "value": value}
            for item, value in ballot["answers"].items()
        ]
    if responses:
        session.execute(insert(Response), responses)
        session.execute(insert(Answer), answers)
    session.execute(
        update(Participation)
        .where(Participation.round_id == round_.id)
        .values(answered=Participation.answered)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    log.info("pulse round %s counted: %s responses", round_.id, len(responses))
    return len(responses)


def count_closed_rounds(session: Session, settings: Settings, now: dt.datetime) -> int:
    """Count every round that has closed and is not counted yet; how many rounds."""
    due = session.scalars(
        select(PulseRound)
        .where(PulseRound.counted_at.is_(None), PulseRound.closes_on < now.date())
        .order_by(PulseRound.id)
    )
    floor = settings.anonymity_floor
    return sum(count_round(session, settings, r, floor=floor, now=now) is not None for r in due)
