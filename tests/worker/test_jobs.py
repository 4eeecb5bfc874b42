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
from tests.smtp import smtp_server


def test_the_worker_delivers_pending_email_over_smtp(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    tell(db, [cast.member], "password-reset", settings=settings, inbox=False, link="/p", hours=2)
    db.commit()
    with smtp_server() as mailbox:
        smtp = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": mailbox.port})
        lines = run_due(factory, smtp)

    assert "deliver-email: 1 sent, 0 failed" in lines
    assert [m["Subject"] for m in mailbox.messages] == ["Reset your connectwell password"]
    db.rollback()
    assert db.scalar(select(OutboxEmail.status)) == "sent"


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
