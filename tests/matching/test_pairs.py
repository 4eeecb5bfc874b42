"""Pair rounds: nobody dropped, no repeats, shared hours, near-optimal weight."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
import rustworkx as rx

from connectwell.matching import (
    MatchingInputError,
    Participant,
    PastGroup,
    Rules,
    candidates,
    pair_round,
    pairs,
    verify,
)
from connectwell.matching.candidates import CandidateGraph
from connectwell.matching.pairs import max_weight_matching
from connectwell.matching.roster import compile_roster

from .rosters import ROUND_DATE

RULES = Rules(reference_date=ROUND_DATE)


def exact_weight(graph: CandidateGraph) -> int:
    """The maximum weight of a matching, by exact blossom (rustworkx)."""
    g = rx.PyGraph()
    g.add_nodes_from(range(graph.n))
    g.add_edges_from(
        [(int(a), int(b), int(w)) for a, b, w in zip(graph.u, graph.v, graph.weight, strict=True)]
    )
    chosen = rx.max_weight_matching(g, max_cardinality=False, weight_fn=int)
    lookup = {
        (int(a), int(b)): int(w) for a, b, w in zip(graph.u, graph.v, graph.weight, strict=True)
    }
    return sum(lookup[min(a, b), max(a, b)] for a, b in chosen)


def random_graph(n: int, degree: int, seed: int) -> CandidateGraph:
    rng = np.random.default_rng(seed)
    a = np.repeat(np.arange(n), degree)
    b = rng.integers(0, n, size=n * degree)
    keep = a != b
    low, high = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    keys = np.unique(low * n + high)
    weight = rng.integers(1, 1000, size=len(keys))
    return CandidateGraph(n, keys // n, keys % n, weight)


def groups_as_matching(result_groups: tuple[tuple[str, ...], ...]) -> dict[str, set[str]]:
    partner: dict[str, set[str]] = {}
    for group in result_groups:
        for person in group:
            partner[person] = set(group) - {person}
    return partner


def test_it_never_drops_the_odd_person_out(org_1001: list[Participant]) -> None:
    result = pair_round(org_1001, rules=RULES, seed=3)
    report = verify(result, org_1001, rules=RULES)
    assert report.dropped == ()
    assert report.sizes == {2: 499, 3: 1}


def test_it_pairs_a_demo_org_across_teams_with_shared_hours(org_1000: list[Participant]) -> None:
    result = pair_round(org_1000, rules=RULES, seed=1)
    report = verify(result, org_1000, rules=RULES)
    assert report.sizes == {2: 500}
    assert report.same_team_pairs == 0
    assert report.pairs_without_shared_hours == 0
    assert report.manager_pairs == 0
    assert result.certified_ratio is not None and result.certified_ratio >= 0.999


def test_the_same_seed_gives_the_same_groups_and_another_seed_other_groups(
    org_1000: list[Participant],
) -> None:
    first = pair_round(org_1000, rules=RULES, seed=5)
    again = pair_round(list(org_1000), rules=RULES, seed=5)
    other = pair_round(org_1000, rules=RULES, seed=6)
    for result in (first, again, other):
        verify(result, org_1000, rules=RULES)
    assert first.groups == again.groups
    assert set(map(frozenset, first.groups)) != set(map(frozenset, other.groups))


@pytest.mark.parametrize(
    ("n", "degree", "seed"), [(50, 4, 1), (301, 6, 2), (800, 10, 3), (2001, 8, 4)]
)
def test_the_lp_matching_reaches_the_exact_blossom_weight_and_bounds_it(
    n: int, degree: int, seed: int
) -> None:
    graph = random_graph(n, degree, seed)
    ours = max_weight_matching(graph)
    exact = exact_weight(graph)
    mate = ours.mate
    groups = [(str(i), str(mate[i])) for i in range(n) if mate[i] > i]
    people = [Participant(str(i), team="t") for i in range(n)]
    singles = [(str(i),) for i in range(n) if mate[i] < 0]
    # A matching leaves people out; verify every matched person appears once and is real.
    report = verify([*groups, *singles], people, strict=False)
    assert report.duplicated == () and report.dropped == () and report.unknown == ()
    assert all(mate[mate[i]] == i for i in range(n) if mate[i] >= 0)
    assert ours.weight <= exact <= ours.upper_bound + 1e-9
    assert ours.weight >= 0.998 * exact


def test_odd_cycles_are_rounded_to_the_best_vertex_left_out() -> None:
    # Two triangles: the LP puts 1/2 on every edge; the best matching keeps the heaviest edge
    # of each triangle.
    u = np.array([0, 0, 1, 3, 3, 4])
    v = np.array([1, 2, 2, 4, 5, 5])
    w = np.array([30, 30, 40, 45, 50, 45])
    graph = CandidateGraph(6, u, v, w)
    ours = max_weight_matching(graph)
    assert ours.odd_cycles == 2
    assert ours.weight == exact_weight(graph) == 40 + 50
    assert ours.upper_bound == pytest.approx((30 + 30 + 40 + 45 + 50 + 45) / 2)
    people = [Participant(str(i), team="t") for i in range(6)]
    pairs = [(str(i), str(ours.mate[i])) for i in range(6) if ours.mate[i] > i]
    left_out = [(str(i),) for i in range(6) if ours.mate[i] < 0]
    assert sorted(left_out) == [("0",), ("4",)]
    report = verify([*pairs, *left_out], people, strict=False)
    assert report.dropped == () and report.duplicated == ()


def test_it_avoids_every_pair_met_within_the_window(org_1000: list[Participant]) -> None:
    history: list[PastGroup] = []
    for week in range(1, 9):
        previous = pair_round(
            org_1000,
            history=history,
            rules=Rules(reference_date=ROUND_DATE - dt.timedelta(weeks=week)),
            seed=week,
        )
        date = ROUND_DATE - dt.timedelta(weeks=week)
        history += [PastGroup(date, group) for group in previous.groups]
    result = pair_round(org_1000, history=history, rules=RULES, seed=0)
    report = verify(result, org_1000, history=history, rules=RULES)
    assert report.repeats == 0
    assert report.same_team_pairs == 0


def test_when_a_repeat_is_unavoidable_it_picks_the_longest_ago_pair() -> None:
    people = [Participant(name, team=name) for name in "ABCD"]

    def met(weeks: int, a: str, b: str) -> PastGroup:
        return PastGroup(ROUND_DATE - dt.timedelta(weeks=weeks), (a, b))

    history = [
        met(1, "A", "B"),
        met(1, "C", "D"),
        met(2, "A", "D"),
        met(2, "B", "C"),
        met(20, "A", "C"),
        met(20, "B", "D"),
    ]
    result = pair_round(people, history=history, rules=RULES, seed=0)
    report = verify(result, people, history=history, rules=RULES)
    assert set(map(frozenset, result.groups)) == {frozenset("AC"), frozenset("BD")}
    assert report.repeat_ages_days == (140, 140)


def test_it_never_puts_excluded_people_together() -> None:
    people = [Participant(f"p{k}", team=f"t{k}", timezone="Europe/Berlin") for k in range(8)]
    exclusions = [(f"p{k}", f"p{k + 1}") for k in range(7)]
    for seed in range(5):
        result = pair_round(people, exclusions=exclusions, rules=RULES, seed=seed)
        report = verify(result, people, exclusions=exclusions, rules=RULES)
        assert report.excluded_pairs == 0


def test_exclusions_that_leave_no_possible_group_are_an_error() -> None:
    people = [Participant(name, team=name) for name in "ABC"]
    exclusions = [("A", "B"), ("B", "C"), ("A", "C")]
    with pytest.raises(MatchingInputError) as error:
        pair_round(people, exclusions=exclusions, rules=RULES)
    assert error.value.file == "exclusions"
    verify([("A", "B", "C")], people, strict=False)


def test_someone_sharing_no_hours_with_anyone_is_placed_anyway_in_the_best_group() -> None:
    people = [
        Participant(f"berlin{k}", team=f"team{k % 7}", timezone="Europe/Berlin") for k in range(400)
    ]
    people.append(Participant("honolulu", team="islands", timezone="Pacific/Honolulu"))
    result = pair_round(people, rules=RULES, seed=2)
    report = verify(result, people, rules=RULES)
    assert report.sizes == {2: 199, 3: 1}
    assert any("honolulu" in group for group in result.groups)
    assert report.pairs_without_shared_hours in (1, 2)  # the one person, with one or two others


def test_people_with_few_recent_connections_get_their_best_candidates_first() -> None:
    quiet = frozenset({"chess", "jazz", "film"})
    sporty = frozenset({"running", "yoga", "climbing"})
    rules = Rules(reference_date=ROUND_DATE, match_interests=True)
    for seed in range(6):
        people = [
            Participant("isolated", team="a", interests=quiet, recent_connections=0),
            Participant("well-connected", team="b", interests=sporty, recent_connections=10),
            Participant("enthusiast", team="c", interests=quiet | sporty),
            Participant("other", team="d"),
        ]
        result = pair_round(people, rules=rules, seed=seed)
        verify(result, people, rules=rules)
        assert groups_as_matching(result.groups)["isolated"] == {"enthusiast"}


def test_a_within_team_programme_pairs_teammates(org_1000: list[Participant]) -> None:
    rules = Rules(reference_date=ROUND_DATE, team_mix="within", min_overlap_hours=0)
    result = pair_round(org_1000, rules=rules, seed=4)
    report = verify(result, org_1000, rules=rules)
    assert report.same_team_pairs >= 0.9 * report.pairs


def test_tiny_rosters_are_placed_whole() -> None:
    for size in range(0, 5):
        people = [Participant(f"p{k}", team="t") for k in range(size)]
        result = pair_round(people, rules=RULES)
        report = verify(result, people, rules=RULES)
        expected = {} if size == 0 else ({size: 1} if size < 4 else {2: 2})
        assert report.sizes == expected


def test_every_pair_of_a_dense_roster_is_a_candidate_and_the_result_is_exact() -> None:
    people = [
        Participant(f"p{k}", team=f"t{k % 4}", timezone=tz, level=k % 3)
        for k, tz in zip(
            range(24), itertools.cycle(["Europe/London", "America/New_York"]), strict=False
        )
    ]
    rules = Rules(reference_date=ROUND_DATE, mix_levels=True)
    result = pair_round(people, rules=rules, seed=9)
    verify(result, people, rules=rules)
    assert result.candidate_edges == 24 * 23 // 2
    assert result.upper_bound is not None and result.matching_weight == pytest.approx(
        result.upper_bound
    )


def augment_vertex_by_vertex(graph: CandidateGraph, mate: list[int], max_visits: int) -> None:
    """The augmenting search of `pairs._augment`, one vertex at a time, as a reference."""
    adjacency: dict[int, list[tuple[int, int]]] = {k: [] for k in range(graph.n)}
    weight = {}
    for a, b, w in zip(graph.u.tolist(), graph.v.tolist(), graph.weight.tolist(), strict=True):
        adjacency[a].append((b, w))
        adjacency[b].append((a, w))
        weight[a, b] = weight[b, a] = w
    for neighbours in adjacency.values():
        neighbours.sort()
    for u in [k for k in range(graph.n) if mate[k] < 0]:
        if mate[u] >= 0 or not adjacency[u]:
            continue
        gain, parent = {u: 0}, {}
        frontier, best_gain, best_end, visits = [u], 0, None, 0
        while frontier and visits < max_visits:
            following = []
            for x in frontier:
                for y, w in adjacency[x]:
                    if y == u or y in gain:
                        continue
                    reach, z = gain[x] + w, mate[y]
                    if z < 0:
                        if reach > best_gain:
                            best_gain, best_end = reach, (x, y)
                        continue
                    if z in gain:
                        continue
                    gain[y], gain[z] = reach, reach - weight[y, z]
                    parent[z] = (x, y)
                    following.append(z)
                    visits += 1
            frontier = following
        if best_end is not None:
            x, y = best_end
            while True:
                mate[x], mate[y] = y, x
                if x == u:
                    break
                x, y = parent[x]


@pytest.mark.parametrize(("n", "degree", "seed"), [(60, 3, 1), (400, 5, 2), (1500, 8, 3)])
@pytest.mark.parametrize("max_visits", [3, 40, 4000])
def test_the_level_by_level_augmenting_search_flips_what_a_vertex_search_flips(
    n: int, degree: int, seed: int, max_visits: int
) -> None:
    graph = random_graph(n, degree, seed)
    rng = np.random.default_rng(seed)
    # A partial matching with many free people: a random half of the edges, greedily.
    mate = np.full(n, -1, dtype=np.int64)
    for k in rng.permutation(len(graph))[: len(graph) // 4].tolist():
        a, b = int(graph.u[k]), int(graph.v[k])
        if mate[a] < 0 and mate[b] < 0:
            mate[a], mate[b] = b, a
    expected = mate.tolist()
    augment_vertex_by_vertex(graph, expected, max_visits)
    pairs._augment(graph, pairs._EdgeLookup(graph), mate, max_visits=max_visits)
    assert mate.tolist() == expected
    people = [Participant(str(i), team="t") for i in range(n)]
    groups = [(str(i), str(mate[i])) for i in range(n) if mate[i] > i]
    singles = [(str(i),) for i in range(n) if mate[i] < 0]
    report = verify([*groups, *singles], people, strict=False)
    assert report.duplicated == () and report.dropped == ()


def test_blocks_of_a_large_roster_are_even_so_none_strands_one_person() -> None:
    people = [Participant(f"p{k}", team=f"t{k % 50}") for k in range(20_000)]
    roster = compile_roster(people, [], [], RULES, 1)
    for block_size in (8192, 6667, 999):
        blocks = candidates._blocks(roster, np.random.default_rng(1), block_size)
        assert sum(len(b) for b in blocks) == 20_000
        assert all(len(b) % 2 == 0 for b in blocks)
        assert max(len(b) for b in blocks) <= block_size + 1
        assert len(np.unique(np.concatenate(blocks))) == 20_000


def test_an_even_roster_cut_into_blocks_gets_no_trio(monkeypatch: pytest.MonkeyPatch) -> None:
    # Four working-hour bands that share no hour, each of an even count: a perfect round of
    # pairs exists, but blocks of 151 (odd) each strand one person of some band.
    bands = [(0, 5), (6, 11), (12, 17), (18, 23)]
    people = [
        Participant(
            f"p{k}",
            team=f"t{k % 40}",
            work_start=dt.time(bands[k % 4][0]),
            work_end=dt.time(bands[k % 4][1]),
        )
        for k in range(608)
    ]
    monkeypatch.setattr(candidates, "BLOCK_SIZE", 151)
    for seed in range(5):
        result = pair_round(people, rules=RULES, seed=seed)
        report = verify(result, people, rules=RULES)
        assert report.sizes == {2: 304}
        assert report.pairs_without_shared_hours == 0
        assert result.forced == ()


def test_trios_forced_on_an_even_roster_are_explained_naming_people() -> None:
    # Two triangles with every pair across them excluded: no round of pairs exists.
    people = [Participant(name, team=name) for name in "ABCDEF"]
    exclusions = [(a, b) for a in "ABC" for b in "DEF"]
    result = pair_round(people, exclusions=exclusions, rules=RULES, seed=0)
    report = verify(result, people, exclusions=exclusions, rules=RULES)
    assert report.sizes == {3: 2}
    assert len(result.forced) == 2
    for note in result.forced:
        assert "exclusions" in note
    assert {frozenset(g) for g in result.groups} == {frozenset("ABC"), frozenset("DEF")}


def test_people_two_blocks_leave_alone_are_paired_across_the_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Early (0-5 UTC) and late (8-13) people share no hour; the two in between (4-9) share one
    # with both. The first block holds 75 early and 75 late people (one of each left alone
    # inside it); the second holds the two in-between people, who would pair with each other.
    # A round of clean pairs exists only across the blocks.
    def person(name: str, start: int, k: int) -> Participant:
        return Participant(
            name, team=f"t{k % 40}", work_start=dt.time(start), work_end=dt.time(start + 5)
        )

    early = [person(f"early{k}", 0, k) for k in range(151)]
    late = [person(f"late{k}", 8, k) for k in range(151)]
    between = [person(f"between{k}", 4, k) for k in range(2)]
    people = early + late + between
    first = np.r_[np.arange(75), 151 + np.arange(75)]
    second = np.setdiff1d(np.arange(len(people)), first)
    monkeypatch.setattr(candidates, "_blocks", lambda roster, rng, size: [first, second])
    for seed in range(3):
        result = pair_round(people, rules=RULES, seed=seed)
        report = verify(result, people, rules=RULES)
        assert report.sizes == {2: 152}
        assert report.pairs_without_shared_hours == 0
        assert result.forced == ()
