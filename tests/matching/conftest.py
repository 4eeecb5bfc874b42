"""Fixtures of the matching library's tests: rosters in memory, no database."""

from __future__ import annotations

import pytest

from connectwell.matching import Participant

from .rosters import demo_participants


@pytest.fixture(scope="session")
def org_1000() -> list[Participant]:
    return demo_participants(1000, seed=11)


@pytest.fixture(scope="session")
def org_1001() -> list[Participant]:
    return demo_participants(1001, seed=12)
