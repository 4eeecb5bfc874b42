"""Rosters for the matching tests, from the project's deterministic generator."""

from __future__ import annotations

import datetime as dt

from connectwell.demo.generator import generate_org
from connectwell.matching import Participant

ROUND_DATE = dt.date(2025, 1, 6)


def demo_participants(people: int, seed: int = 1, today: dt.date = ROUND_DATE) -> list[Participant]:
    """Participants from the project's deterministic organisation generator."""
    org = generate_org(people=people, seed=seed, today=today)
    return [
        Participant(
            id=p.email,
            team=p.team,
            manager=p.manager_email,
            timezone=p.timezone,
            work_start=dt.time(p.work_start),
            work_end=dt.time(p.work_end),
            level=p.level,
            location=p.location,
            interests=frozenset(p.interests),
            joined=p.start_date,
        )
        for p in org.people
    ]
