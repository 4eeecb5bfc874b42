"""Programmes: set-up, who takes part, people's own choices. Flush, never commit.

Rounds, intros and follow-ups are in :mod:`connectwell.programs.rounds`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, selectinload

from connectwell.core import audit, errors
from connectwell.core.db.updates import update_once
from connectwell.people import service as people
from connectwell.people.models import Person, Team
from connectwell.programs.models import (
    Audience,
    BuddyShortage,
    Membership,
    NeverPair,
    Program,
    ProgramTeam,
    Round,
)
from connectwell.programs.schedule import round_dates
from connectwell.programs.schemas import ProgramIn, ProgramSettings, size_problem


class ProgramError(errors.Invalid):
    """A programme request that cannot be done; ``field`` names the culprit."""


class ProgramNotFound(errors.NotFound, ProgramError):
    """No such programme or group (or not one of the asker's)."""


# --- set-up --------------------------------------------------------------------------------


def create_program(session: Session, data: ProgramIn, *, actor: audit.Actor) -> Program:
    program = _apply(session, Program(), data)
    after = _settings(program)
    audit.record(session, actor, "program.create", "program", program.id, program.name,
                 changes=audit.changes({}, after))  # fmt: skip
    return program


def update_program(
    session: Session, program: Program, data: ProgramSettings, *, actor: audit.Actor
) -> Program:
    """Change a programme's settings (not its kind, nor its first day).

    The changes apply from the next round made: a round already made keeps its groups, and
    what a round needs (its rules, its audience) is read from the programme when it is made.
    """
    if problem := size_problem(program.kind, data.group_size):
        raise ProgramError("group_size", problem)
    before = _settings(program)
    _apply(session, program, data, only=set(ProgramSettings.model_fields))
    if change := audit.changes(before, _settings(program)):
        audit.record(session, actor, "program.change", "program", program.id, program.name,
                     changes=change)  # fmt: skip
    return program


def _settings(program: Program) -> dict[str, object]:
    """What an admin sets on a programme, to audit what changed."""
    names = [name for name in ProgramIn.model_fields if name != "team_ids"]
    return {**audit.fields(program, names), "team_ids": {t.team_id for t in program.teams}}


def _apply(
    session: Session, program: Program, data: ProgramSettings, only: set[str] | None = None
) -> Program:
    """Set ``data`` on ``program`` (only the fields named in ``only``, when given)."""
    known = set(session.scalars(select(Team.id).where(Team.id.in_(data.team_ids))))
    if missing := set(data.team_ids) - known:
        raise ProgramError("team_ids", f"no team {sorted(missing)[0]}")
    for name, value in data.model_dump(exclude={"team_ids"}, include=only).items():
        setattr(program, name, value.value if hasattr(value, "value") else value)
    program.teams = [ProgramTeam(team_id=team_id) for team_id in sorted(known)]
    session.add(program)
    session.flush()
    return program


def set_active(session: Session, program: Program, active: bool, *, actor: audit.Actor) -> Program:
    """Start or stop a programme's rounds (its history stays).

    A conditional UPDATE makes the change, and only the request that made it records it:
    admins racing each other write one audit entry.
    """
    _, changed = update_once(
        session, Program, program.id, Program.is_active != active, is_active=active
    )
    if changed:
        action = "program.activate" if active else "program.deactivate"
        change = {"is_active": [not active, active]}
        audit.record(session, actor, action, "program", program.id, program.name, changes=change)
    session.flush()
    return program


def get_program(session: Session, program_id: int) -> Program:
    program = session.get(Program, program_id)
    if program is None:
        raise ProgramNotFound("program", f"no programme {program_id}")
    return program


def list_programs(session: Session, *, active_only: bool = False) -> list[Program]:
    statement = select(Program).options(selectinload(Program.teams)).order_by(Program.name)
    if active_only:
        statement = statement.where(Program.is_active)
    return list(session.scalars(statement))


def next_round_on(program: Program, today: dt.date) -> dt.date | None:
    """The first round date on or after ``today``."""
    if not program.is_active:
        return None
    horizon = today + dt.timedelta(days=62)
    upcoming = round_dates(max(program.starts_on, today), program.weekday, program.cadence, horizon)
    return upcoming[0] if upcoming else None


# --- who takes part ------------------------------------------------------------------------


def memberships(session: Session, program: Program) -> dict[int, Membership]:
    rows = session.scalars(select(Membership).where(Membership.program_id == program.id))
    return {row.person_id: row for row in rows}


def audience_ids(session: Session, program: Program) -> set[int]:
    """Active people the programme is for (before their own choices)."""
    statement = select(Person.id).where(Person.is_active)
    if program.audience == Audience.teams.value:
        team_ids = people.descendant_team_ids(session, [t.team_id for t in program.teams])
        statement = statement.where(Person.team_id.in_(team_ids))
    elif program.audience == Audience.opt_in.value:
        statement = statement.join(
            Membership,
            (Membership.person_id == Person.id) & (Membership.program_id == program.id),
        ).where(Membership.joined)
    return set(session.scalars(statement))


def participants_on(session: Session, program: Program, round_on: dt.date) -> list[Person]:
    """Who is in the round of ``round_on``: the audience, minus those who left the
    programme, skip this round, or are paused (in the programme or everywhere)."""
    ids = audience_ids(session, program)
    choices = memberships(session, program)
    chosen = []
    for person_id in sorted(ids):
        row = choices.get(person_id)
        if row is not None and (
            not row.joined
            or row.skip_round_on == round_on
            or (row.paused_until is not None and row.paused_until >= round_on)
        ):
            continue
        chosen.append(person_id)
    found = session.scalars(
        select(Person)
        .where(Person.id.in_(chosen))
        .where(or_(Person.paused_until.is_(None), Person.paused_until < round_on))
        .order_by(Person.id)
    )
    return list(found)


@dataclass(frozen=True)
class Standing:
    """A person's place in a programme, as they see it."""

    program: Program
    in_audience: bool
    taking_part: bool
    membership: Membership | None
    next_round_on: dt.date | None


def standing(session: Session, program: Program, person: Person, today: dt.date) -> Standing:
    ids = audience_ids(session, program)
    row = session.scalar(
        select(Membership).where(
            Membership.program_id == program.id, Membership.person_id == person.id
        )
    )
    if program.audience == Audience.opt_in.value:
        in_audience, taking_part = True, row is not None and row.joined
    else:
        in_audience = person.id in ids
        taking_part = in_audience and (row is None or row.joined)
    return Standing(program, in_audience, taking_part, row, next_round_on(program, today))


def _membership(session: Session, program: Program, person: Person) -> Membership:
    row = session.scalar(
        select(Membership).where(
            Membership.program_id == program.id, Membership.person_id == person.id
        )
    )
    if row is None:
        row = Membership(
            program_id=program.id, person_id=person.id, joined=True, ignored_in_a_row=0
        )
        session.add(row)
    return row


def _in_audience(session: Session, program: Program, person: Person) -> None:
    if program.audience == Audience.opt_in.value:
        return
    if person.id not in audience_ids(session, program):
        raise ProgramError("program", "this programme is for other teams")


def join(session: Session, program: Program, person: Person) -> Membership:
    """Join (an opt-in programme) or come back (to one you left)."""
    _in_audience(session, program, person)
    row = _membership(session, program, person)
    row.joined = True
    row.ignored_in_a_row = 0
    session.flush()
    return row


def leave(session: Session, program: Program, person: Person) -> Membership:
    row = _membership(session, program, person)
    row.joined = False
    session.flush()
    return row


def skip_next(session: Session, program: Program, person: Person, today: dt.date) -> dt.date:
    """Sit out the next round only; returns its date."""
    _in_audience(session, program, person)
    upcoming = next_round_on(program, today)
    if upcoming is None:
        raise ProgramError("program", "this programme has no round coming up")
    row = _membership(session, program, person)
    row.skip_round_on = upcoming
    session.flush()
    return upcoming


def pause(
    session: Session, program: Program, person: Person, until: dt.date, today: dt.date
) -> Membership:
    if until < today:
        raise ProgramError("until", "the pause must end today or later")
    if until > today + dt.timedelta(days=366):
        raise ProgramError("until", "a pause can last at most a year")
    row = _membership(session, program, person)
    row.paused_until = until
    session.flush()
    return row


def resume(session: Session, program: Program, person: Person) -> Membership:
    row = _membership(session, program, person)
    row.paused_until = None
    row.skip_round_on = None
    row.ignored_in_a_row = 0
    row.joined = True
    session.flush()
    return row


def set_buddy_capacity(
    session: Session, program: Program, person: Person, capacity: int
) -> Membership:
    """Volunteer as an onboarding buddy for up to ``capacity`` new hires at once (0: stop)."""
    if not 0 <= capacity <= 5:
        raise ProgramError("capacity", "0 to 5 new hires at once")
    row = _membership(session, program, person)
    row.buddy_capacity = capacity
    session.flush()
    return row


@dataclass(frozen=True)
class Shortage:
    """New hires the latest round of a buddies programme left without a buddy."""

    round_on: dt.date
    hires: list[Person]  # by start date, then name
    seats: int  # the volunteer seats offered in the programme now


def buddy_shortage(session: Session, program: Program) -> Shortage | None:
    """The new hires the programme's latest round could not give a buddy (still active), or
    None when it gave everyone one (or the programme has no round yet)."""
    latest = session.scalar(
        select(Round).where(Round.program_id == program.id).order_by(Round.round_on.desc()).limit(1)
    )
    if latest is None:
        return None
    hires = list(
        session.scalars(
            select(Person)
            .join(BuddyShortage, BuddyShortage.person_id == Person.id)
            .where(BuddyShortage.round_id == latest.id, Person.is_active)
            .order_by(Person.start_date, Person.name, Person.id)
        )
    )
    if not hires:
        return None
    seats = sum(row.buddy_capacity for row in memberships(session, program).values() if row.joined)
    return Shortage(latest.round_on, hires, seats)


# --- never pair me with --------------------------------------------------------------------


def never_pair_list(session: Session, person: Person) -> list[Person]:
    rows = session.scalars(
        select(NeverPair)
        .where(NeverPair.person_id == person.id)
        .options(selectinload(NeverPair.other))
    )
    return sorted((row.other for row in rows), key=lambda other: other.name)


def add_never_pair(session: Session, person: Person, other_email: str) -> Person:
    other = people.find_by_email(session, other_email)
    if other is None or not other.is_active:
        raise ProgramError("email", f"nobody active has the e-mail {other_email.strip()!r}")
    if other.id == person.id:
        raise ProgramError("email", "that is you")
    if session.get(NeverPair, (person.id, other.id)) is None:
        session.add(NeverPair(person_id=person.id, other_id=other.id))
    session.flush()
    return other


def remove_never_pair(session: Session, person: Person, other_id: int) -> None:
    session.execute(
        delete(NeverPair).where(NeverPair.person_id == person.id, NeverPair.other_id == other_id)
    )


def exclusions_among(session: Session, person_ids: set[int]) -> list[tuple[int, int]]:
    """Never-pair entries between people who are both in ``person_ids`` (either direction)."""
    rows = session.execute(select(NeverPair.person_id, NeverPair.other_id))
    return [(a, b) for a, b in rows if a in person_ids and b in person_ids]
