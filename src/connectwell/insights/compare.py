"""How the teams below a scope compare on a construct: shrunken team means, ICC(1), ICC(2).

Computed once, when a pulse round is published, for every shown scope (the organisation or
a team) with at least two child teams the gate shows for the construct. The data are the
construct scores of the respondents in those shown child teams (each child team with the
teams nested under it): answers are averaged within a person (the item level absorbed into
the person score), people sit within teams, and
:func:`connectwell.stats.shrunken_team_means` fits the random-intercept model (statsmodels'
``MixedLM``, REML) while :func:`connectwell.stats.team_agreement` gives ICC(1) and ICC(2)
(Bliese 2000).

Only shown child teams enter the model: respondents in a hidden child team, and those
attached to the scope itself but to none of its children, are left out. The model's figures
then depend only on the shown teams' counts, sums and sums of squares (the sufficient
statistics of the one-way random-effects model), which their own published n, mean and
standard deviation already carry: the comparison shows nothing about a group the gate hid,
and a hidden team's answers cannot move it.

Complexity: O(N) to gather N person scores plus one REML fit per compared scope, O(N + J) per
iteration for J teams.

References
----------
.. [1] P. D. Bliese, "Within-group agreement, non-independence, and reliability", in
   K. J. Klein, S. W. J. Kozlowski (eds.), *Multilevel theory, research, and methods in
   organizations*, Jossey-Bass 2000, 349-381.
.. [2] S. W. Raudenbush, A. S. Bryk, *Hierarchical linear models*, 2nd ed., Sage 2002.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from connectwell.insights.gate import Tree
from connectwell.insights.schemas import ComparedTeam, TeamComparison
from connectwell.stats import shrunken_team_means, team_agreement

#: A scope is compared only with at least this many shown child teams.
MIN_TEAMS = 2


def _team_id(scope: str) -> int | None:
    return None if scope == "org" else int(scope.split(":")[1])


def compare_teams(
    scores: npt.NDArray[np.float64],
    shown: Sequence[tuple[str, npt.NDArray[np.bool_]]],
    tree: Tree,
) -> dict[str, TeamComparison]:
    """The comparison of the shown child teams of every shown scope that has at least two.

    Parameters
    ----------
    scores : ndarray of float, 1-D
        One construct score per respondent (the rows the gate walked), finite.
    shown : sequence of (scope, mask)
        The scopes the gate shows for this construct, as
        :func:`connectwell.insights.gate.gate_tree` returns them: ``"org"`` or
        ``"team:<id>"`` with a boolean mask over ``scores`` (the team's subtree).
    tree : Tree
        The team tree the gate walked.

    Returns
    -------
    dict of scope -> TeamComparison
        Only scopes with at least :data:`MIN_TEAMS` shown child teams.

    Complexity
    ----------
    O(S x N) masks for S shown scopes and N respondents, plus one model fit per comparison.
    """
    masks = dict(shown)
    found: dict[str, TeamComparison] = {}
    for scope in masks:
        kids = [kid for kid in tree.children.get(_team_id(scope), []) if f"team:{kid}" in masks]
        if len(kids) >= MIN_TEAMS:
            found[scope] = team_comparison(
                scores, {kid: masks[f"team:{kid}"] for kid in kids}, tree.names
            )
    return found


def team_comparison(
    scores: npt.NDArray[np.float64],
    teams: Mapping[int, npt.NDArray[np.bool_]],
    names: Mapping[int, str],
) -> TeamComparison:
    """ICC(1), ICC(2) and shrunken means of these teams' people, rounded as shown.

    Parameters
    ----------
    scores : ndarray of float, 1-D
        One construct score per respondent.
    teams : mapping of team id -> boolean mask over ``scores``
        The teams compared, in the order to list them; their masks do not overlap.
    names : mapping of team id -> str

    Returns
    -------
    TeamComparison

    Complexity
    ----------
    O(N x J) for N respondents in J teams, plus the model fit.
    """
    values = np.concatenate([scores[mask] for mask in teams.values()])
    labels = [kid for kid, mask in teams.items() for _ in range(int(mask.sum()))]
    agreement = team_agreement(values, labels)
    model = shrunken_team_means(values, labels)
    rows = []
    for kid, mask in teams.items():
        own = scores[mask]
        shrunk = model.teams.get(kid)
        rows.append(
            ComparedTeam(
                scope=f"team:{kid}",
                name=names[kid],
                n=int(own.size),
                raw_mean=float(own.mean()),
                mean=shrunk.mean if shrunk else None,
                ci_low=shrunk.ci_low if shrunk else None,
                ci_high=shrunk.ci_high if shrunk else None,
            )
        )
    return TeamComparison(
        icc1=agreement.icc1,
        icc2=agreement.icc2,
        icc_reason=agreement.reason,
        groups=agreement.groups,
        n=agreement.n,
        grand_mean=model.grand_mean,
        method=model.method,
        reason=model.reason,
        teams=rows,
    )
