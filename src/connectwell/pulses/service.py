"""Pulses: the item bank, set-up, rounds, invitations, the one reminder, and answers.

Plain functions, the session first; they flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from connectwell.core import audit, ballots, errors
from connectwell.core.config import Settings
from connectwell.core.db.updates import mark_once
from connectwell.core.notify import tell
from connectwell.people import service as people
from connectwell.people.models import Person
from connectwell.programs.schedule import earliest_moment, local_moment, round_dates
from connectwell.pulses.bank import BANK, MAX_ITEMS, MIN_ITEMS
from connectwell.pulses.models import (
    Construct,
    Item,
    Participation,
    Pulse,
    PulseRound,
)
from connectwell.pulses.schemas import ConstructIn, ItemIn, PulseAnswer, PulseIn

# A round asks one construct's whole set: 3 to 5 active items (see items_for_round).
ITEMS_PER_CONSTRUCT = range(MIN_ITEMS, MAX_ITEMS + 1)


class PulseError(errors.Invalid):
    """A pulse request that cannot be done; ``field`` names the culprit."""


class PulseNotFound(errors.NotFound, PulseError):
    """No such pulse, or no round of it for the asker."""


class PulseConflict(errors.Conflict, PulseError):
    """A construct key taken already, or a second answer to the same round."""


# --- the item bank -------------------------------------------------------------------------


def ensure_bank(session: Session) -> None:
    """Bring the database's built-in constructs and items in step with :data:`BANK`.

    Adds what is missing, keeps each built-in construct's name, family and description as the
    bank says, retires (``is_active = False``) built-in items that are no longer in the bank and
    brings back the ones that are. Nothing is deleted: old answers keep pointing at their
    items. An item belongs to its construct: the same words under another construct are a new
    item. Items admins added (``builtin = False``) are left alone.
    """
    known = {
        c.key: c for c in session.scalars(select(Construct).options(selectinload(Construct.items)))
    }
    for entry in BANK:
        construct = known.get(entry.key)
        if construct is None:
            construct = Construct(key=entry.key, builtin=True, items=[])
            session.add(construct)
        construct.name = entry.name
        construct.family = entry.family
        construct.description = entry.description
        wanted = dict(entry.items)
        stored = {item.text: item for item in construct.items if item.builtin}
        for item in stored.values():
            active = item.text in wanted
            if item.is_active != active:
                item.is_active = active
        for text, reverse in entry.items:
            if text not in stored:
                construct.items.append(
                    Item(text=text, reverse_coded=reverse, builtin=True, is_active=True)
                )
    session.flush()


def constructs(session: Session) -> list[Construct]:
    return list(
        session.scalars(
            select(Construct).options(selectinload(Construct.items)).order_by(Construct.id)
        )
    )


def add_construct(session: Session, data: ConstructIn, *, actor: audit.Actor) -> Construct:
    if session.scalar(select(Construct.id).where(Construct.key == data.key)):
        raise PulseConflict("key", f"a construct {data.key!r} exists already")
    construct = Construct(
        key=data.key, name=data.name, family="custom", description=data.description, builtin=False
    )
    session.add(construct)
    session.flush()
    change = audit.changes({}, data.model_dump())
    audit.record(session, actor, "bank.construct", "construct", construct.id, construct.name,
                 changes=change)  # fmt: skip
    return construct


def add_item(session: Session, data: ItemIn, *, actor: audit.Actor) -> Item:
    """Add an admin's statement to a construct; refused when the construct has a full set.

    A round asks a construct's whole set of active items, so a construct holds at most
    :data:`MAX_ITEMS` of them. The construct row is locked first (``FOR UPDATE`` on
    PostgreSQL; SQLite writes one at a time), so two admins adding at once cannot make six.
    """
    construct = session.get(Construct, data.construct_id, with_for_update=True)
    if construct is None:
        raise PulseError("construct_id", f"no construct {data.construct_id}")
    active = sum(item.is_active for item in construct.items)
    if active >= MAX_ITEMS:
        raise PulseError(
            "construct_id",
            f"{construct.name} has {active} statements already; a round asks a construct's "
            f"whole set, so it holds at most {MAX_ITEMS}",
        )
    item = Item(text=data.text, reverse_coded=data.reverse_coded, builtin=False, is_active=True)
    construct.items.append(item)
    session.flush()
    change = audit.changes({}, {"construct": construct.name, **data.model_dump()})
    audit.record(session, actor, "bank.item", "item", item.id, item.text, changes=change)
    return item


def askable(construct: Construct) -> list[int]:
    """The ids of the construct's active items: its whole set for a round.

    At most :data:`MAX_ITEMS`, the bank's own first, then admins', oldest first (``add_item``
    keeps a construct at five; only a bank update over an admin's additions could pass it).
    """
    active = sorted(
        (i for i in construct.items if i.is_active), key=lambda i: (not i.builtin, i.id)
    )
    return [item.id for item in active[:MAX_ITEMS]]


def items_for_round(session: Session, sequence: int) -> list[int]:
    """The items of the ``sequence``-th round: one construct's whole, fixed set (3 to 5).

    Every round asks one construct, all of its active items, so each trend point of a
    construct comes from the same statements (a trend compares like with like) and its
    reliability is computed on complete answers. The constructs take turns in a fixed order
    (the order they were added: the bank's first, then admins'), by the round's ``sequence``:
    with ten constructs each comes back every tenth round. A construct with fewer than
    :data:`MIN_ITEMS` active items is not asked (one or two statements cannot show whether they
    measure one thing); it joins the rotation once it has three.

    Raises :class:`PulseError` (field ``items``) when no construct has enough items.
    """
    ensure_bank(session)
    rotation = [c for c in constructs(session) if len(askable(c)) in ITEMS_PER_CONSTRUCT]
    if not rotation:
        raise PulseError("items", f"no construct has {MIN_ITEMS} to {MAX_ITEMS} statements")
    return askable(rotation[sequence % len(rotation)])


# --- set-up --------------------------------------------------------------------------------


def create_pulse(session: Session, data: PulseIn, *, actor: audit.Actor) -> Pulse:
    ensure_bank(session)
    if data.audience == "teams":
        for team_id in data.team_ids:
            people.get_team(session, team_id)
    pulse = Pulse(**data.model_dump())
    session.add(pulse)
    session.flush()
    change = audit.changes({}, data.model_dump())
    audit.record(session, actor, "pulse.create", "pulse", pulse.id, pulse.name, changes=change)
    return pulse


def list_pulses(session: Session) -> list[Pulse]:
    return list(session.scalars(select(Pulse).order_by(Pulse.name)))


def get_pulse(session: Session, pulse_id: int) -> Pulse:
    pulse = session.get(Pulse, pulse_id)
    if pulse is None:
        raise PulseNotFound("pulse", f"no pulse {pulse_id}")
    return pulse


def audience(session: Session, pulse: Pulse, on: dt.date) -> list[Person]:
    """Active, unpaused people the pulse is for on ``on``."""
    statement = select(Person).where(Person.is_active).order_by(Person.id)
    if pulse.audience == "teams":
        statement = statement.where(
            Person.team_id.in_(people.descendant_team_ids(session, pulse.team_ids))
        )
    return [p for p in session.scalars(statement) if not p.is_paused(on)]


# --- rounds --------------------------------------------------------------------------------


def due_rounds(session: Session, now: dt.datetime) -> list[tuple[Pulse, dt.date]]:
    zones = set(session.scalars(select(Person.timezone).where(Person.is_active).distinct()))
    due = []
    for pulse in session.scalars(select(Pulse).where(Pulse.is_active)):
        done = set(
            session.scalars(select(PulseRound.opens_on).where(PulseRound.pulse_id == pulse.id))
        )
        start = max(pulse.starts_on, now.date() - dt.timedelta(days=2))
        for day in round_dates(
            start, pulse.weekday, pulse.cadence, now.date() + dt.timedelta(days=1)
        ):
            if day not in done and earliest_moment(day, pulse.local_hour, zones) <= now:
                due.append((pulse, day))
    return due


def open_round(
    session: Session, pulse: Pulse, opens_on: dt.date, *, actor: audit.Actor
) -> PulseRound | None:
    """Open the round of ``opens_on`` (once: the unique key is the claim); None if taken.

    ``actor`` is the admin who opens it by hand (audited), or None for the scheduler and the
    demo (not audited).
    """
    sequence = len(
        list(session.scalars(select(PulseRound.id).where(PulseRound.pulse_id == pulse.id)))
    )
    row = PulseRound(
        pulse_id=pulse.id,
        opens_on=opens_on,
        closes_on=opens_on + dt.timedelta(days=pulse.open_days),
        sequence=sequence,
        item_ids=items_for_round(session, sequence),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    invited = audience(session, pulse, opens_on)
    session.add_all(Participation(round_id=row.id, person_id=p.id) for p in invited)
    row.invited = len(invited)
    session.flush()
    if actor is not None:
        label = f"{pulse.name}, {opens_on.isoformat()}"
        made = {"opens_on": opens_on, "closes_on": row.closes_on, "invited": row.invited}
        audit.record(session, actor, "pulse.open", "pulse_round", row.id, label,
                     changes=audit.changes({}, made))  # fmt: skip
    return row


def _participations(
    session: Session, *conditions: object
) -> list[tuple[Participation, PulseRound, Person]]:
    rows = session.execute(
        select(Participation, PulseRound, Person)
        .join(PulseRound, PulseRound.id == Participation.round_id)
        .join(Person, Person.id == Participation.person_id)
        .where(*conditions)  # type: ignore[arg-type]
        .options(selectinload(PulseRound.pulse))
        .order_by(Participation.round_id, Participation.person_id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def send_due_invitations(session: Session, settings: Settings, now: dt.datetime) -> int:
    """Invite each person when the pulse's hour comes in their own time zone."""
    sent = 0
    for participation, row, person in _participations(
        session, Participation.invited_at.is_(None), PulseRound.closes_on >= now.date()
    ):
        if local_moment(row.opens_on, row.pulse.local_hour, person.timezone) > now:
            continue
        if not mark_once(session, participation, Participation.invited_at, now):
            continue  # another worker sent it since this one read the rows
        tell(
            session,
            [person],
            "pulse",
            settings=settings,
            link=f"/pulses/{row.id}",
            pulse=row.pulse.name,
            questions=len(row.item_ids),
            closes_on=row.closes_on,
        )
        sent += 1
    session.flush()
    return sent


def send_due_reminders(session: Session, settings: Settings, now: dt.datetime) -> int:
    """One reminder to each person who has not answered. It says the same to everyone and
    nothing about how many others answered."""
    sent = 0
    for participation, row, person in _participations(
        session,
        Participation.invited_at.is_not(None),
        Participation.reminded_at.is_(None),
        Participation.answered.is_(False),
        PulseRound.closes_on >= now.date(),
    ):
        if row.opens_on + dt.timedelta(days=row.pulse.reminder_after_days) > now.date():
            continue
        if not mark_once(
            session,
            participation,
            Participation.reminded_at,
            now,
            Participation.answered.is_(False),
        ):
            continue  # sent by another worker, or answered, since this one read the rows
        tell(
            session,
            [person],
            "pulse-reminder",
            settings=settings,
            link=f"/pulses/{row.id}",
            pulse=row.pulse.name,
            closes_on=row.closes_on,
        )
        sent += 1
    session.flush()
    return sent


# --- answering -----------------------------------------------------------------------------


def tenure_band(start: dt.date | None, today: dt.date) -> str:
    if start is None:
        return ""
    years = (today - start).days / 365.25
    return "under 1 year" if years < 1 else ("1-3 years" if years < 3 else "3 years or more")


@dataclass(frozen=True)
class OpenRound:
    round: PulseRound
    items: list[Item]
    answered: bool


def round_for(session: Session, person: Person, round_id: int, today: dt.date) -> OpenRound:
    """A round the person was invited to, with its items."""
    row = session.get(PulseRound, round_id)
    participation = session.get(Participation, (round_id, person.id))
    if row is None or participation is None:
        raise PulseNotFound("round", f"no pulse {round_id} for you")
    items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_(row.item_ids)))}
    return OpenRound(row, [items[i] for i in row.item_ids if i in items], participation.answered)


def answer(
    session: Session,
    person: Person,
    round_id: int,
    data: PulseAnswer,
    today: dt.date,
    *,
    settings: Settings,
) -> None:
    """Mark, once, that the person answered, and drop their answers sealed in the ballot box.

    One conditional UPDATE marks the participation (``answered`` from false to true): of
    several requests racing, exactly one changes the row, the others get
    :class:`PulseConflict`. The answers, the comment and the groups they count in (the team,
    the tenure band when the round opened, the location) go sealed into the round's box
    (:mod:`connectwell.core.ballots`); nothing readable is written until the round closes and
    :func:`count_round` stores them with everyone's, in a shuffled order.

    An answer is never taken once the round is counted (its box would never be opened again):
    the round row is locked first (``FOR SHARE`` on PostgreSQL: answers go side by side, the
    count's UPDATE of ``counted_at`` waits for them and they for it), and the participation
    UPDATE itself holds only while the round is not counted, which is what keeps it on
    SQLite, where writes take turns and there is no row lock.
    """
    session.scalars(
        select(PulseRound)
        .where(PulseRound.id == round_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).one_or_none()
    open_round_ = round_for(session, person, round_id, today)
    row = open_round_.round
    if open_round_.answered:
        raise PulseConflict("answers", "you have answered this pulse already")
    if today < row.opens_on:
        raise PulseError("answers", f"this pulse opens on {row.opens_on:%-d %B}; answer it then")
    if today > row.closes_on or row.counted_at is not None:
        raise PulseError("answers", f"this pulse closed on {row.closes_on:%-d %B}")
    asked = {item.id for item in open_round_.items}
    given = {k: v for k, v in data.answers.items() if v is not None}
    if unknown := set(given) - asked:
        raise PulseError("answers", f"item {sorted(unknown)[0]} is not in this pulse")
    if not given:
        raise PulseError("answers", "answer at least one question")
    uncounted = (
        select(PulseRound.id)
        .where(PulseRound.id == row.id, PulseRound.counted_at.is_(None))
        .exists()
    )
    marked = session.execute(
        update(Participation)
        .where(
            Participation.round_id == row.id,
            Participation.person_id == person.id,
            Participation.answered.is_(False),
            uncounted,
        )
        .values(answered=True)
        .execution_options(synchronize_session=False)
    )
    if getattr(marked, "rowcount", 0) != 1:
        if session.scalar(select(uncounted)):
            raise PulseConflict("answers", "you have answered this pulse already")
        raise PulseError("answers", f"this pulse closed on {row.closes_on:%-d %B}")
    ballots.drop(
        session,
        settings,
        ballot_box(row.id),
        {
            "answers": {str(item_id): value for item_id, value in sorted(given.items())},
            "comment": data.comment,
            "team_id": person.team_id,
            # At the round's opening, not today: the band must not date the answer.
            "tenure_band": tenure_band(person.start_date, row.opens_on),
            "location": person.location,
        },
    )


def ballot_box(round_id: int) -> str:
    """The ballot box of a pulse round."""
    return f"pulse_round:{round_id}"


@dataclass(frozen=True)
class RoundCount:
    round: PulseRound
    invited: int
    responses: int


def rounds_overview(session: Session, *, limit: int = 50) -> list[RoundCount]:
    """Recent rounds with how many were invited and how many have answered."""
    rows = list(
        session.scalars(
            select(PulseRound)
            .options(selectinload(PulseRound.pulse))
            .order_by(PulseRound.opens_on.desc(), PulseRound.id.desc())
            .limit(limit)
        )
    )
    counts = dict(  # answered so far: the same number whether counted yet or still sealed
        session.execute(
            select(Participation.round_id, func.count())
            .where(Participation.round_id.in_([r.id for r in rows]), Participation.answered)
            .group_by(Participation.round_id)
        ).all()
    )
    return [RoundCount(r, r.invited, counts.get(r.id, 0)) for r in rows]


def open_rounds_for(session: Session, person: Person, today: dt.date) -> list[PulseRound]:
    """Rounds open to the person that they have not answered."""
    return list(
        session.scalars(
            select(PulseRound)
            .join(Participation, Participation.round_id == PulseRound.id)
            .where(
                Participation.person_id == person.id,
                Participation.answered.is_(False),
                PulseRound.opens_on <= today,
                PulseRound.closes_on >= today,
            )
            .options(selectinload(PulseRound.pulse))
            .order_by(PulseRound.opens_on)
        )
    )
