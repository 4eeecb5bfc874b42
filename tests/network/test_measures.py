"""The measures on hand-made examples, and against networkx on random graphs."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from connectwell.network import (
    NetworkInputError,
    NetworkMeasures,
    bridging_teams,
    build_network,
    connections_of,
    isolation,
    measure,
    recent_connection_counts,
    reciprocity,
    team_modularity,
    team_ties,
    verify,
)

from .graphs import random_interactions, shoutout_digraph, team_partition, weighted_graph


def test_it_computes_the_ei_index_and_cross_team_ratio_of_a_hand_example() -> None:
    # Team 0 = {0, 1, 2}, team 1 = {3, 4}, team 2 has nobody. Ties 0-1 (twice), 1-2, 2-3.
    net = build_network(
        [0, 0, 0, 1, 1],
        [0, 1, 1, 2],
        [1, 0, 2, 3],
        ["help", "event", "pairing_met", "shoutout"],
        age_days=[1, 2, 3, 4],
        teams=3,
    )
    ties = team_ties(net)
    assert ties.size.tolist() == [3, 2, 0]
    assert ties.internal_ties.tolist() == [2, 0, 0]
    assert ties.external_ties.tolist() == [1, 1, 0]
    assert ties.ei_index[:2].tolist() == pytest.approx([-1 / 3, 1.0])
    assert ties.cross_team_ratio[:2].tolist() == pytest.approx([1 / 3, 1.0])
    assert math.isnan(ties.ei_index[2]) and math.isnan(ties.cross_team_ratio[2])
    assert (ties.internal, ties.external) == (2, 1)
    assert ties.ei_index_overall == pytest.approx(-1 / 3)
    assert ties.cross_team_ratio_overall == pytest.approx(1 / 3)
    verify(net, measure(net)).raise_if_invalid()


def test_the_weighted_ei_index_counts_recent_ties_more() -> None:
    # One fresh tie inside the team, one a half-life old across: weights 1 and 1/2.
    net = build_network([0, 0, 1], [0, 0], [1, 2], ["help", "help"], age_days=[0, 90])
    ties = team_ties(net)
    assert ties.ei_index[0] == 0.0
    assert ties.internal_weight[0] == pytest.approx(1.0)
    assert ties.external_weight[0] == pytest.approx(0.5)
    assert ties.weighted_ei_index[0] == pytest.approx((0.5 - 1) / 1.5)


def test_it_counts_people_with_at_most_one_recent_connection_as_isolated() -> None:
    net = build_network(
        [0, 0, 0, 1, 1, 1],
        [0, 0, 0, 4, 4, 5],
        [1, 1, 2, 1, 2, 4],
        ["pairing_met", "shoutout", "event", "help", "help", "shoutout"],
        # 0-2 is too old; 4-1 is exactly on the edge of the window, so recent.
        age_days=[3, 10, 91, 90, 0, 200],
    )
    result = isolation(net)
    assert result.recent_connections.tolist() == [1, 2, 1, 0, 2, 0]
    assert recent_connection_counts(net).tolist() == [1, 2, 1, 0, 2, 0]
    assert result.isolated.tolist() == [True, False, True, True, False, True]
    assert result.count == 4
    assert result.share == pytest.approx(4 / 6)
    assert isolation(net, max_connections=0).count == 2
    wider = build_network(
        net.team, net.source, net.target, net.kind, age_days=net.age_days, window_days=365
    )
    assert recent_connection_counts(wider).tolist() == [2, 2, 2, 0, 3, 1]


def test_it_computes_the_modularity_of_two_teams_joined_by_one_tie() -> None:
    # Two triangles (teams 0 and 1) joined by 2-3: m = 7, L_c = 3, d_c = 7.
    source = [0, 1, 2, 3, 4, 5, 2]
    target = [1, 2, 0, 4, 5, 3, 3]
    net = build_network([0, 0, 0, 1, 1, 1], source, target, ["event"] * 7, age_days=[0] * 7)
    expected = 2 * (3 / 7 - (7 / 14) ** 2)
    assert team_modularity(net).q == pytest.approx(expected)
    assert team_modularity(net, weighted=False).q == pytest.approx(expected)
    assert team_modularity(net).per_team.tolist() == pytest.approx([expected / 2] * 2)
    # One team for everybody: Q = 1 - 1 = 0.
    together = build_network([0] * 6, source, target, ["event"] * 7, age_days=[0] * 7)
    assert team_modularity(together).q == pytest.approx(0.0)


def test_modularity_without_any_tie_is_nan() -> None:
    net = build_network([0, 1], [], [], [], age_days=[])
    assert math.isnan(team_modularity(net).q)
    assert math.isnan(team_ties(net).ei_index_overall)
    assert math.isnan(reciprocity(net).ratio)
    verify(net, measure(net)).raise_if_invalid()


def test_reciprocity_counts_distinct_ordered_shoutout_pairs_only() -> None:
    net = build_network(
        [0, 0, 0, 0],
        [0, 1, 0, 0, 2, 3, 1],
        [1, 0, 2, 2, 3, 2, 2],
        ["shoutout", "shoutout", "shoutout", "shoutout", "shoutout", "help", "event"],
        age_days=[1, 2, 3, 4, 5, 6, 7],
    )
    result = reciprocity(net)
    assert (result.ordered_pairs, result.reciprocated_pairs) == (4, 2)
    assert result.ratio == 0.5
    assert result.team_ratio.tolist() == [0.5]


def test_reciprocity_follows_the_directed_flag() -> None:
    arrays = ([0, 0], [0, 1], [1, 0], ["shoutout", "shoutout"])
    assert reciprocity(build_network(*arrays, age_days=[1, 1])).ratio == 1.0
    undirected = build_network(*arrays, age_days=[1, 1], directed=[True, False])
    assert reciprocity(undirected).ordered_pairs == 1
    assert reciprocity(undirected).ratio == 0.0


def test_recent_reciprocity_ignores_old_shoutouts() -> None:
    net = build_network([0, 0], [0, 1], [1, 0], ["shoutout", "shoutout"], age_days=[1, 400])
    assert reciprocity(net).ratio == 1.0
    assert reciprocity(net, recent=True).ordered_pairs == 1
    assert reciprocity(net, recent=True).ratio == 0.0


def test_it_ranks_teams_by_the_distinct_other_teams_they_connect() -> None:
    # Teams: 0 = {0, 1}, 1 = {2}, 2 = {3}, 3 = {4}, 4 = {5}.
    net = build_network(
        [0, 0, 1, 2, 3, 4],
        [0, 1, 2, 0, 0, 1],
        [2, 3, 3, 4, 1, 2],
        ["help"] * 6,
        age_days=[0] * 6,
    )
    result = bridging_teams(net)
    assert result.other_teams.tolist() == [3, 2, 2, 1, 0]
    assert result.ranking.tolist() == [0, 1, 2, 3, 4]
    assert result.top(1).tolist() == [0]
    assert result.links.toarray().tolist() == [
        [0, 2, 1, 1, 0],
        [2, 0, 1, 0, 0],
        [1, 1, 0, 0, 0],
        [1, 0, 0, 0, 0],
        [0, 0, 0, 0, 0],
    ]


def test_a_person_sees_their_own_connections_strongest_first() -> None:
    net = build_network(
        [0, 0, 1, 1],
        [0, 1, 0, 3, 2],
        [1, 0, 2, 0, 3],
        ["shoutout", "shoutout", "help", "event", "help"],
        age_days=[0, 90, 180, 0, 0],
    )
    mine = connections_of(net, 0)
    assert mine.neighbours.tolist() == [1, 3, 2]
    assert mine.weights.tolist() == pytest.approx([1.5, 1.0, 0.25])
    assert mine.recent.tolist() == [True, True, False]
    assert mine.teams.tolist() == [0, 1, 1]
    assert connections_of(net, np.int64(2)).neighbours.tolist() == [3, 0]
    verify(net, connections=[connections_of(net, p) for p in range(4)]).raise_if_invalid()


@pytest.mark.parametrize("person", [-1, 4, 1.0, True, "0"])
def test_it_refuses_a_person_outside_the_network(person: object) -> None:
    net = build_network([0, 0, 1, 1], [0], [1], ["help"], age_days=[0])
    with pytest.raises(NetworkInputError, match="person"):
        connections_of(net, person)  # type: ignore[arg-type]


def test_recent_variants_use_only_the_window() -> None:
    net = build_network([0, 1, 0], [0, 1], [1, 2], ["event", "event"], age_days=[10, 100])
    assert team_ties(net).external == 2
    assert team_ties(net, recent=True).external == 1
    assert bridging_teams(net, recent=True).other_teams.tolist() == [1, 1]
    assert team_modularity(net, recent=True).total_weight == pytest.approx(0.5 ** (10 / 90))


@pytest.mark.parametrize("seed", range(8))
def test_it_agrees_with_networkx_on_random_graphs(seed: int) -> None:
    data = random_interactions(seed, people=40 + 10 * seed, teams=3 + seed)
    net = data.network(half_life_days=30.0 + seed, window_days=120.0)
    graph = weighted_graph(net)
    recent_graph = weighted_graph(net, recent=True)
    teams = team_partition(net)

    for weighted in (True, False):
        assert team_modularity(net, weighted=weighted).q == pytest.approx(
            nx.community.modularity(graph, teams, weight="weight" if weighted else None)
        )
    assert team_modularity(net, recent=True).q == pytest.approx(
        nx.community.modularity(recent_graph, teams, weight="weight")
    )
    assert reciprocity(net).ratio == pytest.approx(nx.overall_reciprocity(shoutout_digraph(net)))

    assert net.ties.degree().tolist() == [graph.degree(p) for p in range(net.people)]
    assert net.ties.strength().tolist() == pytest.approx(
        [graph.degree(p, weight="weight") for p in range(net.people)]
    )
    assert recent_connection_counts(net).tolist() == [
        recent_graph.degree(p) for p in range(net.people)
    ]
    assert isolation(net).count == sum(1 for p in range(net.people) if recent_graph.degree(p) <= 1)

    team = net.team.tolist()
    crossing = [(u, v) for u, v in graph.edges if team[u] != team[v]]
    internal = [sum(1 for u, v in graph.edges if team[u] == team[v] == c) for c in range(net.teams)]
    external = [sum(1 for u, v in crossing if c in (team[u], team[v])) for c in range(net.teams)]
    result = team_ties(net)
    assert result.internal_ties.tolist() == internal
    assert result.external_ties.tolist() == external
    touched = [
        len({team[v] for u in range(net.people) if team[u] == c for v in graph[u]} - {c})
        for c in range(net.teams)
    ]
    assert bridging_teams(net).other_teams.tolist() == touched
    for p in (0, net.people // 2, net.people - 1):
        mine = connections_of(net, p)
        assert dict(zip(mine.neighbours.tolist(), mine.weights.tolist(), strict=True)) == (
            pytest.approx({v: graph[p][v]["weight"] for v in graph[p]})
        )

    measures = measure(net)
    assert isinstance(measures, NetworkMeasures)
    verify(
        net, measures, connections=[connections_of(net, p) for p in range(10)]
    ).raise_if_invalid()
    verify(net, measure(net, recent=True, max_connections=2)).raise_if_invalid()


def test_it_keeps_the_team_measures_importable_from_measures_after_the_split() -> None:
    from connectwell.network import measures, teams

    for name in ("TeamTies", "Modularity", "Bridging", "team_ties", "team_modularity"):
        assert getattr(measures, name) is getattr(teams, name)
    assert measures.bridging_teams is teams.bridging_teams
    for name in measures.__all__:
        assert hasattr(measures, name), name


def test_it_chooses_the_recent_ties_or_all_of_them() -> None:
    net = build_network([0, 0, 1], [0, 1], [1, 2], ["help", "event"], age_days=[10, 200])
    assert net.ties_of(recent=False) is net.ties
    assert net.ties_of(recent=True) is net.recent
    assert team_ties(net, recent=True).external_ties.tolist() == [0, 0]
    assert team_ties(net).external_ties.tolist() == [1, 1]
