"""Buddies rounds record the new hires left without a buddy; the admin's page lists them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.erasure import erase_person
from connectwell.people.models import Person, Team
from connectwell.programs import rounds, service
from connectwell.programs.models import BuddyShortage, GroupMember, Program
from connectwell.programs.schemas import ProgramIn

ROUND_ON = dt.date(2026, 11, 30)


def buddies_with_hires(db: Session, hires: int, seats: int) -> tuple[Program, list[Person]]:
    """A buddies programme for everyone: ``hires`` new hires (started 1 to ``hires`` days
    before the round, named by how long ago) and one long-serving volunteer with ``seats``."""
    team, other = Team(name="Sales"), Team(name="Research")
    volunteer = Person(email="vic@example.org", name="Vic Volunteer", team=other,
                       start_date=ROUND_ON - dt.timedelta(days=900))  # fmt: skip
    new = [
        Person(
            email=f"hire{k}@example.org",
            name=f"Hire {k}",
            team=team,
            start_date=ROUND_ON - dt.timedelta(days=k),
        )
        for k in range(1, hires + 1)
    ]
    db.add_all([volunteer, *new])
    db.flush()
    program = service.create_program(
        db,
        ProgramIn(name="Buddies", kind="buddies", cadence="weekly", starts_on=ROUND_ON),
        actor=None,
    )
    service.set_buddy_capacity(db, program, volunteer, seats)
    return program, new


def test_hires_beyond_the_volunteers_seats_are_recorded_and_listed_by_start_date(
    db: Session,
) -> None:
    program, hires = buddies_with_hires(db, hires=3, seats=1)

    row = rounds.run_round(db, program, ROUND_ON, actor=None)

    assert row is not None
    placed = set(db.scalars(select(GroupMember.person_id)))
    stored = set(db.scalars(select(BuddyShortage.person_id)))
    assert len(placed & {h.id for h in hires}) == 1
    assert stored == {h.id for h in hires} - placed and len(stored) == 2
    shortage = service.buddy_shortage(db, program)
    assert shortage is not None
    assert (shortage.round_on, shortage.seats) == (ROUND_ON, 1)
    started = [h.start_date for h in shortage.hires]
    assert {h.id for h in shortage.hires} == stored and started == sorted(started)


def test_no_shortage_when_every_hire_gets_a_buddy_or_before_any_round(db: Session) -> None:
    program, _ = buddies_with_hires(db, hires=2, seats=2)
    assert service.buddy_shortage(db, program) is None

    rounds.run_round(db, program, ROUND_ON, actor=None)

    assert db.scalars(select(BuddyShortage)).all() == []
    assert service.buddy_shortage(db, program) is None


def test_only_the_latest_round_counts_once_seats_are_offered(db: Session) -> None:
    program, hires = buddies_with_hires(db, hires=2, seats=1)
    rounds.run_round(db, program, ROUND_ON, actor=None)
    more = Person(email="val@example.org", name="Val", team=hires[0].team)
    db.add(more)
    db.flush()
    service.set_buddy_capacity(db, program, more, 1)

    rounds.run_round(db, program, ROUND_ON + dt.timedelta(weeks=1), actor=None)

    assert len(db.scalars(select(BuddyShortage)).all()) == 1  # the first round's, kept
    assert service.buddy_shortage(db, program) is None


def test_erasing_a_hire_takes_them_off_the_list(db: Session) -> None:
    program, _ = buddies_with_hires(db, hires=3, seats=1)
    rounds.run_round(db, program, ROUND_ON, actor=None)
    waiting = service.buddy_shortage(db, program)
    assert waiting is not None
    gone, kept = waiting.hires

    erased = erase_person(db, gone, actor=None)

    assert erased.removed["buddy shortages"] == 1
    assert set(db.scalars(select(BuddyShortage.person_id))) == {kept.id}
    after = service.buddy_shortage(db, program)
    assert after is not None and after.hires == [kept]
