"""Claim a period of scheduled work, so it runs once even with several workers.

A claim is a row with a unique (job, period) key. The first worker to insert it runs the
work; every other insert fails on the key and that worker skips the period.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from connectwell.core.db.base import Base, utcnow


class JobClaim(Base):
    __tablename__ = "job_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(80))
    claimed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str] = mapped_column(String(120), default="")

    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_claims_job_period"),)


def claim(session: Session, job: str, period: str, *, worker: str = "") -> bool:
    """Try to claim ``period`` of ``job``; True when this caller won it.

    The insert runs in a savepoint: losing the race rolls back only the claim, not the
    caller's transaction. The claim commits with the work, so a crash mid-way frees it.
    """
    try:
        with session.begin_nested():
            session.add(JobClaim(job=job, period=period, claimed_by=worker[:120]))
            session.flush()
    except IntegrityError:
        return False
    return True
