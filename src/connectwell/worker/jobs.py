"""The scheduled jobs, all in one list. Each runs in its own transaction.

A job with a ``period`` claims it (see :mod:`connectwell.core.db.claims`) and so runs once per
period however many workers there are; a job without one is safe to run anywhere at any time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from connectwell.accounts import service as accounts
from connectwell.core.config import Settings
from connectwell.core.notify import deliver_pending


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    run: Callable[[Session, Settings], str]
    period: Callable[[dt.datetime], str] | None = None


def deliver_email(session: Session, settings: Settings) -> str:
    report = deliver_pending(session, settings)
    return f"{report.sent} sent, {report.failed} failed"


def forget_login_failures(session: Session, settings: Settings) -> str:
    return f"{accounts.forget_old_failures(session, settings)} old sign-in failures forgotten"


def _hour(now: dt.datetime) -> str:
    return now.strftime("%Y-%m-%dT%H")


JOBS: tuple[Job, ...] = (
    Job("deliver-email", dt.timedelta(seconds=15), deliver_email),
    Job("forget-login-failures", dt.timedelta(hours=1), forget_login_failures, period=_hour),
)
