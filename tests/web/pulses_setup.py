"""A pulse with an open round for the whole cast."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from connectwell.pulses import service
from connectwell.pulses.models import PulseRound
from connectwell.pulses.schemas import PulseIn


def open_round(db: Session) -> PulseRound:
    today = dt.date.today()
    pulse = service.create_pulse(db, PulseIn(name="Team pulse", starts_on=today), actor=None)
    row = service.open_round(db, pulse, today, actor=None)
    assert row is not None
    db.commit()
    return row
