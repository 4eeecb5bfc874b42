"""Measures of the connection network: vectorised over ties, never a Python loop over edges.

Every function takes a :class:`~connectwell.network.model.Network` from
:func:`~connectwell.network.model.build_network` and returns a frozen dataclass of numpy arrays
and scalars. Team-level arrays have one entry per team ``0 .. network.teams - 1``; a ratio with
nothing to divide is ``nan``. :func:`~connectwell.network.verify.verify` recomputes all of them
with plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from connectwell.network.model import (
    SHOUTOUT,
    BoolArray,
    FloatArray,
    IntArray,
    Network,
    NetworkInputError,
    Ties,
    sum_by,
)


def _ratio(numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> FloatArray:
    """``numerator / denominator`` elementwise, ``nan`` where the denominator is 0."""
    top = np.asarray(numerator, dtype=np.float64)
    bottom = np.asarray(denominator, dtype=np.float64)
    out = np.full(np.broadcast(top, bottom).shape, np.nan)
    np.divide(top, bottom, out=out, where=bottom != 0)
    return out


def _scalar_ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator else float("nan")


def _chosen(network: Network, recent: bool) -> Ties:
    return network.recent if recent else network.ties


# --- isolation -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Isolation:
    """Who had at most ``max_connections`` distinct connections in the recent window.

    Attributes
    ----------
    recent_connections : ndarray of int64, shape (people,)
        Distinct people each person interacted with in the last ``window_days`` days.
    isolated : ndarray of bool, shape (people,)
        ``recent_connections <= max_connections``.
    count : int
        The number of isolated people.
    share : float
        ``count / people``.
    max_connections, window_days
        The thresholds used.
    """

    recent_connections: IntArray
    isolated: BoolArray
    count: int
    share: float
    max_connections: int
    window_days: float


def recent_connection_counts(network: Network) -> IntArray:
    """Distinct people each person interacted with in the last ``network.window_days`` days.

    Any kind of interaction counts, in either direction; repeated interactions with the same
    person count once. This is what the pairing library takes as
    ``Participant.recent_connections`` (people with few get their best candidates first).

    Parameters
    ----------
    network : Network

    Returns
    -------
    ndarray of int64, shape (people,)

    Complexity
    ----------
    ``O(n)``: the row lengths of the recent-ties CSR matrix.
    """
    return network.recent.degree()


def isolation(network: Network, *, max_connections: int = 1) -> Isolation:
    """People with at most ``max_connections`` distinct connections in the recent window.

    Parameters
    ----------
    network : Network
    max_connections : int
        Default 1: nobody, or only one person, in the last ``network.window_days`` days.

    Returns
    -------
    Isolation

    Complexity
    ----------
    ``O(n)`` for ``n`` people.
    """
    if max_connections < 0:
        raise NetworkInputError("max_connections", None, "must be 0 or more")
    counts = recent_connection_counts(network)
    isolated = counts <= max_connections
    count = int(isolated.sum())
    return Isolation(
        recent_connections=counts,
        isolated=isolated,
        count=count,
        share=count / network.people,
        max_connections=int(max_connections),
        window_days=network.window_days,
    )


# --- teams: internal and external ties, E-I index --------------------------------------------


@dataclass(frozen=True, eq=False)
class TeamTies:
    """Ties inside and across teams, per team and for the whole organisation.

    A tie is a distinct pair of people who interacted (see :class:`Ties`). For team ``c``,
    ``I`` counts ties with both people in ``c`` (once each) and ``E`` ties with exactly one.

    Attributes
    ----------
    size : ndarray of int64, shape (teams,)
        Members of each team.
    internal_ties, external_ties : ndarray of int64, shape (teams,)
        ``I`` and ``E``.
    cross_team_ratio : ndarray of float64, shape (teams,)
        ``E / (E + I)``, ``nan`` for a team without ties.
    ei_index : ndarray of float64, shape (teams,)
        Krackhardt and Stern's E-I index ``(E - I) / (E + I)`` in ``[-1, 1]``: -1 all ties
        inside the team, +1 all across; ``nan`` for a team without ties.
    internal_weight, external_weight : ndarray of float64, shape (teams,)
        The same with each tie counted by its recency weight.
    weighted_ei_index : ndarray of float64, shape (teams,)
        The E-I index of the weights.
    internal, external : int
        Ties inside one team and across two teams, in the whole organisation.
    ei_index_overall, cross_team_ratio_overall : float
        The E-I index and cross-team ratio of the whole organisation.
    recent : bool
        Whether only ties of the recent window were counted.
    """

    size: IntArray
    internal_ties: IntArray
    external_ties: IntArray
    cross_team_ratio: FloatArray
    ei_index: FloatArray
    internal_weight: FloatArray
    external_weight: FloatArray
    weighted_ei_index: FloatArray
    internal: int
    external: int
    ei_index_overall: float
    cross_team_ratio_overall: float
    recent: bool


def team_ties(network: Network, *, recent: bool = False) -> TeamTies:
    """Each team's internal and external ties, cross-team tie ratio and E-I index.

    Parameters
    ----------
    network : Network
    recent : bool
        Count only ties with an interaction in the recent window (default: every tie).

    Returns
    -------
    TeamTies

    Complexity
    ----------
    ``O(n + L)`` for ``n`` people and ``L`` distinct ties (``numpy.bincount``).

    References
    ----------
    .. [1] D. Krackhardt and R. N. Stern, "Informal networks and organizational crises: an
       experimental simulation", *Social Psychology Quarterly* 51(2):123-140, 1988.
    """
    ties = _chosen(network, recent)
    teams, team = network.teams, network.team
    tu, tv = team[ties.u], team[ties.v]
    inside = tu == tv
    across = ~inside
    size = np.bincount(team, minlength=teams).astype(np.int64)
    internal = np.bincount(tu[inside], minlength=teams).astype(np.int64)
    external = (
        np.bincount(tu[across], minlength=teams) + np.bincount(tv[across], minlength=teams)
    ).astype(np.int64)
    w_in, w_across = ties.weight[inside], ties.weight[across]
    internal_weight = sum_by(tu[inside], w_in, teams)
    external_weight = sum_by(tu[across], w_across, teams) + sum_by(tv[across], w_across, teams)
    total_internal, total_external = int(inside.sum()), int(across.sum())
    everything = total_internal + total_external
    return TeamTies(
        size=size,
        internal_ties=internal,
        external_ties=external,
        cross_team_ratio=_ratio(external, external + internal),
        ei_index=_ratio(external - internal, external + internal),
        internal_weight=internal_weight,
        external_weight=external_weight,
        weighted_ei_index=_ratio(
            external_weight - internal_weight, external_weight + internal_weight
        ),
        internal=total_internal,
        external=total_external,
        ei_index_overall=_scalar_ratio(total_external - total_internal, everything),
        cross_team_ratio_overall=_scalar_ratio(total_external, everything),
        recent=recent,
    )


# --- modularity -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Modularity:
    """Newman's modularity of the team partition: how siloed the organisation is.

    Attributes
    ----------
    q : float
        ``sum_c [L_c / m - (d_c / 2m) ** 2]`` in ``[-1/2, 1]``; ``nan`` without ties.
    per_team : ndarray of float64, shape (teams,)
        Each team's term ``L_c / m - (d_c / 2m) ** 2`` (they sum to ``q``).
    total_weight : float
        ``m``, the summed weight of all ties.
    weighted, recent : bool
        Whether ties were weighted by recency (else each counts 1) and whether only recent
        ties were used.
    """

    q: float
    per_team: FloatArray
    total_weight: float
    weighted: bool
    recent: bool


def team_modularity(network: Network, *, weighted: bool = True, recent: bool = False) -> Modularity:
    """Modularity of the team partition of the undirected, weighted tie graph.

    ``Q = sum over teams c of [L_c / m - (d_c / (2 m)) ** 2]``, where ``m`` is the total
    weight of all ties, ``L_c`` the weight of the ties inside team ``c`` and ``d_c`` the summed
    weighted degree (strength) of its members. High ``Q`` (towards 1) means people connect
    mostly inside their own team; 0 is what random mixing would give.

    Parameters
    ----------
    network : Network
    weighted : bool
        Weight each tie by its summed recency weight (default), or count each tie as 1.
    recent : bool
        Use only ties with an interaction in the recent window (default: every tie).

    Returns
    -------
    Modularity

    Complexity
    ----------
    ``O(n + L)`` for ``n`` people and ``L`` distinct ties.

    References
    ----------
    .. [1] M. E. J. Newman, "Analysis of weighted networks", *Physical Review E* 70, 056131,
       2004.
    .. [2] M. E. J. Newman, "Networks: An Introduction", Oxford University Press, 2010, §7.7.
    """
    ties = _chosen(network, recent)
    teams, team = network.teams, network.team
    weight = ties.weight if weighted else np.ones(ties.count, dtype=np.float64)
    m = float(weight.sum())
    tu, tv = team[ties.u], team[ties.v]
    inside = tu == tv
    internal = sum_by(tu[inside], weight[inside], teams)
    strength = sum_by(ties.u, weight, network.people) + sum_by(ties.v, weight, network.people)
    degree = sum_by(team, strength, teams)
    if m == 0:
        per_team = np.full(teams, np.nan)
        q = float("nan")
    else:
        per_team = internal / m - (degree / (2 * m)) ** 2
        q = float(per_team.sum())
    return Modularity(q=q, per_team=per_team, total_weight=m, weighted=weighted, recent=recent)


# --- reciprocity ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Reciprocity:
    """Reciprocity of appreciation: directed shout-out ties whose reverse also exists.

    Attributes
    ----------
    ordered_pairs : int
        Distinct (sender, recipient) pairs of directed shout-outs.
    reciprocated_pairs : int
        Those whose recipient also sent a shout-out to the sender.
    ratio : float
        ``reciprocated_pairs / ordered_pairs``, ``nan`` without shout-outs.
    team_ordered_pairs, team_reciprocated_pairs : ndarray of int64, shape (teams,)
        The same by the sender's team.
    team_ratio : ndarray of float64, shape (teams,)
        Per team, ``nan`` for a team that sent none.
    recent : bool
        Whether only shout-outs of the recent window were counted.
    """

    ordered_pairs: int
    reciprocated_pairs: int
    ratio: float
    team_ordered_pairs: IntArray
    team_reciprocated_pairs: IntArray
    team_ratio: FloatArray
    recent: bool


def reciprocity(network: Network, *, recent: bool = False) -> Reciprocity:
    """Share of directed shout-out ties whose reverse also exists, over distinct ordered pairs.

    Repeated shout-outs from the same sender to the same recipient count once. Only
    interactions that are shout-outs *and* directed count.

    Parameters
    ----------
    network : Network
    recent : bool
        Use only shout-outs in the recent window (default: all of them).

    Returns
    -------
    Reciprocity

    Complexity
    ----------
    ``O(S log S)`` for ``S`` shout-outs: one COO → CSR conversion and one elementwise product
    of the sparse matrix with its transpose.

    References
    ----------
    .. [1] S. Wasserman and K. Faust, "Social Network Analysis", Cambridge University Press,
       1994, §13.2 (dyads, mutuality).
    .. [2] D. Garlaschelli and M. I. Loffredo, "Patterns of link reciprocity in directed
       networks", *Physical Review Letters* 93, 268701, 2004.
    """
    mask = network.directed & (network.kind == SHOUTOUT)
    if recent:
        mask &= network.age_days <= network.window_days
    people, teams = network.people, network.teams
    sent = sp.csr_array(
        sp.coo_array(
            (
                np.ones(int(mask.sum()), dtype=np.float64),
                (network.source[mask], network.target[mask]),
            ),
            shape=(people, people),
        )
    )
    sent.sum_duplicates()
    sent.data[:] = 1.0
    mutual = sp.csr_array(sent.multiply(sent.T))
    mutual.eliminate_zeros()
    senders = np.repeat(np.arange(people), np.diff(sent.indptr))
    mutual_senders = np.repeat(np.arange(people), np.diff(mutual.indptr))
    team_sent = np.bincount(network.team[senders], minlength=teams).astype(np.int64)
    team_mutual = np.bincount(network.team[mutual_senders], minlength=teams).astype(np.int64)
    return Reciprocity(
        ordered_pairs=int(sent.nnz),
        reciprocated_pairs=int(mutual.nnz),
        ratio=_scalar_ratio(mutual.nnz, sent.nnz),
        team_ordered_pairs=team_sent,
        team_reciprocated_pairs=team_mutual,
        team_ratio=_ratio(team_mutual, team_sent),
        recent=recent,
    )


# --- bridging teams ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Bridging:
    """Teams whose members connect the most distinct other teams.

    Attributes
    ----------
    other_teams : ndarray of int64, shape (teams,)
        Distinct other teams that at least one member has a tie with.
    external_weight : ndarray of float64, shape (teams,)
        The summed weight of the team's ties to other teams.
    ranking : ndarray of int64, shape (teams,)
        Teams from the most bridging: by ``other_teams`` (descending), then
        ``external_weight`` (descending), then team number.
    links : scipy.sparse.csr_array of int64, shape (teams, teams)
        Symmetric, no diagonal: entry ``(a, b)`` counts the distinct ties between a member of
        ``a`` and a member of ``b``. A missing entry is a pair of teams that never meet: the
        distant teams the pairing library can bring together.
    recent : bool
        Whether only ties of the recent window were counted.
    """

    other_teams: IntArray
    external_weight: FloatArray
    ranking: IntArray
    links: sp.csr_array
    recent: bool

    def top(self, count: int) -> IntArray:
        """The ``count`` most bridging teams."""
        return self.ranking[:count]


def bridging_teams(network: Network, *, recent: bool = False) -> Bridging:
    """Per team, the number of distinct other teams its members connect to, and a ranking.

    Parameters
    ----------
    network : Network
    recent : bool
        Use only ties with an interaction in the recent window (default: every tie).

    Returns
    -------
    Bridging

    Complexity
    ----------
    ``O(L log L + T)`` for ``L`` distinct ties and ``T`` teams: one COO → CSR conversion of the
    ties across teams onto a team-by-team matrix, and one sort of the teams.

    References
    ----------
    .. [1] R. S. Burt, "Structural Holes: The Social Structure of Competition", Harvard
       University Press, 1992 (brokerage across groups).
    """
    ties = _chosen(network, recent)
    teams, team = network.teams, network.team
    tu, tv = team[ties.u], team[ties.v]
    across = tu != tv
    a, b, w = tu[across], tv[across], ties.weight[across]
    links = sp.csr_array(
        sp.coo_array(
            (
                np.ones(2 * a.shape[0], dtype=np.int64),
                (np.concatenate([a, b]), np.concatenate([b, a])),
            ),
            shape=(teams, teams),
        )
    )
    links.sum_duplicates()
    other_teams = np.diff(links.indptr).astype(np.int64)
    external_weight = sum_by(a, w, teams) + sum_by(b, w, teams)
    ranking = np.lexsort((np.arange(teams), -external_weight, -other_teams)).astype(np.int64)
    return Bridging(
        other_teams=other_teams,
        external_weight=external_weight,
        ranking=ranking,
        links=links,
        recent=recent,
    )


# --- a person's own view ----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PersonConnections:
    """One person's distinct connections, strongest first (for their own view only).

    Attributes
    ----------
    person : int
    neighbours : ndarray of int64
        The people they interacted with, by weight (descending), then number.
    weights : ndarray of float64
        The summed recency weight of their interactions with each.
    recent : ndarray of bool
        Whether they interacted within the recent window.
    teams : ndarray of int64
        Each neighbour's team.
    """

    person: int
    neighbours: IntArray
    weights: FloatArray
    recent: BoolArray
    teams: IntArray


def connections_of(network: Network, person: int | np.integer[Any]) -> PersonConnections:
    """A person's distinct neighbours with the weight of their ties, strongest first.

    Parameters
    ----------
    network : Network
    person : int
        In ``0 .. network.people - 1``.

    Returns
    -------
    PersonConnections

    Complexity
    ----------
    ``O(k log k)`` for a person with ``k`` neighbours: two CSR row slices and a sort.
    """
    if isinstance(person, bool) or not isinstance(person, int | np.integer):
        raise NetworkInputError("person", None, f"must be an integer, got {person!r}")
    if not 0 <= person < network.people:
        raise NetworkInputError("person", None, f"{person} is not in 0..{network.people - 1}")
    matrix = network.ties.matrix
    start, end = matrix.indptr[person], matrix.indptr[person + 1]
    neighbours = matrix.indices[start:end].astype(np.int64)
    weights = matrix.data[start:end].astype(np.float64)
    recent_matrix = network.recent.matrix
    recent_row = recent_matrix.indices[
        recent_matrix.indptr[person] : recent_matrix.indptr[person + 1]
    ]
    order = np.lexsort((neighbours, -weights))
    neighbours, weights = neighbours[order], weights[order]
    return PersonConnections(
        person=int(person),
        neighbours=neighbours,
        weights=weights,
        recent=np.isin(neighbours, recent_row),
        teams=network.team[neighbours],
    )


# --- everything at once -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class NetworkMeasures:
    """All the measures the worker stores, computed by :func:`measure`."""

    isolation: Isolation
    teams: TeamTies
    modularity: Modularity
    reciprocity: Reciprocity
    bridging: Bridging


def measure(network: Network, *, max_connections: int = 1, recent: bool = False) -> NetworkMeasures:
    """Every measure of the network, with its defaults.

    Parameters
    ----------
    network : Network
    max_connections : int
        Isolation threshold, see :func:`isolation`.
    recent : bool
        Team ties, modularity, reciprocity and bridging of the recent window only (isolation
        always uses the window).

    Returns
    -------
    NetworkMeasures

    Complexity
    ----------
    ``O(n + L log L + S log S)``: the sum of the measures'.
    """
    return NetworkMeasures(
        isolation=isolation(network, max_connections=max_connections),
        teams=team_ties(network, recent=recent),
        modularity=team_modularity(network, recent=recent),
        reciprocity=reciprocity(network, recent=recent),
        bridging=bridging_teams(network, recent=recent),
    )
