"""A running programme with one round for the cast, shared by the programme page tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.insights import publish
from connectwell.people.models import Person
from connectwell.programs import answers, rounds, service
from connectwell.programs.models import CheckIn, Group, GroupMember, Program, Round
from connectwell.programs.schemas import ProgramIn
from tests.conftest import Cast

ROUND_ON = dt.date.today() - dt.timedelta(days=2)


def coffee(db: Session, **changes: object) -> Program:
    values: dict[str, object] = {
        "name": "Coffee",
        "cadence": "weekly",
        "weekday": dt.date.today().weekday(),
        "starts_on": dt.date.today() - dt.timedelta(weeks=4),
        "min_overlap_hours": 0,
        "no_repeat_weeks": 0,
    }
    values.update(changes)
    program = service.create_program(db, ProgramIn.model_validate(values), actor=None)
    db.commit()
    return program


def group_of(db: Session, program: Program, person_id: int) -> Group:
    """Run a round (once) and return ``person_id``'s group."""
    rounds.run_round(db, program, ROUND_ON, actor=None)
    db.commit()
    group = db.scalar(select(Group).join(GroupMember).where(GroupMember.person_id == person_id))
    assert group is not None
    return group


def outsider_of(group: Group, cast: Cast):  # type: ignore[no-untyped-def]
    inside = {m.person_id for m in group.members}
    return next(
        p for p in (cast.admin, cast.lead, cast.member, cast.other_member) if p.id not in inside
    )


def count_check_ins_as_closed(db: Session, settings: Settings) -> int:
    """Count every round's sealed check-ins as the job does after their last day; commits."""
    later = dt.datetime.combine(ROUND_ON + dt.timedelta(days=60), dt.time(), dt.UTC)
    rounds_counted = answers.count_closed_check_ins(db, settings, later)
    db.commit()
    return rounds_counted


TAPS = [(4, 4, 5), (5, 3, 4), (4, 4, 4), (3, 5, 5), (4, 4, 4), (5, 4, 3)]


def check_ins_answered(db: Session, cast: Cast, program: Program, count: int) -> Round:
    """Run a round with ``count`` + 2 people besides the cast; ``count`` of them met and
    tapped (positive regard 4, 5, 4, 3, 4, 5 ...), stored as the ballot count would."""
    extra = [
        Person(email=f"x{k}@example.org", name=f"X {k}", team=cast.platform,
               timezone="Europe/Berlin")
        for k in range(count + 2)
    ]  # fmt: skip
    db.add_all(extra)
    db.flush()
    row = rounds.run_round(db, program, ROUND_ON, actor=None)
    assert row is not None
    members = [m for g in row.groups for m in g.members][:count]
    for member, (regard, mutuality, vitality) in zip(members, TAPS * 2, strict=False):
        member.met = True
        member.answered_at = dt.datetime.combine(ROUND_ON, dt.time(), dt.UTC)
        db.add(CheckIn(program_id=program.id, round_id=row.id, team_id=member.person.team_id,
                       positive_regard=regard, mutuality=mutuality, vitality=vitality))  # fmt: skip
    db.commit()
    return row


def publish_check_ins(db: Session, row: Round) -> None:
    """The check-ins closed and were counted; the worker publishes them."""
    row.check_ins_counted_at = dt.datetime.now(dt.UTC)
    publish.publish_due(db, floor=5, now=dt.datetime.now(dt.UTC))
    db.commit()
