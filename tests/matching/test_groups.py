"""Groups of 3 to 5: balanced sizes, close to brute force, mixing teams."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import random
import signal
from collections import Counter
from collections.abc import Iterator

import numpy as np
import pytest

from connectwell.matching import (
    MatchingInputError,
    Participant,
    PastGroup,
    Rules,
    pair_round,
    verify,
)
from connectwell.matching.group_plan import group_sizes
from connectwell.matching.groups import Scorer, total_value
from connectwell.matching.roster import compile_roster

from .rosters import ROUND_DATE

ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "Asia/Singapore")


def partitions(people: list[int], sizes: list[int]) -> Iterator[list[list[int]]]:
    """Every partition of ``people`` into groups of the given sizes (as a multiset)."""
    if not people:
        yield []
        return
    first, rest = people[0], people[1:]
    for size in sorted(set(sizes)):
        remaining = list(sizes)
        remaining.remove(size)
        for others in itertools.combinations(rest, size - 1):
            left = [p for p in rest if p not in others]
            for tail in partitions(left, remaining):
                yield [[first, *others], *tail]


def tiny_roster(n: int, seed: int) -> tuple[list[Participant], list[PastGroup]]:
    rng = random.Random(seed)
    people = [
        Participant(
            f"p{k}", team=f"t{rng.randrange(3)}", timezone=rng.choice(ZONES), level=rng.randrange(3)
        )
        for k in range(n)
    ]
    history = [
        PastGroup(ROUND_DATE - dt.timedelta(weeks=rng.randrange(1, 30)), tuple(pair))
        for pair in itertools.combinations([p.id for p in people], 2)
        if rng.random() < 0.2
    ]
    return people, history


def test_group_sizes_are_balanced_and_within_two_to_five() -> None:
    for size in (3, 4, 5):
        for n in range(4, 200):
            sizes = group_sizes(n, size)
            assert sum(sizes) == n
            assert max(sizes) - min(sizes) <= 1
            assert min(sizes) >= 2 and max(sizes) <= 5
            assert abs(sizes[0] - size) <= 1 or n < 2 * size
            assert abs(sizes[-1] - size) <= 1 or n < 3 * size
    people = [Participant(f"p{k}", team=f"t{k % 5}") for k in range(23)]
    rules = Rules(group_size=4, reference_date=ROUND_DATE)
    report = verify(pair_round(people, rules=rules), people, rules=rules)
    assert report.sizes == {3: 1, 4: 5}  # 23 = 5 x 4 + 3: one group one size down


@pytest.mark.parametrize(("n", "size"), [(6, 3), (7, 3), (8, 4), (9, 3), (9, 4), (8, 3)])
def test_groups_match_brute_force_on_tiny_rosters(n: int, size: int) -> None:
    optimal = 0
    for seed in range(6):
        people, history = tiny_roster(n, seed)
        rules = Rules(group_size=size, reference_date=ROUND_DATE, mix_levels=True)
        result = pair_round(people, history=history, rules=rules, seed=seed)
        report = verify(result, people, history=history, rules=rules)
        sizes = group_sizes(n, size)
        assert sorted(len(g) for g in result.groups) == sorted(sizes)
        assert sum(report.sizes.values()) == len(sizes)
        scorer = Scorer(compile_roster(people, history, [], rules, seed))
        best = max(total_value(scorer, p) for p in partitions(list(range(n)), sizes))
        assert result.weight <= best
        assert result.weight >= 0.97 * best
        optimal += result.weight == best
    assert optimal >= 4  # of 6 rosters: local search almost always finds the optimum


@pytest.mark.parametrize("size", [3, 4, 5])
def test_groups_mix_teams_and_time_zones_on_a_demo_org(
    org_1000: list[Participant], size: int
) -> None:
    rules = Rules(group_size=size, reference_date=ROUND_DATE)
    result = pair_round(org_1000, rules=rules, seed=2)
    report = verify(result, org_1000, rules=rules)
    assert set(report.sizes) <= {size - 1, size, size + 1}
    # A random partition puts about 6% of pairs in the same team and many across time zones.
    assert report.same_team_pairs <= 0.01 * report.pairs
    assert report.pairs_without_shared_hours <= 0.01 * report.pairs


def test_groups_avoid_people_who_met_recently(org_1000: list[Participant]) -> None:
    rules = Rules(group_size=4, reference_date=ROUND_DATE)
    history: list[PastGroup] = []
    for week in range(1, 5):
        date = ROUND_DATE - dt.timedelta(weeks=week)
        earlier = Rules(group_size=4, reference_date=date)
        result = pair_round(org_1000, history=history, rules=earlier, seed=week)
        verify(result, org_1000, history=history, rules=earlier)
        history += [PastGroup(date, group) for group in result.groups]
    result = pair_round(org_1000, history=history, rules=rules, seed=0)
    report = verify(result, org_1000, history=history, rules=rules)
    assert report.repeats <= 0.01 * report.pairs


def test_group_weight_is_the_sum_of_its_pair_weights(org_1000: list[Participant]) -> None:
    rules = Rules(group_size=3, reference_date=ROUND_DATE)
    result = pair_round(org_1000[:200], rules=rules, seed=1)
    verify(result, org_1000[:200], rules=rules)
    roster = compile_roster(org_1000[:200], [], [], rules, 1)
    total = 0
    for group in result.groups:
        members = [roster.index[m] for m in group]
        for a, b in itertools.combinations(members, 2):
            total += int(roster.pair_weights(np.array([a]), np.array([b]))[0])
    assert total == result.weight


def within_seconds(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging the suite) when the body runs longer than ``seconds``."""

    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"still searching after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("size", [3, 4, 5])
def test_it_refuses_naming_the_person_excluded_from_everyone_instead_of_searching_forever(
    size: int,
) -> None:
    people = [Participant(f"p{k}", team=f"t{k}") for k in range(10)]
    exclusions = [("p0", f"p{k}") for k in range(1, 10)]
    rules = Rules(group_size=size, reference_date=ROUND_DATE)
    with contextlib.contextmanager(within_seconds)(20), pytest.raises(MatchingInputError) as error:
        pair_round(people, exclusions=exclusions, rules=rules)
    assert error.value.file == "exclusions"
    assert "'p0'" in error.value.message
    assert "p1'" not in error.value.message
    verify([[p.id for p in people]], people, exclusions=exclusions, strict=False)


def test_it_refuses_three_people_with_an_excluded_pair_naming_the_pair() -> None:
    people = [Participant(name, team=name) for name in "ABC"]
    rules = Rules(group_size=3, reference_date=ROUND_DATE)
    with pytest.raises(MatchingInputError) as error:
        pair_round(people, exclusions=[("A", "C")], rules=rules)
    assert error.value.file == "exclusions"
    assert "'A'" in error.value.message and "'C'" in error.value.message
    report = verify([("A", "B", "C")], people, exclusions=[("A", "C")], strict=False)
    assert report.excluded_pairs == 1


def test_four_people_with_an_excluded_pair_split_two_and_two_and_say_why() -> None:
    people = [Participant(name, team=name) for name in "ABCD"]
    rules = Rules(group_size=3, reference_date=ROUND_DATE)
    for seed in range(4):
        result = pair_round(people, exclusions=[("A", "B")], rules=rules, seed=seed)
        report = verify(result, people, exclusions=[("A", "B")], rules=rules)
        assert report.sizes == {2: 2}
        assert report.excluded_pairs == 0
        assert result.size_plan == {4: 1}
        assert len(result.forced) == 1 and "'A'" in result.forced[0] and "'B'" in result.forced[0]


@pytest.mark.parametrize(
    ("n", "size", "plan"),
    [
        (500, 3, {3: 166, 2: 1}),
        (501, 3, {3: 167}),
        (502, 3, {3: 166, 4: 1}),
        (501, 4, {4: 124, 5: 1}),
        (502, 4, {4: 123, 5: 2}),
        (503, 4, {4: 125, 3: 1}),
        (501, 5, {5: 97, 4: 4}),
        (504, 5, {5: 100, 4: 1}),
        (4, 3, {4: 1}),
        (6, 4, {3: 2}),
        (7, 5, {4: 1, 3: 1}),
        (3, 4, {3: 1}),
        (2, 3, {2: 1}),
    ],
)
def test_the_requested_size_is_honoured_with_the_remainder_one_size_up_or_down(
    n: int, size: int, plan: dict[int, int]
) -> None:
    sizes = group_sizes(n, size)
    assert sum(sizes) == n
    assert dict(Counter(sizes)) == plan


def test_group_sizes_change_as_few_groups_as_the_remainder_allows() -> None:
    for size in (3, 4, 5):
        for n in range(3 * size, 400):
            sizes = group_sizes(n, size)
            assert sum(sizes) == n and set(sizes) <= {size - 1, size, size + 1}
            assert min(sizes) >= 2 and max(sizes) <= 5
            off = sum(s != size for s in sizes)
            r = n % size
            assert off == (min(r, size - r) if size < 5 else size - r if r else 0)


def test_a_round_honours_the_size_and_states_the_rule() -> None:
    people = [Participant(f"p{k}", team=f"t{k % 9}") for k in range(500)]
    rules = Rules(group_size=3, reference_date=ROUND_DATE)
    result = pair_round(people, rules=rules, seed=1)
    report = verify(result, people, rules=rules)
    assert report.sizes == {2: 1, 3: 166}
    assert result.size_plan == {3: 166, 2: 1}
    assert "500" in result.size_rule and "one group of 2" in result.size_rule
    assert result.forced == ()
    four = Rules(group_size=4, reference_date=ROUND_DATE)
    five = Rules(group_size=5, reference_date=ROUND_DATE)
    more = [*people, Participant("p500", team="t0")]
    as_four = verify(pair_round(more, rules=four, seed=1), more, rules=four)
    as_five = verify(pair_round(more, rules=five, seed=1), more, rules=five)
    assert as_four.sizes == {4: 124, 5: 1}
    assert as_five.sizes == {4: 4, 5: 97}


def tight_roster(n: int) -> list[Participant]:
    """One team of 29% of ``n``, the rest in teams of 7: some same-team pairs are unavoidable."""
    big = round(0.29 * n)
    zones = ("Europe/London", "Europe/Berlin", "Europe/Paris")
    return [
        Participant(
            f"p{k}", team="big" if k < big else f"small{(k - big) // 7}", timezone=zones[k % 3]
        )
        for k in range(n)
    ]


def test_true_groups_of_four_keep_same_team_pairs_near_the_least_possible() -> None:
    people = tight_roster(501)  # 145 in one team, 125 groups: at least 20 same-team pairs
    rules = Rules(group_size=4, reference_date=ROUND_DATE)
    result = pair_round(people, rules=rules, seed=0)
    report = verify(result, people, rules=rules)
    assert report.sizes == {4: 124, 5: 1}
    assert 20 <= report.same_team_pairs <= 22
    assert report.pairs_without_shared_hours == 0


def test_disjoint_time_zones_form_same_zone_groups() -> None:
    people = [
        Participant(f"{city}{k}", team=f"t{k}", timezone=zone)
        for city, zone in (("tokyo", "Asia/Tokyo"), ("ny", "America/New_York"))
        for k in range(7)
    ]
    rules = Rules(group_size=3, reference_date=ROUND_DATE)
    for seed in range(3):
        result = pair_round(people, rules=rules, seed=seed)
        report = verify(result, people, rules=rules)
        assert report.pairs_without_shared_hours == 0
        assert all(len({m[:2] for m in group}) == 1 for group in result.groups)
        assert report.sizes == {3: 2, 4: 2}
        assert len(result.forced) == 1 and "working hours" in result.forced[0]
