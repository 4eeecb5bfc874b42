"""The weekly-digests job: each run sends the digests that are due, and never one twice."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.config import Settings
from connectwell.core.notify import OutboxEmail
from connectwell.worker import jobs
from connectwell.worker.runner import run_due
from tests.conftest import Cast
from tests.digests.conftest import BERLIN_DIGEST


def test_the_job_sends_due_digests_once_however_often_workers_run_it(
    factory: sessionmaker[Session],
    db: Session,
    cast: Cast,
    settings: Settings,
) -> None:
    first = run_due(factory, settings, now=BERLIN_DIGEST)
    second = run_due(factory, settings, now=BERLIN_DIGEST)  # another worker, same minute

    assert "weekly-digests: 2 digests sent" in first
    assert "weekly-digests: 0 digests sent" in second
    db.rollback()
    digests = db.scalars(select(OutboxEmail.to_address).where(OutboxEmail.subject.contains("week")))
    assert sorted(digests) == sorted([cast.member.email, cast.lead.email])


def test_the_digest_job_is_in_the_list() -> None:
    assert "weekly-digests" in {job.name for job in jobs.JOBS}
