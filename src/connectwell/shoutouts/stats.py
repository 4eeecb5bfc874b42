"""Appreciation breadth for a person and counts for a team: no ranks, by design.

A person sees only their own breadth; a lead sees their team's counts, and how many of their
people have not been appreciated lately as a number that nudges, never as names.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, distinct, func, select
from sqlalchemy.orm import Session, aliased

from connectwell.people.models import Person
from connectwell.shoutouts.models import Recipient, ShoutOut
from connectwell.shoutouts.schemas import Breadth, TeamAppreciation


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _since(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


# Built once: making these statements (the aliased sender, their columns) cost more CPU than
# running them, and a person's appreciation page runs them on every view.
_sender = aliased(Person)
_GIVEN = (
    select(
        func.count(distinct(Recipient.person_id)),
        func.count(distinct(Recipient.recipient_team_id)),
    )
    .join(ShoutOut, ShoutOut.id == Recipient.shoutout_id)
    .where(
        ShoutOut.sender_id == bindparam("person_id"),
        ShoutOut.hidden_at.is_(None),
        ShoutOut.created_at >= bindparam("since"),
    )
)
_RECEIVED = (
    select(func.count(distinct(ShoutOut.sender_id)), func.count(distinct(_sender.team_id)))
    .join(Recipient, Recipient.shoutout_id == ShoutOut.id)
    .join(_sender, _sender.id == ShoutOut.sender_id)
    .where(
        ShoutOut.hidden_at.is_(None),
        ShoutOut.created_at >= bindparam("since"),
        (Recipient.person_id == bindparam("person_id"))
        | ((Recipient.team_id == bindparam("team_id")) & (Recipient.team_id.is_not(None))),
        ShoutOut.sender_id != bindparam("person_id"),
    )
)


def breadth(session: Session, person: Person, today: dt.date) -> Breadth:
    """How many different colleagues (and teams) the person appreciated and was appreciated
    by this quarter. Hidden shout-outs do not count."""
    since = quarter_start(today)
    values = {"person_id": person.id, "team_id": person.team_id, "since": _since(since)}
    appreciated_people, appreciated_teams = session.execute(_GIVEN, values).one()
    received = session.execute(_RECEIVED, values).one()
    return Breadth(
        since=since,
        appreciated_people=appreciated_people,
        appreciated_teams=appreciated_teams,
        appreciated_by_people=received[0],
        appreciated_by_teams=received[1],
    )


def team_appreciation(session: Session, team_id: int, today: dt.date) -> TeamAppreciation:
    """A team's appreciation this quarter, for its lead.

    ``not_appreciated_in_30_days`` counts the active members nobody thanked by name in the
    last 30 days; a shout-out to the whole team from someone outside it counts for every
    member, one from a member of the team counts for no one (it cannot be gamed from inside).
    """
    since = _since(quarter_start(today))
    sender = aliased(Person)
    members = list(
        session.scalars(select(Person.id).where(Person.team_id == team_id, Person.is_active))
    )
    given, given_across = session.execute(
        select(
            func.count(distinct(ShoutOut.id)),
            func.count(distinct(ShoutOut.id)).filter(Recipient.recipient_team_id != team_id),
        )
        .join(sender, sender.id == ShoutOut.sender_id)
        .join(Recipient, Recipient.shoutout_id == ShoutOut.id)
        .where(
            sender.team_id == team_id, ShoutOut.hidden_at.is_(None), ShoutOut.created_at >= since
        )
    ).one()
    received, received_across = session.execute(
        select(
            func.count(distinct(ShoutOut.id)),
            func.count(distinct(ShoutOut.id)).filter(
                (sender.team_id != team_id) | sender.team_id.is_(None)
            ),
        )
        .join(sender, sender.id == ShoutOut.sender_id)
        .join(Recipient, Recipient.shoutout_id == ShoutOut.id)
        .where(
            Recipient.recipient_team_id == team_id,
            ShoutOut.hidden_at.is_(None),
            ShoutOut.created_at >= since,
        )
    ).one()
    month_ago = _since(today - dt.timedelta(days=30))
    appreciated = set(
        session.scalars(
            select(Recipient.person_id)
            .distinct()
            .join(ShoutOut, ShoutOut.id == Recipient.shoutout_id)
            .where(
                Recipient.person_id.in_(members),
                ShoutOut.hidden_at.is_(None),
                ShoutOut.created_at >= month_ago,
            )
        )
    )
    # A shout-out to the whole team counts for its members only when it comes from outside
    # the team: one from a member says nothing about who was appreciated, and would let any
    # member zero the lead's nudge (and count themselves) with one message.
    from_outside = session.scalar(
        select(func.count())
        .select_from(Recipient)
        .join(ShoutOut, ShoutOut.id == Recipient.shoutout_id)
        .join(sender, sender.id == ShoutOut.sender_id)
        .where(
            Recipient.team_id == team_id,
            (sender.team_id != team_id) | sender.team_id.is_(None),
            ShoutOut.hidden_at.is_(None),
            ShoutOut.created_at >= month_ago,
        )
    )
    not_appreciated = 0 if from_outside else len(set(members) - appreciated)
    return TeamAppreciation(
        team_id=team_id,
        since=quarter_start(today),
        given=given,
        received=received,
        given_across_teams=given_across,
        received_from_other_teams=received_across,
        members=len(members),
        not_appreciated_in_30_days=not_appreciated,
    )
