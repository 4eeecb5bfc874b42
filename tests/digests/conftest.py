"""A fixed week for the digest tests: Friday 4 December 2026 (Berlin is UTC+1, New York
UTC-5), and a helper that gives shout-outs during it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.people.models import Person
from connectwell.shoutouts import service as shoutouts
from connectwell.shoutouts.models import ShoutOut
from connectwell.shoutouts.schemas import ShoutOutIn

MONDAY = dt.date(2026, 11, 30)
FRIDAY = dt.date(2026, 12, 4)
WEDNESDAY_NOON = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)
BERLIN_DIGEST = dt.datetime(2026, 12, 4, 14, 5, tzinfo=dt.UTC)  # 15:05 in Berlin
LONDON_DIGEST = dt.datetime(2026, 12, 4, 15, 5, tzinfo=dt.UTC)
NEW_YORK_DIGEST = dt.datetime(2026, 12, 4, 20, 5, tzinfo=dt.UTC)


def give(
    db: Session,
    settings: Settings,
    sender: Person,
    message: str,
    *,
    at: dt.datetime = WEDNESDAY_NOON,
    **fields: object,
) -> ShoutOut:
    data = ShoutOutIn.model_validate({"message": message, "pathway": "enabling", **fields})
    shoutout = shoutouts.give(db, sender, data, settings, now=at)
    db.commit()
    return shoutout
