"""Measures of the connection network: vectorised over ties, never a Python loop over edges.

Every function takes a :class:`~connectwell.network.model.Network` from
:func:`~connectwell.network.model.build_network` and returns a frozen dataclass of numpy arrays
and scalars. Team-level arrays have one entry per team ``0 .. network.teams - 1``; a ratio with
nothing to divide is ``nan``. :func:`~connectwell.network.verify.verify` recomputes all of them
with plain Python.

The measures of teams (ties across teams, modularity, bridging) live in
:mod:`connectwell.network.teams` and are re-exported here; this module has the measures of
people (isolation, reciprocity, a person's own view) and :func:`measure`, all of them at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from connectwell.network.model import (
    SHOUTOUT,
    BoolArray,
    FloatArray,
    IntArray,
    Network,
    NetworkInputError,
    ratio,
    scalar_ratio,
)
from connectwell.network.teams import (
    Bridging,
    Modularity,
    TeamTies,
    bridging_teams,
    team_modularity,
    team_ties,
)

__all__ = [
    "Bridging",
    "Isolation",
    "Modularity",
    "NetworkMeasures",
    "PersonConnections",
    "Reciprocity",
    "TeamTies",
    "bridging_teams",
    "connections_of",
    "isolation",
    "measure",
    "recent_connection_counts",
    "reciprocity",
    "team_modularity",
    "team_ties",
]


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

    Examples
    --------
    Four people in two teams: 0 and 1 met 10 days ago, 1 thanked 2 in a shout-out 200 days
    ago (outside the 90-day window), 3 connected with nobody.

    >>> from connectwell.network import build_network
    >>> network = build_network(
    ...     [0, 0, 1, 1], [0, 1], [1, 2], ["pairing_met", "shoutout"], age_days=[10, 200]
    ... )
    >>> recent_connection_counts(network).tolist()
    [1, 1, 0, 0]
    >>> found = isolation(network, max_connections=0)
    >>> found.isolated.tolist(), found.count, found.share
    ([False, False, True, True], 2, 0.5)
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
        ratio=scalar_ratio(mutual.nnz, sent.nnz),
        team_ordered_pairs=team_sent,
        team_reciprocated_pairs=team_mutual,
        team_ratio=ratio(team_mutual, team_sent),
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
