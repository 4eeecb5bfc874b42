"""Random organisations and interactions for the network tests, and their networkx oracles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt

from connectwell.network import KINDS, Network, build_network


@dataclass(frozen=True)
class Interactions:
    team: npt.NDArray[np.int64]
    source: npt.NDArray[np.int64]
    target: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int8]
    age_days: npt.NDArray[np.float64]

    def network(self, **options: Any) -> Network:
        return build_network(
            self.team, self.source, self.target, self.kind, age_days=self.age_days, **options
        )


def random_interactions(
    seed: int, people: int = 60, teams: int = 6, edges: int = 300, max_age: float = 365.0
) -> Interactions:
    """Mostly within-team interactions with repeats, both directions and every kind."""
    rng = np.random.default_rng(seed)
    team = rng.integers(0, teams, size=people)
    source = rng.integers(0, people, size=edges)
    same_team = rng.random(edges) < 0.6
    target = rng.integers(0, people, size=edges)
    for row in np.flatnonzero(same_team):  # small graphs: a loop in the test helper is fine
        mates = np.flatnonzero(team == team[source[row]])
        target[row] = rng.choice(mates)
    keep = source != target
    return Interactions(
        team=team.astype(np.int64),
        source=source[keep].astype(np.int64),
        target=target[keep].astype(np.int64),
        kind=rng.integers(0, len(KINDS), size=int(keep.sum())).astype(np.int8),
        age_days=np.round(rng.random(int(keep.sum())) * max_age, 2),
    )


def weighted_graph(network: Network, *, recent: bool = False) -> nx.Graph:
    """The undirected weighted graph the way networkx users would build it, edge by edge."""
    graph = nx.Graph()
    graph.add_nodes_from(range(network.people))
    for s, t, w, age in zip(
        network.source.tolist(),
        network.target.tolist(),
        network.weight.tolist(),
        network.age_days.tolist(),
        strict=True,
    ):
        if recent and age > network.window_days:
            continue
        previous = graph.get_edge_data(s, t, default={"weight": 0.0})["weight"]
        graph.add_edge(s, t, weight=previous + w)
    return graph


def shoutout_digraph(network: Network) -> nx.DiGraph:
    graph = nx.DiGraph()
    shout = KINDS.index("shoutout")
    for s, t, k, d in zip(
        network.source.tolist(),
        network.target.tolist(),
        network.kind.tolist(),
        network.directed.tolist(),
        strict=True,
    ):
        if k == shout and d:
            graph.add_edge(s, t)
    return graph


def team_partition(network: Network) -> list[set[int]]:
    return [
        set(np.flatnonzero(network.team == c).tolist())
        for c in range(network.teams)
        if (network.team == c).any()
    ]
