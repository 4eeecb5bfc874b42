"""Arrange counted pulse rounds and programme rounds for the publication tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.people.models import Team
from connectwell.pulses import service as pulses
from connectwell.pulses.models import Answer, Construct, Item, Pulse, PulseRound, Response
from connectwell.pulses.schemas import PulseIn

TODAY = dt.date(2026, 11, 26)
NOW = dt.datetime(2026, 11, 26, 6, tzinfo=dt.UTC)
FLOOR = 5


def items(db: Session, *keys: str) -> list[int]:
    """Every active item of these constructs, in bank order: a round's full item set."""
    pulses.ensure_bank(db)
    found = db.scalars(
        select(Item.id)
        .join(Construct)
        .where(Construct.key.in_(keys), Item.is_active.is_(True))
        .order_by(Construct.key, Item.id)
    )
    return list(found)


def pulse_round(
    db: Session,
    opens_on: dt.date,
    keys: tuple[str, ...] = ("trusting",),
    *,
    counted: bool = True,
    pulse: Pulse | None = None,
) -> PulseRound:
    """A closed round asking ``keys``' full item sets, counted unless told otherwise; of
    ``pulse``, or of the first pulse (made if there is none)."""
    pulse = (
        pulse
        or db.scalar(select(Pulse).order_by(Pulse.id))
        or pulses.create_pulse(db, PulseIn(name="Connection", starts_on=opens_on), actor=None)
    )
    row = PulseRound(
        pulse_id=pulse.id,
        opens_on=opens_on,
        closes_on=opens_on + dt.timedelta(days=7),
        sequence=0,
        item_ids=items(db, *keys),
        counted_at=dt.datetime.combine(opens_on + dt.timedelta(days=8), dt.time(), dt.UTC)
        if counted
        else None,
    )
    db.add(row)
    db.flush()
    return row


def respond(
    db: Session,
    row: PulseRound,
    team: Team | None,
    values: list[int | None] | list[int] | int,
    *,
    tenure: str = "",
    location: str = "",
    comment: str = "",
) -> Response:
    """One stored response: ``values`` per item in the round's order (an int: every item;
    None: that statement left unanswered)."""
    if isinstance(values, int):
        values = [values] * len(row.item_ids)
    response = Response(
        round_id=row.id,
        team_id=team.id if team else None,
        tenure_band=tenure,
        location=location,
        comment=comment,
    )
    response.answers = [
        Answer(item_id=i, value=v)
        for i, v in zip(row.item_ids, values, strict=False)
        if v is not None  # a statement left unanswered
    ]
    db.add(response)
    return response


def teams(db: Session) -> tuple[Team, Team, Team]:
    """Engineering with Platform and Payments under it."""
    engineering = Team(name="Engineering")
    platform = Team(name="Platform", parent=engineering)
    payments = Team(name="Payments", parent=engineering)
    db.add_all([engineering, platform, payments])
    db.flush()
    return engineering, platform, payments


def varied(k: int, size: int) -> list[int]:
    """Answers that vary between respondents and items (so spreads and alphas exist)."""
    return [1 + (k * 3 + j * (k % 3 + 1)) % 5 for j in range(size)]
