"""A pulse with an open round for the whole cast, and counting it as if it had closed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.core.db import utcnow
from connectwell.pulses import counting, service
from connectwell.pulses.models import PulseRound
from connectwell.pulses.schemas import PulseIn


def open_round(db: Session) -> PulseRound:
    today = utcnow().date()  # the clock the routes and the count use
    pulse = service.create_pulse(db, PulseIn(name="Team pulse", starts_on=today), actor=None)
    row = service.open_round(db, pulse, today, actor=None)
    assert row is not None
    db.commit()
    return row


def count_as_closed(db: Session, settings: Settings, row: PulseRound, *, floor: int = 1) -> int:
    """Count ``row``'s sealed answers as the job does the day after it closes; commits."""
    after = dt.datetime.combine(row.closes_on + dt.timedelta(days=1), dt.time(), dt.UTC)
    counted = counting.count_round(db, settings, db.merge(row), floor=floor, now=after)
    db.commit()
    assert counted is not None
    return counted
