"""The counting jobs: listed after the pulse reminders, and counting what has closed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.core.db import utcnow
from connectwell.pulses import service
from connectwell.pulses.models import PulseRound, Response
from connectwell.pulses.schemas import PulseAnswer, PulseIn
from connectwell.worker import jobs
from tests.conftest import Cast


def test_the_counting_jobs_run_every_few_minutes_after_the_reminders() -> None:
    names = [job.name for job in jobs.JOBS]
    by_name = {job.name: job for job in jobs.JOBS}

    assert names.index("pulse-count") == names.index("pulse-reminders") + 1
    assert by_name["pulse-count"].every == dt.timedelta(minutes=5)
    assert by_name["check-in-count"].every == dt.timedelta(minutes=15)


def test_the_pulse_count_job_counts_a_closed_round_and_leaves_an_open_one(
    db: Session, cast: Cast, settings: Settings
) -> None:
    today = dt.date.today()
    pulse = service.create_pulse(db, PulseIn(name="P", starts_on=today), actor=None)
    closed = service.open_round(db, pulse, today - dt.timedelta(days=10), actor=None)
    still_open = service.open_round(db, pulse, today, actor=None)
    assert closed is not None and still_open is not None
    for row, day in ((closed, closed.opens_on), (still_open, today)):
        answer = PulseAnswer(answers={row.item_ids[0]: 4})
        service.answer(db, cast.member, row.id, answer, day, settings=settings)

    report = jobs.count_pulse_rounds(db, settings, utcnow())

    assert report == "1 pulse rounds counted"
    assert db.scalar(select(func.count()).select_from(Response)) == 1
    assert db.get(PulseRound, still_open.id).counted_at is None  # type: ignore[union-attr]
    assert jobs.count_check_ins(db, settings, utcnow()) == "check-ins of 0 programme rounds counted"
