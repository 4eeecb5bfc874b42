"""The worker runs its explicit list of jobs; claimed jobs run once per period."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.accounts.models import LoginFailure
from connectwell.core.config import Settings
from connectwell.core.db import JobClaim, utcnow
from connectwell.core.notify import OutboxEmail, tell
from connectwell.worker.jobs import JOBS
from connectwell.worker.runner import run_due
from tests.conftest import Cast
from tests.digests.conftest import BERLIN_DIGEST
from tests.smtp import smtp_server

# A Tuesday, 03:00 UTC: no digest, intro or pulse is due at this hour for the cast. The test
# once read the real clock, so between Friday 15:00 and Sunday 15:00 local time (the default
# digest hour and its two-day grace) the weekly-digests job, which runs after deliver-email,
# queued digests that stayed pending; and it read the status of "the first" outbox row, which
# SQLite returns through the (status, id) index: a pending digest before the sent e-mail.
QUIET = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)


def test_the_worker_delivers_pending_email_over_smtp(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    tell(db, [cast.member], "password-reset", settings=settings, inbox=False, link="/p", hours=2)
    db.commit()
    reset = db.scalars(select(OutboxEmail)).one()
    with smtp_server() as mailbox:
        smtp = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": mailbox.port})
        lines = run_due(factory, smtp, now=QUIET)

    assert "deliver-email: 1 sent, 0 failed" in lines
    assert [m["Subject"] for m in mailbox.messages] == ["Reset your connectwell password"]
    assert [m["Message-ID"] for m in mailbox.messages] == [reset.message_id]
    db.rollback()
    assert db.scalar(select(OutboxEmail.status).where(OutboxEmail.id == reset.id)) == "sent"
    assert db.scalars(select(OutboxEmail.id)).all() == [reset.id]  # the quiet hour: no new mail


def test_the_email_sent_stays_sent_when_the_same_run_queues_the_weekly_digests(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    tell(db, [cast.member], "password-reset", settings=settings, inbox=False, link="/p", hours=2)
    db.commit()
    reset = db.scalars(select(OutboxEmail)).one()
    with smtp_server() as mailbox:
        smtp = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": mailbox.port})
        lines = run_due(factory, smtp, now=BERLIN_DIGEST)

    assert "deliver-email: 1 sent, 0 failed" in lines
    assert "weekly-digests: 2 digests sent" in lines  # queued after delivery ran
    db.rollback()
    statuses = {i: s for i, s in db.execute(select(OutboxEmail.id, OutboxEmail.status))}
    assert statuses.pop(reset.id) == "sent"
    assert list(statuses.values()) == ["pending", "pending"]


def test_an_hourly_job_runs_once_per_hour_across_workers(
    factory: sessionmaker[Session], db: Session, settings: Settings
) -> None:
    now = utcnow()
    db.add(LoginFailure(key="email:x@example.org", at=now - dt.timedelta(days=1)))
    db.commit()

    first = run_due(factory, settings, now=now)
    second = run_due(factory, settings, now=now)  # another worker, same hour

    assert "forget-login-failures: 1 old sign-in failures forgotten" in first
    assert any("already claimed" in line for line in second)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(LoginFailure)) == 0
    claims = db.scalar(select(func.count()).where(JobClaim.job == "forget-login-failures"))
    assert claims == 1


def test_every_job_has_a_unique_name() -> None:
    names = [job.name for job in JOBS]
    assert len(names) == len(set(names))
