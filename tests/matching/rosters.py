"""Rosters for the matching tests, from the project's deterministic generator."""

from __future__ import annotations

import datetime as dt

from connectwell.demo.generator import as_participants, generate_org
from connectwell.matching import Participant

ROUND_DATE = dt.date(2025, 1, 6)


def demo_participants(people: int, seed: int = 1, today: dt.date = ROUND_DATE) -> list[Participant]:
    """Participants from the project's deterministic organisation generator."""
    return as_participants(generate_org(people=people, seed=seed, today=today))
