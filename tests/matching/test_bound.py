"""The bound over all pairs: never below the exact optimum, never below the round it rates.

The exact optimum is computed on the complete graph (every pair that is not excluded) with the
library's own weights (:meth:`Roster.pair_weights`) by rustworkx's exact blossom, and for odd
rosters by trying every group of three; both the exact-weight path (small rosters) and the
class path (large rosters, forced here with ``dense_limit=0``) of the bound are checked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random

import numpy as np
import pytest
import rustworkx as rx

from connectwell.matching import (
    MatchingInputError,
    Participant,
    PastGroup,
    Rules,
    pair_round,
    verify,
)
from connectwell.matching.bound import all_pairs_upper_bound
from connectwell.matching.roster import Roster, compile_roster

from .rosters import ROUND_DATE
from .test_groups import partitions

ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "Asia/Singapore", "UTC")
SHIFTS = ((9, 17), (7, 15), (13, 21), (22, 6), (0, 8))


def random_round(
    n: int, seed: int
) -> tuple[list[Participant], list[PastGroup], list[tuple[str, str]], Rules]:
    """A roster with teams, managers, time zones, night shifts, levels, locations, interests,
    connection counts, a random history and a few exclusions, under random rules."""
    rng = random.Random(seed)
    teams = rng.randint(1, 6)
    people = []
    for k in range(n):
        start, end = rng.choice(SHIFTS)
        people.append(
            Participant(
                f"p{k}",
                team=f"t{rng.randrange(teams)}",
                manager=f"p{rng.randrange(k)}" if k and rng.random() < 0.4 else None,
                timezone=rng.choice(ZONES),
                work_start=dt.time(start),
                work_end=dt.time(end),
                level=rng.choice([None, 1, 2, 3]),
                location=rng.choice([None, "Paris", "Leeds", "Oslo"]),
                interests=frozenset(rng.sample(["chess", "jazz", "hiking", "go", "tea"], 2)),
                recent_connections=rng.choice([None, 0, 1, 5, 30]),
            )
        )
    ids = [p.id for p in people]
    density = rng.choice([0.0, 0.1, 0.5, 0.9])
    history = [
        PastGroup(ROUND_DATE - dt.timedelta(weeks=rng.randrange(1, 40)), pair)
        for pair in itertools.combinations(ids, 2)
        if rng.random() < density
    ]
    exclusions = [
        (a, b) for a, b in itertools.combinations(ids, 2) if rng.random() < 2.0 / max(n, 1)
    ]
    rules = Rules(
        team_mix=rng.choice(["across", "within", "any"]),
        min_overlap_hours=rng.choice([0.0, 1.0, 4.0]),
        no_repeat_weeks=rng.choice([0, 8, 26]),
        mix_levels=rng.random() < 0.5,
        mix_locations=rng.random() < 0.5,
        match_interests=rng.random() < 0.5,
        reference_date=ROUND_DATE,
    )
    return people, history, exclusions, rules


def complete_graph(roster: Roster) -> rx.PyGraph:
    """Every pair that is not excluded, weighed by the library's own pair weights."""
    i, j = np.triu_indices(roster.n, 1)
    weight = roster.pair_weights(i, j)
    graph = rx.PyGraph()
    graph.add_nodes_from(range(roster.n))
    graph.add_edges_from(
        [(int(a), int(b), int(w)) for a, b, w in zip(i, j, weight, strict=True) if w >= 0]
    )
    return graph


def matching_weight(graph: rx.PyGraph, *, perfect_of: int | None = None) -> int | None:
    """The exact maximum-weight matching; with ``perfect_of``, only a perfect one (or None)."""
    pairs = rx.max_weight_matching(graph, max_cardinality=perfect_of is not None, weight_fn=int)
    if perfect_of is not None and 2 * len(pairs) != perfect_of:
        return None
    return sum(graph.get_edge_data(a, b) for a, b in pairs)


def best_round_with_trios(roster: Roster, trios: int) -> int | None:
    """The exact best partition into pairs and ``trios`` groups of three (None if none)."""
    weight = roster.pair_weights
    best: int | None = None
    everyone = list(range(roster.n))
    for chosen in itertools.combinations(itertools.combinations(everyone, 3), trios):
        members = [m for trio in chosen for m in trio]
        if len(set(members)) != len(members):
            continue
        value = 0
        for trio in chosen:
            a, b = np.array([trio[0], trio[0], trio[1]]), np.array([trio[1], trio[2], trio[2]])
            pair = weight(a, b)
            if (pair < 0).any():
                break
            value += int(pair.sum())
        else:
            rest = [v for v in everyone if v not in members]
            sub = complete_graph(roster).subgraph(rest)
            pairs = matching_weight(sub, perfect_of=len(rest))
            if pairs is not None and (best is None or value + pairs > best):
                best = value + pairs
    return best


def bounds(roster: Roster, sizes: list[int] | None = None) -> tuple[float, float]:
    """The bound on exact weights and the bound from classes (as for a large roster)."""
    return (
        all_pairs_upper_bound(roster, sizes=sizes),
        all_pairs_upper_bound(roster, sizes=sizes, dense_limit=0),
    )


@pytest.mark.parametrize("seed", range(40))
def test_the_bound_is_at_least_the_exact_optimum_over_all_pairs(seed: int) -> None:
    n = random.Random(seed).randint(6, 60) if seed % 3 else random.Random(seed).randint(6, 15)
    people, history, exclusions, rules = random_round(n, seed)
    roster = compile_roster(people, history, exclusions, rules, seed)
    exact, by_class = bounds(roster)
    graph = complete_graph(roster)
    any_matching = matching_weight(graph)
    assert any_matching is not None
    assert exact >= any_matching and by_class >= any_matching
    if n % 2 == 0:
        optimum = matching_weight(graph, perfect_of=n)
    elif n <= 15:
        optimum = best_round_with_trios(roster, 1)
    else:  # a feasible round: the best near-perfect matching, the one left out in a pair
        optimum = None
    if optimum is not None:
        assert exact >= optimum, (exact, optimum)
        assert by_class >= optimum, (by_class, optimum)

    try:
        result = pair_round(people, history=history, exclusions=exclusions, rules=rules, seed=seed)
    except MatchingInputError:
        return  # exclusions left someone no possible group: no round to rate
    verify(result, people, history=history, exclusions=exclusions, rules=rules)
    assert result.all_pairs_bound is not None
    assert result.weight <= result.all_pairs_bound
    assert result.matching_weight <= result.all_pairs_bound
    sizes = [len(g) for g in result.groups]
    assert result.weight <= bounds(roster, sizes)[1]
    assert result.all_pairs_ratio is not None and 0 < result.all_pairs_ratio <= 1


@pytest.mark.parametrize("seed", range(6))
def test_the_bound_covers_rounds_with_more_groups_of_three_when_asked(seed: int) -> None:
    people, history, exclusions, rules = random_round(8 + 2 * (seed % 2), seed)
    roster = compile_roster(people, history, exclusions, rules, seed)
    two_trios = best_round_with_trios(roster, 2)
    sizes = [3, 3] + [2] * ((roster.n - 6) // 2)
    exact, by_class = bounds(roster, sizes)
    if two_trios is not None:
        assert exact >= two_trios and by_class >= two_trios
    perfect = matching_weight(complete_graph(roster), perfect_of=roster.n)
    if perfect is not None:  # "at most two groups of three" includes none
        assert exact >= perfect and by_class >= perfect


@pytest.mark.parametrize("sizes", [[3, 2, 2], [4, 4], [3, 3, 3], [5, 4]])
def test_the_bound_is_at_least_the_best_grouping_found_by_brute_force(sizes: list[int]) -> None:
    checked = 0
    for seed in range(20):
        people, history, exclusions, rules = random_round(sum(sizes), seed)
        roster = compile_roster(people, history, exclusions, rules, seed)
        best = None
        for partition in partitions(list(range(roster.n)), sizes):
            value = 0
            for group in partition:
                a, b = map(np.array, zip(*itertools.combinations(group, 2), strict=True))
                pair = roster.pair_weights(a, b)
                if (pair < 0).any():
                    break
                value += int(pair.sum())
            else:
                best = value if best is None else max(best, value)
        if best is None:  # the exclusions allow no such grouping: nothing to bound
            continue
        exact, by_class = bounds(roster, sizes)
        assert exact >= best and by_class >= best
        checked += 1
    assert checked >= 6


def test_the_bound_is_tight_on_a_balanced_roster_without_history() -> None:
    people = [Participant(f"p{k}", team=f"t{k % 4}") for k in range(400)]
    result = pair_round(people, rules=Rules(reference_date=ROUND_DATE), seed=3)
    verify(result, people, rules=Rules(reference_date=ROUND_DATE))
    assert result.all_pairs_ratio is not None and result.all_pairs_ratio > 0.999


def test_a_lone_time_zone_lowers_the_bound_below_everyone_picking_their_best() -> None:
    # One person in Singapore shares no hour with 40 Londoners: the Londoners' best partner is
    # another Londoner, so the dual descent lowers the Singapore side to what pairing it costs.
    people = [Participant(f"p{k}", team=f"t{k % 5}", timezone="Europe/London") for k in range(41)]
    people.append(Participant("sg", team="t9", timezone="Asia/Singapore"))
    roster = compile_roster(people, [], [], Rules(reference_date=ROUND_DATE), 0)
    by_class = all_pairs_upper_bound(roster, dense_limit=0)
    picks_best = all_pairs_upper_bound(roster, dense_limit=0, max_sweeps=0)
    optimum = matching_weight(complete_graph(roster), perfect_of=roster.n)
    assert optimum is not None
    assert optimum <= by_class < picks_best - 1000


@pytest.mark.parametrize("group_size", [3, 4, 5])
def test_groups_mode_fills_a_bound_at_least_the_weight_of_its_groups(group_size: int) -> None:
    for seed in range(8):
        n = random.Random(seed).randint(6, 40)
        people, history, _, rules = random_round(n, seed)
        rules = dataclasses.replace(rules, group_size=group_size)
        result = pair_round(people, history=history, rules=rules, seed=seed)
        verify(result, people, history=history, rules=rules)
        assert result.all_pairs_bound is not None
        assert result.weight <= result.all_pairs_bound
        roster = compile_roster(people, history, [], rules, seed)
        sizes = [len(g) for g in result.groups]
        assert result.weight <= all_pairs_upper_bound(roster, sizes=sizes, dense_limit=0)
