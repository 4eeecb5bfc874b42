"""No check-in is lost to the count: once a round's check-ins are counted, answers are refused.

The same guard as for pulse answers (review of issue 9, finding 5): the programme round row
is locked first and the member UPDATE holds only while the check-ins are not counted.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.ballots import Ballot
from connectwell.core.config import Settings
from connectwell.core.db import transaction
from connectwell.people.models import Person
from connectwell.programs import answers, rounds
from connectwell.programs.models import CheckIn, Group, GroupMember, Program, Round
from connectwell.programs.schemas import Answer
from tests.programs.conftest import MONDAY

TAPS = Answer(met=True, positive_regard=4, mutuality=3, vitality=5)
RACES = 6


def _counted_at(row: Round) -> dt.datetime:
    """The worker's moment: 00:30 UTC the day after the last check-in day."""
    return dt.datetime.combine(
        row.check_ins_close_on + dt.timedelta(days=1), dt.time(0, 30), dt.UTC
    )


def _members(db: Session, row: Round) -> list[GroupMember]:
    return list(
        db.scalars(
            select(GroupMember).join(Group).where(Group.round_id == row.id).order_by(GroupMember.id)
        )
    )


def _answered(db: Session, row: Round) -> int:
    return len([m for m in _members(db, row) if m.answered_at is not None])


def _stored(db: Session, row: Round) -> int:
    return (
        db.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.round_id == row.id)) or 0
    )


def test_a_check_in_after_the_round_is_counted_is_refused_leaving_no_ballot_and_no_mark(
    db: Session, org: list[Person], coffee: Program, settings: Settings
) -> None:
    row = rounds.run_round(db, coffee, MONDAY, actor=None)
    assert row is not None
    assert answers.count_check_ins(db, settings, row, floor=1, now=_counted_at(row)) == 0
    db.commit()
    member = _members(db, row)[0]

    with pytest.raises(answers.AnswerError) as refused:
        answers.answer(db, member.group_id, member.person, TAPS, row.check_ins_close_on,
                       settings=settings)  # fmt: skip

    assert refused.value.field == "met" and "closed" in refused.value.message
    db.rollback()
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Ballot)) == 0
    assert _answered(db, row) == 0


def test_checking_in_and_counting_at_once_never_leave_a_ballot_or_an_uncounted_mark(
    factory: sessionmaker[Session], db: Session, org: list[Person], coffee: Program,
    settings: Settings,
) -> None:  # fmt: skip
    for k in range(RACES):
        row = rounds.run_round(db, coffee, MONDAY + dt.timedelta(weeks=k), actor=None)
        assert row is not None
        db.commit()
        member = _members(db, row)[0]
        barrier = threading.Barrier(2)
        results: dict[str, object] = {}

        def answer(
            row: Round = row,
            member: GroupMember = member,
            results: dict[str, object] = results,
            barrier: threading.Barrier = barrier,
        ) -> None:
            try:
                with transaction(factory) as session:
                    person = session.get(Person, member.person_id)
                    assert person is not None
                    barrier.wait()
                    answers.answer(session, member.group_id, person, TAPS,
                                   row.check_ins_close_on, settings=settings)  # fmt: skip
                results["answer"] = "taken"
            except answers.AnswerError as error:
                results["answer"] = error.field

        def count(
            row: Round = row,
            results: dict[str, object] = results,
            barrier: threading.Barrier = barrier,
        ) -> None:
            try:
                with transaction(factory) as session:
                    mine = session.get(Round, row.id)
                    assert mine is not None
                    barrier.wait()
                    results["count"] = answers.count_check_ins(
                        session, settings, mine, floor=1, now=_counted_at(row)
                    )
            except Exception as error:  # reported below
                results["count"] = error

        threads = [threading.Thread(target=answer), threading.Thread(target=count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        db.expire_all()
        assert results["answer"] in {"taken", "met"}, results
        assert results["count"] in {0, 1}, results
        assert db.scalar(select(func.count()).select_from(Ballot)) == 0  # nothing left sealed
        assert _answered(db, row) == _stored(db, row) == results["count"], results
