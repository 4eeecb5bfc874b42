"""Check any result of the network library, independently of the code that produced it.

:func:`verify` recomputes everything from the validated input arrays of a
:class:`~connectwell.network.model.Network` with plain Python (``dict``, ``set``,
:mod:`math`), sharing no code with the measures but the dataclasses, so that a bug in the
sparse-matrix code cannot hide itself. Every test of the library calls it; it takes about a
second per 200,000 interactions.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from connectwell.network.measures import (
    Bridging,
    Isolation,
    Modularity,
    NetworkMeasures,
    PersonConnections,
    Reciprocity,
    TeamTies,
)
from connectwell.network.model import KINDS, Network, Ties

SHOUTOUT_CODE = KINDS.index("shoutout")
REL_TOL = 1e-9
ABS_TOL = 1e-9


class InvalidMeasuresError(AssertionError):
    """Raised by :meth:`Report.raise_if_invalid` when a result does not match its inputs."""


@dataclass(frozen=True)
class Report:
    """What :func:`verify` found: ``problems`` lists every mismatch, empty when all agree."""

    people: int
    edges: int
    ties: int
    recent_ties: int
    checked: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_if_invalid(self) -> None:
        if self.problems:
            raise InvalidMeasuresError("; ".join(self.problems[:20]))


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def same(self, what: str, got: object, expected: object) -> None:
        if got != expected:
            self.problems.append(f"{what}: got {got!r}, expected {expected!r}")

    def close(self, what: str, got: float, expected: float) -> None:
        if not _close(float(got), float(expected)):
            self.problems.append(f"{what}: got {got!r}, expected {expected!r}")

    def array(self, what: str, got: Iterable[object], expected: Sequence[object]) -> None:
        values = list(got)
        if len(values) != len(expected):
            self.problems.append(f"{what}: {len(values)} values, expected {len(expected)}")
            return
        for index, (g, e) in enumerate(zip(values, expected, strict=True)):
            if isinstance(e, float):
                if not _close(float(g), e):  # type: ignore[arg-type]
                    self.problems.append(f"{what}[{index}]: got {g!r}, expected {e!r}")
                    return
            elif g != e:
                self.problems.append(f"{what}[{index}]: got {g!r}, expected {e!r}")
                return


def _ratio(top: float, bottom: float) -> float:
    return top / bottom if bottom else math.nan


class _Truth:
    """The measures recomputed from the network's input arrays with plain Python."""

    def __init__(self, network: Network) -> None:
        self.people = network.people
        self.teams = network.teams
        self.team: list[int] = network.team.tolist()
        factors = network.kind_weights
        self.pairs: dict[tuple[int, int], float] = defaultdict(float)
        self.recent_pairs: dict[tuple[int, int], float] = defaultdict(float)
        self.sent: set[tuple[int, int]] = set()
        self.recent_sent: set[tuple[int, int]] = set()
        self.max_weight_error = 0.0
        for s, t, kind, age, directed, weight in zip(
            network.source.tolist(),
            network.target.tolist(),
            network.kind.tolist(),
            network.age_days.tolist(),
            network.directed.tolist(),
            network.weight.tolist(),
            strict=True,
        ):
            expected = factors[kind] * 0.5 ** (age / network.half_life_days)
            self.max_weight_error = max(self.max_weight_error, abs(expected - weight))
            key = (s, t) if s < t else (t, s)
            self.pairs[key] += expected
            is_recent = age <= network.window_days
            if is_recent:
                self.recent_pairs[key] += expected
            if directed and kind == SHOUTOUT_CODE:
                self.sent.add((s, t))
                if is_recent:
                    self.recent_sent.add((s, t))

    def ties(self, recent: bool) -> dict[tuple[int, int], float]:
        return self.recent_pairs if recent else self.pairs


def _check_ties(
    check: _Checker, name: str, ties: Ties, truth: dict[tuple[int, int], float]
) -> None:
    got = dict(
        zip(
            zip(ties.u.tolist(), ties.v.tolist(), strict=True),
            ties.weight.tolist(),
            strict=True,
        )
    )
    check.same(f"{name}: number of ties", len(got), len(truth))
    missing = set(truth) - set(got)
    extra = set(got) - set(truth)
    if missing or extra:
        check.problems.append(
            f"{name}: ties missing {sorted(missing)[:5]}, unexpected {sorted(extra)[:5]}"
        )
        return
    for key, weight in truth.items():
        if not _close(got[key], weight):
            check.problems.append(f"{name}: tie {key} weighs {got[key]!r}, expected {weight!r}")
            return
    matrix = ties.matrix
    check.same(f"{name}: matrix entries", int(matrix.nnz), 2 * len(truth))
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr)).tolist()
    for r, c, w in zip(rows, matrix.indices.tolist(), matrix.data.tolist(), strict=True):
        key = (r, c) if r < c else (c, r)
        if key not in truth or not _close(w, truth[key]):
            check.problems.append(f"{name}: matrix entry ({r}, {c}) = {w!r} is not a tie")
            return


def _check_isolation(check: _Checker, truth: _Truth, result: Isolation) -> None:
    neighbours: list[set[int]] = [set() for _ in range(truth.people)]
    for u, v in truth.recent_pairs:
        neighbours[u].add(v)
        neighbours[v].add(u)
    counts = [len(n) for n in neighbours]
    isolated = [c <= result.max_connections for c in counts]
    check.array("isolation.recent_connections", result.recent_connections.tolist(), counts)
    check.array("isolation.isolated", result.isolated.tolist(), isolated)
    check.same("isolation.count", result.count, sum(isolated))
    check.close("isolation.share", result.share, sum(isolated) / truth.people)


def _check_team_ties(check: _Checker, truth: _Truth, result: TeamTies) -> None:
    teams, team = truth.teams, truth.team
    size = [0] * teams
    for t in team:
        size[t] += 1
    internal, external = [0] * teams, [0] * teams
    w_in, w_out = [0.0] * teams, [0.0] * teams
    for (u, v), w in truth.ties(result.recent).items():
        a, b = team[u], team[v]
        if a == b:
            internal[a] += 1
            w_in[a] += w
        else:
            for c in (a, b):
                external[c] += 1
                w_out[c] += w
    check.array("teams.size", result.size.tolist(), size)
    check.array("teams.internal_ties", result.internal_ties.tolist(), internal)
    check.array("teams.external_ties", result.external_ties.tolist(), external)
    check.array(
        "teams.cross_team_ratio",
        result.cross_team_ratio.tolist(),
        [_ratio(e, e + i) for e, i in zip(external, internal, strict=True)],
    )
    check.array(
        "teams.ei_index",
        result.ei_index.tolist(),
        [_ratio(e - i, e + i) for e, i in zip(external, internal, strict=True)],
    )
    check.array("teams.internal_weight", result.internal_weight.tolist(), w_in)
    check.array("teams.external_weight", result.external_weight.tolist(), w_out)
    check.array(
        "teams.weighted_ei_index",
        result.weighted_ei_index.tolist(),
        [_ratio(e - i, e + i) for e, i in zip(w_out, w_in, strict=True)],
    )
    total_in, total_out = sum(internal), sum(external) // 2
    check.same("teams.internal", result.internal, total_in)
    check.same("teams.external", result.external, total_out)
    check.close(
        "teams.ei_index_overall",
        result.ei_index_overall,
        _ratio(total_out - total_in, total_out + total_in),
    )
    check.close(
        "teams.cross_team_ratio_overall",
        result.cross_team_ratio_overall,
        _ratio(total_out, total_out + total_in),
    )
    for name, values in (("ei_index", result.ei_index), ("weighted", result.weighted_ei_index)):
        finite = values[~np.isnan(values)]
        if finite.size and (finite.min() < -1 - 1e-12 or finite.max() > 1 + 1e-12):
            check.problems.append(f"teams.{name}: outside [-1, 1]")


def _check_modularity(check: _Checker, truth: _Truth, result: Modularity) -> None:
    teams, team = truth.teams, truth.team
    inside = [0.0] * teams
    degree = [0.0] * teams
    m = 0.0
    for (u, v), weight in truth.ties(result.recent).items():
        w = weight if result.weighted else 1.0
        m += w
        degree[team[u]] += w
        degree[team[v]] += w
        if team[u] == team[v]:
            inside[team[u]] += w
    check.close("modularity.total_weight", result.total_weight, m)
    if m == 0:
        check.close("modularity.q", result.q, math.nan)
        return
    terms = [inside[c] / m - (degree[c] / (2 * m)) ** 2 for c in range(teams)]
    check.array("modularity.per_team", result.per_team.tolist(), terms)
    check.close("modularity.q", result.q, math.fsum(terms))
    if not result.q <= 1 + 1e-12 or not result.q >= -0.5 - 1e-12:
        check.problems.append(f"modularity.q: {result.q} outside [-1/2, 1]")


def _check_reciprocity(check: _Checker, truth: _Truth, result: Reciprocity) -> None:
    sent = truth.recent_sent if result.recent else truth.sent
    mutual = {(s, t) for s, t in sent if (t, s) in sent}
    check.same("reciprocity.ordered_pairs", result.ordered_pairs, len(sent))
    check.same("reciprocity.reciprocated_pairs", result.reciprocated_pairs, len(mutual))
    check.close("reciprocity.ratio", result.ratio, _ratio(len(mutual), len(sent)))
    by_team, mutual_by_team = [0] * truth.teams, [0] * truth.teams
    for s, _ in sent:
        by_team[truth.team[s]] += 1
    for s, _ in mutual:
        mutual_by_team[truth.team[s]] += 1
    check.array("reciprocity.team_ordered_pairs", result.team_ordered_pairs.tolist(), by_team)
    check.array(
        "reciprocity.team_reciprocated_pairs",
        result.team_reciprocated_pairs.tolist(),
        mutual_by_team,
    )
    check.array(
        "reciprocity.team_ratio",
        result.team_ratio.tolist(),
        [_ratio(r, s) for r, s in zip(mutual_by_team, by_team, strict=True)],
    )


def _check_bridging(check: _Checker, truth: _Truth, result: Bridging) -> None:
    teams, team = truth.teams, truth.team
    touched: list[set[int]] = [set() for _ in range(teams)]
    links: dict[tuple[int, int], int] = defaultdict(int)
    weight = [0.0] * teams
    for (u, v), w in truth.ties(result.recent).items():
        a, b = team[u], team[v]
        if a != b:
            touched[a].add(b)
            touched[b].add(a)
            links[(a, b)] += 1
            links[(b, a)] += 1
            weight[a] += w
            weight[b] += w
    other = [len(t) for t in touched]
    check.array("bridging.other_teams", result.other_teams.tolist(), other)
    check.array("bridging.external_weight", result.external_weight.tolist(), weight)
    got_links = result.links.tocoo()
    as_dict = {
        (int(a), int(b)): int(c)
        for a, b, c in zip(got_links.row, got_links.col, got_links.data, strict=True)
        if c
    }
    check.same("bridging.links", as_dict, dict(links))
    # The order is checked against the result's own weights (themselves checked above), so
    # that float rounding between two equal weights cannot flip a tie-break.
    got_weight = result.external_weight.tolist()
    expected = sorted(range(teams), key=lambda c: (-other[c], -got_weight[c], c))
    check.array("bridging.ranking", result.ranking.tolist(), expected)


def _check_connections(check: _Checker, truth: _Truth, result: PersonConnections) -> None:
    person = result.person
    weights: dict[int, float] = {}
    for (u, v), w in truth.pairs.items():
        if u == person:
            weights[v] = w
        elif v == person:
            weights[u] = w
    recent = {v if u == person else u for u, v in truth.recent_pairs if person in (u, v)}
    got = result.neighbours.tolist()
    check.same(f"connections_of({person}): neighbours", sorted(got), sorted(weights))
    check.array(
        f"connections_of({person}).weights",
        result.weights.tolist(),
        [weights.get(n, math.nan) for n in got],
    )
    check.array(
        f"connections_of({person}).recent", result.recent.tolist(), [n in recent for n in got]
    )
    check.array(
        f"connections_of({person}).teams", result.teams.tolist(), [truth.team[n] for n in got]
    )
    ordered = result.weights.tolist()
    if any(a < b for a, b in pairwise(ordered)):
        check.problems.append(f"connections_of({person}): not strongest first")


def verify(
    network: Network,
    measures: NetworkMeasures | None = None,
    *,
    connections: Sequence[PersonConnections] = (),
) -> Report:
    """Recompute the network and its measures with plain Python and list every mismatch.

    Parameters
    ----------
    network : Network
        From :func:`~connectwell.network.model.build_network`; its compiled ties are checked
        against its input arrays.
    measures : NetworkMeasures, optional
        From :func:`~connectwell.network.measures.measure` (or assembled from the single
        measures); each is checked, including ``recent`` and ``weighted`` variants.
    connections : sequence of PersonConnections
        Results of :func:`~connectwell.network.measures.connections_of` to check.

    Returns
    -------
    Report
        ``report.ok`` when everything matches; ``report.raise_if_invalid()`` raises
        :class:`InvalidMeasuresError` otherwise.

    Complexity
    ----------
    ``O(n + E + T log T)`` with Python objects: a checker for tests and benchmarks, not for
    production runs.
    """
    check = _Checker()
    truth = _Truth(network)
    checked = ["network"]
    if truth.max_weight_error > 1e-12:
        check.problems.append(f"network.weight: off by up to {truth.max_weight_error}")
    _check_ties(check, "network.ties", network.ties, truth.pairs)
    _check_ties(check, "network.recent", network.recent, truth.recent_pairs)
    if measures is not None:
        _check_isolation(check, truth, measures.isolation)
        _check_team_ties(check, truth, measures.teams)
        _check_modularity(check, truth, measures.modularity)
        _check_reciprocity(check, truth, measures.reciprocity)
        _check_bridging(check, truth, measures.bridging)
        checked += ["isolation", "teams", "modularity", "reciprocity", "bridging"]
    for result in connections:
        _check_connections(check, truth, result)
    if connections:
        checked.append("connections")
    return Report(
        people=network.people,
        edges=network.edges,
        ties=len(truth.pairs),
        recent_ties=len(truth.recent_pairs),
        checked=tuple(checked),
        problems=tuple(check.problems),
    )
