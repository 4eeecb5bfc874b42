"""Measures of teams in the connection network: ties inside and across teams (E-I index),
modularity of the team partition (silo-ness) and the teams that bridge the most others.

Like :mod:`connectwell.network.measures` (which re-exports them), every function takes a
:class:`~connectwell.network.model.Network` and returns a frozen dataclass of numpy arrays and
scalars with one entry per team ``0 .. network.teams - 1``; a ratio with nothing to divide is
``nan``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from connectwell.network.model import (
    FloatArray,
    IntArray,
    Network,
    ratio,
    scalar_ratio,
    sum_by,
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

    Examples
    --------
    People 0 and 1 in team 0, people 2 and 3 in team 1; one tie inside team 0, one across.

    >>> from connectwell.network import build_network
    >>> network = build_network(
    ...     [0, 0, 1, 1], [0, 1], [1, 2], ["pairing_met", "shoutout"], age_days=[10, 200]
    ... )
    >>> found = team_ties(network)
    >>> found.internal_ties.tolist(), found.external_ties.tolist()
    ([1, 0], [1, 1])
    >>> found.ei_index.tolist(), found.cross_team_ratio_overall
    ([0.0, 1.0], 0.5)
    """
    ties = network.ties_of(recent=recent)
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
        cross_team_ratio=ratio(external, external + internal),
        ei_index=ratio(external - internal, external + internal),
        internal_weight=internal_weight,
        external_weight=external_weight,
        weighted_ei_index=ratio(
            external_weight - internal_weight, external_weight + internal_weight
        ),
        internal=total_internal,
        external=total_external,
        ei_index_overall=scalar_ratio(total_external - total_internal, everything),
        cross_team_ratio_overall=scalar_ratio(total_external, everything),
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
    ties = network.ties_of(recent=recent)
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
    ties = network.ties_of(recent=recent)
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
