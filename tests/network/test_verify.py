"""verify: it accepts the library's results and catches every kind of wrong one."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest
import scipy.sparse as sp

from connectwell.network import (
    InvalidMeasuresError,
    NetworkMeasures,
    connections_of,
    measure,
    verify,
)

from .graphs import random_interactions

NET = random_interactions(3, people=50, teams=5).network()


def _bumped(values: np.ndarray, by: float = 1) -> np.ndarray:
    changed = values.copy()
    changed[0] = changed[0] + by
    return changed


Tamper = Callable[[NetworkMeasures], NetworkMeasures]

TAMPERINGS: dict[str, Tamper] = {
    "isolation.count": lambda m: dataclasses.replace(
        m, isolation=dataclasses.replace(m.isolation, count=m.isolation.count + 1)
    ),
    "isolation.recent_connections": lambda m: dataclasses.replace(
        m,
        isolation=dataclasses.replace(
            m.isolation, recent_connections=_bumped(m.isolation.recent_connections)
        ),
    ),
    "teams.internal_ties": lambda m: dataclasses.replace(
        m, teams=dataclasses.replace(m.teams, internal_ties=_bumped(m.teams.internal_ties))
    ),
    "teams.ei_index": lambda m: dataclasses.replace(
        m, teams=dataclasses.replace(m.teams, ei_index=_bumped(m.teams.ei_index, 0.01))
    ),
    "teams.external_weight": lambda m: dataclasses.replace(
        m,
        teams=dataclasses.replace(m.teams, external_weight=_bumped(m.teams.external_weight, 1e-3)),
    ),
    "modularity.q": lambda m: dataclasses.replace(
        m, modularity=dataclasses.replace(m.modularity, q=m.modularity.q + 1e-6)
    ),
    "reciprocity.reciprocated_pairs": lambda m: dataclasses.replace(
        m,
        reciprocity=dataclasses.replace(
            m.reciprocity, reciprocated_pairs=m.reciprocity.reciprocated_pairs + 1
        ),
    ),
    "bridging.ranking": lambda m: dataclasses.replace(
        m, bridging=dataclasses.replace(m.bridging, ranking=m.bridging.ranking[::-1].copy())
    ),
    "bridging.links": lambda m: dataclasses.replace(
        m,
        bridging=dataclasses.replace(
            m.bridging, links=sp.csr_array(m.bridging.links.shape, dtype=np.int64)
        ),
    ),
}


def test_it_accepts_the_library_results() -> None:
    report = verify(NET, measure(NET), connections=[connections_of(NET, 0)])
    assert report.ok, report.problems
    assert report.checked == (
        "network",
        "isolation",
        "teams",
        "modularity",
        "reciprocity",
        "bridging",
        "connections",
    )
    assert (report.people, report.edges) == (NET.people, NET.edges)
    assert report.ties == NET.ties.count


@pytest.mark.parametrize("name", sorted(TAMPERINGS))
def test_it_catches_a_wrong_measure(name: str) -> None:
    report = verify(NET, TAMPERINGS[name](measure(NET)))
    assert not report.ok
    assert any(problem.startswith(name) for problem in report.problems), report.problems
    with pytest.raises(InvalidMeasuresError, match=name.split(".")[0]):
        report.raise_if_invalid()


def test_it_catches_wrong_connections_of_a_person() -> None:
    mine = connections_of(NET, 0)
    wrong = dataclasses.replace(mine, weights=mine.weights[::-1].copy() + 1)
    report = verify(NET, connections=[wrong])
    assert any("connections_of(0)" in problem for problem in report.problems)


def test_it_catches_compiled_ties_that_do_not_match_the_interactions() -> None:
    ties = dataclasses.replace(NET.ties, weight=NET.ties.weight * 1.01)
    report = verify(dataclasses.replace(NET, ties=ties))
    assert any(problem.startswith("network.ties") for problem in report.problems)
    fewer = dataclasses.replace(NET.recent, u=NET.recent.u[1:], v=NET.recent.v[1:])
    fewer = dataclasses.replace(fewer, weight=NET.recent.weight[1:])
    report = verify(dataclasses.replace(NET, recent=fewer))
    assert any(problem.startswith("network.recent") for problem in report.problems)
