"""Property tests: for any roster, everyone is placed exactly once."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectwell.matching import (
    MatchingInputError,
    Participant,
    PastGroup,
    Rules,
    pair_round,
    verify,
)

from .rosters import ROUND_DATE

ZONES = ("UTC", "Europe/London", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney")


@st.composite
def rosters(
    draw: st.DrawFn, max_people: int = 40, min_people: int = 0
) -> tuple[list[Participant], list[PastGroup]]:
    n = draw(st.integers(min_value=min_people, max_value=max_people))
    teams = draw(st.integers(min_value=1, max_value=6))
    people = [
        Participant(
            f"p{k}",
            team=f"t{draw(st.integers(0, teams - 1))}",
            timezone=draw(st.sampled_from(ZONES)),
            work_start=dt.time(draw(st.integers(0, 12))),
            work_end=dt.time(draw(st.integers(13, 23))),
            level=draw(st.none() | st.integers(1, 4)),
        )
        for k in range(n)
    ]
    history = []
    for _ in range(draw(st.integers(0, min(3 * n, 120)))):
        a, b = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        if a != b:
            weeks = draw(st.integers(0, 60))
            history.append(PastGroup(ROUND_DATE - dt.timedelta(weeks=weeks), (f"p{a}", f"p{b}")))
    return people, history


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster=rosters(), group_size=st.integers(2, 5), seed=st.integers(0, 2**31))
def test_everyone_is_placed_exactly_once_for_any_roster(
    roster: tuple[list[Participant], list[PastGroup]], group_size: int, seed: int
) -> None:
    people, history = roster
    rules = Rules(group_size=group_size, reference_date=ROUND_DATE, mix_levels=True)
    result = pair_round(people, history=history, rules=rules, seed=seed)
    report = verify(result, people, history=history, rules=rules)
    assert report.dropped == () and report.duplicated == ()
    if group_size == 2 and len(people) >= 2:
        assert report.sizes.get(3, 0) == len(people) % 2
        assert set(report.sizes) <= {2, 3}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster=rosters(max_people=700, min_people=301), seed=st.integers(0, 2**31))
def test_everyone_is_placed_exactly_once_on_sparse_candidate_graphs(
    roster: tuple[list[Participant], list[PastGroup]], seed: int
) -> None:
    people, history = roster
    rules = Rules(reference_date=ROUND_DATE)
    result = pair_round(people, history=history, rules=rules, seed=seed)
    report = verify(result, people, history=history, rules=rules)
    assert report.dropped == () and report.duplicated == ()
    assert set(report.sizes) <= {2, 3}


@settings(max_examples=25, deadline=None)
@given(roster=rosters(max_people=30), seed=st.integers(0, 1000))
def test_results_are_deterministic_for_a_seed(
    roster: tuple[list[Participant], list[PastGroup]], seed: int
) -> None:
    people, history = roster
    rules = Rules(reference_date=ROUND_DATE)
    first = pair_round(people, history=history, rules=rules, seed=seed)
    second = pair_round(people, history=history, rules=rules, seed=seed)
    verify(first, people, history=history, rules=rules)
    assert first.groups == second.groups and first.weight == second.weight


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    roster=rosters(max_people=25, min_people=2),
    group_size=st.integers(3, 5),
    density=st.floats(0, 0.6),
    seed=st.integers(0, 2**31),
)
def test_groups_with_any_exclusions_are_valid_or_refused_naming_someone(
    roster: tuple[list[Participant], list[PastGroup]], group_size: int, density: float, seed: int
) -> None:
    people, history = roster
    ids = [p.id for p in people]
    rng = random.Random(seed)
    exclusions = [pair for pair in itertools.combinations(ids, 2) if rng.random() < density]
    rules = Rules(group_size=group_size, reference_date=ROUND_DATE)
    try:
        result = pair_round(people, history=history, exclusions=exclusions, rules=rules, seed=seed)
    except MatchingInputError as error:
        assert error.file == "exclusions"
        assert any(f"'{pid}'" in error.message for pid in ids)
        return
    report = verify(result, people, history=history, exclusions=exclusions, rules=rules)
    assert report.excluded_pairs == 0 and report.dropped == ()
    if report.sizes != result.size_plan:  # another plan only with a reason naming people
        assert result.forced and "'" in result.forced[0]
