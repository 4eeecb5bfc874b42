"""No answer is lost to the count: once a round is counted, answers are refused, even racing.

A ballot dropped into the box of a counted round would never be opened, yet the person would
be marked as having answered (review of issue 9, finding 5). The routes and the count use one
clock (UTC), the answer locks the round row, and its participation UPDATE holds only while the
round is not counted.
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
from connectwell.pulses import counting, service
from connectwell.pulses.models import Participation, PulseRound, Response
from connectwell.pulses.schemas import PulseAnswer, PulseIn
from tests.conftest import Cast

RACES = 6


def _round(db: Session, day: dt.date) -> PulseRound:
    pulse = service.create_pulse(db, PulseIn(name=f"Pulse {day}", starts_on=day), actor=None)
    row = service.open_round(db, pulse, day, actor=None)
    assert row is not None
    db.commit()
    return row


def _counted_at(row: PulseRound) -> dt.datetime:
    """The worker's moment: 00:30 UTC the day after the last day."""
    return dt.datetime.combine(row.closes_on + dt.timedelta(days=1), dt.time(0, 30), dt.UTC)


def _answered(db: Session, row: PulseRound) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(Participation)
            .where(Participation.round_id == row.id, Participation.answered.is_(True))
        )
        or 0
    )


def _stored(db: Session, row: PulseRound) -> int:
    return (
        db.scalar(select(func.count()).select_from(Response).where(Response.round_id == row.id))
        or 0
    )


def test_an_answer_after_the_round_is_counted_is_refused_leaving_no_ballot_and_no_mark(
    db: Session, cast: Cast, settings: Settings
) -> None:
    row = _round(db, dt.date(2026, 11, 2))
    assert counting.count_round(db, settings, row, floor=1, now=_counted_at(row)) == 0
    db.commit()

    # Still the last day somewhere west of UTC: the date alone would let it in.
    with pytest.raises(service.PulseError) as refused:
        service.answer(db, cast.member, row.id, PulseAnswer(answers={row.item_ids[0]: 5}),
                       row.closes_on, settings=settings)  # fmt: skip

    assert refused.value.field == "answers" and "closed" in refused.value.message
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Ballot)) == 0
    assert _answered(db, row) == 0


def test_answering_and_counting_at_once_never_leave_a_ballot_or_an_uncounted_mark(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    for k in range(RACES):
        row = _round(db, dt.date(2026, 10, 1) + dt.timedelta(days=k))
        barrier = threading.Barrier(2)
        results: dict[str, object] = {}

        def answer(
            row: PulseRound = row,
            results: dict[str, object] = results,
            barrier: threading.Barrier = barrier,
        ) -> None:
            try:
                with transaction(factory) as session:
                    person = session.get(Person, cast.member.id)
                    assert person is not None
                    barrier.wait()
                    given = PulseAnswer(answers={row.item_ids[0]: 4})
                    service.answer(session, person, row.id, given, row.closes_on,
                                   settings=settings)  # fmt: skip
                results["answer"] = "taken"
            except service.PulseError as error:
                results["answer"] = error.field

        def count(
            row: PulseRound = row,
            results: dict[str, object] = results,
            barrier: threading.Barrier = barrier,
        ) -> None:
            try:
                with transaction(factory) as session:
                    mine = session.get(PulseRound, row.id)
                    assert mine is not None
                    barrier.wait()
                    results["count"] = counting.count_round(
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
        assert results["answer"] in {"taken", "answers"}, results
        assert results["count"] in {0, 1}, results
        assert db.scalar(select(func.count()).select_from(Ballot)) == 0  # nothing left sealed
        assert _answered(db, row) == _stored(db, row) == results["count"], results
        assert (results["answer"] == "taken") == (results["count"] == 1), results
