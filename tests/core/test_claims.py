"""Claiming a period of scheduled work: exactly one winner, even racing on PostgreSQL."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.db import JobClaim, claim, transaction


def test_a_period_is_claimed_once_and_the_next_period_is_free(db: Session) -> None:
    assert claim(db, "digest", "2026-W48", worker="a") is True
    assert claim(db, "digest", "2026-W48", worker="b") is False
    assert claim(db, "digest", "2026-W49", worker="b") is True
    db.commit()
    assert db.scalar(select(func.count()).select_from(JobClaim)) == 2


def test_losing_a_claim_keeps_the_rest_of_the_callers_transaction(db: Session) -> None:
    db.add(JobClaim(job="other", period="p1"))
    claim(db, "digest", "w1")
    assert claim(db, "digest", "w1") is False
    db.commit()
    assert db.scalar(select(func.count()).select_from(JobClaim)) == 2


def test_two_workers_racing_for_one_period_run_it_once(
    factory: sessionmaker[Session],
) -> None:
    winners: list[str] = []
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            with transaction(factory) as session:
                barrier.wait()
                if claim(session, "pair-round", "2026-11-30", worker=name):
                    winners.append(name)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # On SQLite a loser may also see "database is locked" rather than the key: it never wins.
    assert len(winners) == 1, (winners, errors)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(JobClaim)) == 1
