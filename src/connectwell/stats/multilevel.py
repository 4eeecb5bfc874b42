"""Team comparisons that say how much of a difference is noise: ICC(1), ICC(2) and shrunken
team means.

The data are *person scores*: each person's construct score (their answers to the construct's
items averaged, after reverse-coding), one per person, with the team the person belongs to.
Answers sit within people within teams; averaging the items within a person absorbs the item
level into the person score, so the models here have two levels: people (level 1) within teams
(level 2). Teams of one person count as teams.

- :func:`team_agreement`: ICC(1), the share of the variance of person scores that lies between
  teams, and ICC(2), the reliability of a team's mean (Bliese 2000), from a one-way ANOVA.
- :func:`shrunken_team_means`: each team's mean shrunk toward the overall mean by a
  random-intercept model (statsmodels' ``MixedLM``, REML): a small team's mean moves further
  than a large team's, by exactly as much as its size leaves it uncertain.
- :func:`verify_shrinkage`: the checks any shrunken means must pass.

References
----------
.. [1] P. D. Bliese, "Within-group agreement, non-independence, and reliability: implications
   for data aggregation and analysis", in K. J. Klein, S. W. J. Kozlowski (eds.), *Multilevel
   theory, research, and methods in organizations*, Jossey-Bass 2000, 349-381.
.. [2] S. W. Raudenbush, A. S. Bryk, *Hierarchical linear models*, 2nd ed., Sage 2002,
   ch. 3-4 (empirical Bayes estimates and their variance).
.. [3] K. O. McGraw, S. P. Wong, "Forming inferences about some intraclass correlation
   coefficients", Psychological Methods 1 (1996) 30-46.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Generic, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from connectwell.stats.errors import StatsInputError
from connectwell.stats.intervals import DEFAULT_CONFIDENCE, check_confidence, z_quantile

Team = TypeVar("Team", bound=Hashable)
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class TeamAgreement:
    """ICC(1) and ICC(2) of person scores grouped by team (see :func:`team_agreement`).

    ``icc1`` and ``icc2`` are ``None`` when undefined, with ``reason`` saying why; ``groups``
    is the number of teams, ``mean_group_size`` the adjusted mean team size ``k`` used for
    unequal teams, ``n`` the number of people.
    """

    icc1: float | None
    icc2: float | None
    groups: int
    mean_group_size: float | None
    n: int
    reason: str | None = None


@dataclass(frozen=True)
class TeamMean:
    """One team's figures: its ``n`` people, its ``raw_mean``, the shrunken ``mean`` with its
    interval ``ci_low`` .. ``ci_high``, and ``shrinkage``, the weight ``lambda`` of the team's
    own mean (1: kept as it is; 0: replaced by the overall mean)."""

    n: int
    raw_mean: float
    mean: float
    ci_low: float
    ci_high: float
    shrinkage: float


@dataclass(frozen=True)
class ShrunkenMeans(Generic[Team]):
    """The result of :func:`shrunken_team_means`.

    ``teams`` maps each team to its :class:`TeamMean` (empty when nothing could be estimated:
    see ``reason``). ``grand_mean`` is the model's overall mean (the precision-weighted mean of
    the team means), ``tau2`` the variance between teams and ``sigma2`` within them.
    ``method`` is ``"mixedlm"`` (REML fit of the random-intercept model) or ``"anova"`` (the
    model did not converge: variances from the one-way ANOVA instead), ``None`` when nothing
    was estimated. ``reason`` explains a fallback, a team variance of 0 (then every team's
    shrunken mean is the grand mean: team differences are not distinguishable from noise) or
    why there are no means.
    """

    grand_mean: float | None
    tau2: float | None
    sigma2: float | None
    method: Literal["mixedlm", "anova"] | None
    reason: str | None
    confidence: float
    teams: dict[Team, TeamMean] = field(default_factory=dict)


@dataclass(frozen=True)
class _Anova:
    n: int
    groups: int
    sizes: FloatArray
    means: FloatArray
    msb: float | None
    msw: float | None
    k: float | None


def _person_scores(
    scores: Sequence[float] | npt.ArrayLike, teams: Sequence[Team]
) -> tuple[FloatArray, list[Team], npt.NDArray[np.intp]]:
    try:
        values = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise StatsInputError("scores", f"must be numbers ({error})") from None
    if values.ndim != 1:
        raise StatsInputError("scores", f"must be 1-D, got {values.ndim} dimension(s)")
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        k = int(bad[0])
        raise StatsInputError(f"scores[{k}]", f"must be a finite number, got {values[k]!r}")
    labels = list(teams)
    if len(labels) != len(values):
        raise StatsInputError(
            "teams", f"has {len(labels)} team(s) for {len(values)} score(s): one per score"
        )
    index: dict[Team, int] = {}
    codes = np.empty(len(labels), dtype=np.intp)
    for k, label in enumerate(labels):
        try:
            codes[k] = index.setdefault(label, len(index))
        except TypeError:
            raise StatsInputError(f"teams[{k}]", f"must be hashable, got {label!r}") from None
    return values, list(index), codes


def _anova(values: FloatArray, codes: npt.NDArray[np.intp], groups: int) -> _Anova:
    n = len(values)
    sizes = np.bincount(codes, minlength=groups).astype(np.float64)
    sums = np.bincount(codes, weights=values, minlength=groups)
    means = np.divide(sums, sizes, out=np.zeros(groups), where=sizes > 0)
    if groups < 2 or n - groups < 1:
        return _Anova(n, groups, sizes, means, None, None, None)
    grand = float(values.mean())
    ssb = float((sizes * (means - grand) ** 2).sum())
    ssw = float(((values - means[codes]) ** 2).sum())
    k = (n - float((sizes**2).sum()) / n) / (groups - 1)
    return _Anova(n, groups, sizes, means, ssb / (groups - 1), ssw / (n - groups), k)


def team_agreement(
    scores: Sequence[float] | npt.ArrayLike, teams: Sequence[Hashable]
) -> TeamAgreement:
    """ICC(1) and ICC(2) of person scores by team, from a one-way ANOVA (Bliese 2000).

    With ``MSB`` and ``MSW`` the mean squares between and within teams and ``k`` the adjusted
    mean team size ``(N - sum(n_j^2) / N) / (J - 1)`` (equal to the team size when all teams
    are equal):

    - ``ICC(1) = (MSB - MSW) / (MSB + (k - 1) MSW)``: the share of the variance of person
      scores that lies between teams (may be negative: then teams differ less than chance);
    - ``ICC(2) = (MSB - MSW) / MSB``: the reliability of the team means, how far teams can be
      told apart by their means. Below about 0.7, team differences are mostly noise.

    Parameters
    ----------
    scores : array-like of float, 1-D
        One construct score per person (items averaged within the person), finite.
    teams : sequence of hashable
        Each person's team, one per score.

    Returns
    -------
    TeamAgreement
        ``icc1`` and ``icc2`` are ``None`` with a ``reason`` for fewer than 2 teams, no
        within-team degrees of freedom (every team of one person) or no variance within
        teams; ``icc2`` alone is ``None`` when there is no variance between teams either.

    Raises
    ------
    StatsInputError
        Scores not finite numbers, or not one team per score, naming the field.

    Complexity
    ----------
    O(N) for N people.

    References
    ----------
    .. [1] P. D. Bliese, "Within-group agreement, non-independence, and reliability", in
       *Multilevel theory, research, and methods in organizations*, Jossey-Bass 2000, 349-381.
    .. [2] K. O. McGraw, S. P. Wong, Psychological Methods 1 (1996) 30-46.

    Examples
    --------
    >>> agreement = team_agreement([1, 2, 3, 3, 4, 5], ["a", "a", "a", "b", "b", "b"])
    >>> round(agreement.icc1, 3), round(agreement.icc2, 3), agreement.mean_group_size
    (0.625, 0.833, 3.0)
    """
    values, labels, codes = _person_scores(scores, teams)
    anova = _anova(values, codes, len(labels))
    groups, n = anova.groups, anova.n
    if anova.msb is None or anova.msw is None or anova.k is None:
        reason = (
            f"{groups} team(s): at least 2 are needed"
            if groups < 2
            else "every team has one person: no variance within teams to compare with"
        )
        return TeamAgreement(None, None, groups, None, n, reason)
    if anova.msw == 0:
        return TeamAgreement(
            None, None, groups, anova.k, n, "no variance within teams: everyone in a team agrees"
        )
    icc1 = (anova.msb - anova.msw) / (anova.msb + (anova.k - 1) * anova.msw)
    if anova.msb == 0:
        return TeamAgreement(icc1, None, groups, anova.k, n, "no variance between teams")
    return TeamAgreement(icc1, (anova.msb - anova.msw) / anova.msb, groups, anova.k, n)


def _fit_mixedlm(values: FloatArray, codes: npt.NDArray[np.intp]) -> tuple[float, float] | None:
    """REML estimates ``(tau2, sigma2)`` of the random-intercept model, or ``None`` when the
    fit fails or does not converge.

    Powell's derivative-free search first, then Nelder-Mead: statsmodels' default gradient
    searches (BFGS, L-BFGS) stopped at a team variance of 0, or failed, on data with a clear
    team variance (0.09 of 0.73 at 10,000 people in 200 teams), where both derivative-free
    searches agree. A team variance of 0 at a converged fit (the boundary) is a result, not a
    failure.
    """
    from statsmodels.regression.mixed_linear_model import MixedLM  # slow import: only here

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # boundary and retry notices; convergence is checked
        try:
            model = MixedLM(values, np.ones((len(values), 1)), groups=codes)
            fitted = model.fit(reml=True, method=["powell", "nm"])
        except (ValueError, np.linalg.LinAlgError):
            return None
    if not fitted.converged:
        return None
    tau2, sigma2 = float(np.asarray(fitted.cov_re)[0, 0]), float(fitted.scale)
    if not (math.isfinite(tau2) and math.isfinite(sigma2)) or sigma2 <= 0:
        return None
    return max(tau2, 0.0), sigma2


def shrunken_team_means(
    scores: Sequence[float] | npt.ArrayLike,
    teams: Sequence[Team],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    fit: Literal["reml", "anova"] = "reml",
) -> ShrunkenMeans[Team]:
    """Each team's mean shrunk toward the overall mean by a random-intercept model.

    The model: ``score_ij = mu + u_j + e_ij`` with ``u_j ~ N(0, tau2)`` the team's effect and
    ``e_ij ~ N(0, sigma2)`` the person's, fitted by REML (statsmodels ``MixedLM``). Person
    scores are the people's construct scores (items averaged within a person): answers within
    people within teams, the item level absorbed into the person score. Each team's shrunken
    mean is its empirical Bayes estimate (Raudenbush & Bryk 2002, eq. 3.56-3.62)::

        lambda_j = tau2 / (tau2 + sigma2 / n_j)
        mean_j   = mu_hat + lambda_j * (raw mean_j - mu_hat)
        var_j    = lambda_j * sigma2 / n_j + (1 - lambda_j)^2 * var(mu_hat)

    with ``mu_hat`` the precision-weighted mean of the team means (weights
    ``1 / (tau2 + sigma2 / n_j)``), ``var(mu_hat)`` one over the sum of the weights, and the
    interval ``mean_j -+ z sqrt(var_j)`` (the conditional variance of the team's mean, counting
    the uncertainty of ``mu_hat``).

    Parameters
    ----------
    scores : array-like of float, 1-D
        One construct score per person, finite.
    teams : sequence of hashable
        Each person's team, one per score.
    confidence : float, default 0.95
        The level of the intervals.
    fit : {"reml", "anova"}, default "reml"
        ``"anova"`` skips the mixed model and takes the variances from the one-way ANOVA
        (what the REML fit falls back to); in a balanced design with a positive team variance
        both give the same variances.

    Returns
    -------
    ShrunkenMeans
        ``method="mixedlm"`` normally. If the fit fails or does not converge, the variances come
        from the one-way ANOVA (``MSW``, and ``(MSB - MSW) / k`` floored at 0), with
        ``method="anova"`` and a ``reason``. If the team variance is 0, every team's shrunken
        mean is the grand mean (``reason`` says so: the teams' differences are noise). With
        fewer than 2 teams or no variance within teams, no means and a ``reason``.

    Raises
    ------
    StatsInputError
        Bad scores or teams, or a bad ``confidence``, naming the field.

    Complexity
    ----------
    O(N + J) per iteration of the REML fit for N people in J teams; 10,000 people in 200 teams
    take well under a second (``benchmarks/multilevel_scale.py``).

    References
    ----------
    .. [1] S. W. Raudenbush, A. S. Bryk, *Hierarchical linear models*, 2nd ed., Sage 2002.
    .. [2] S. Seabold, J. Perktold, "Statsmodels: econometric and statistical modeling with
       Python", Proc. 9th Python in Science Conference (2010).
    """
    confidence = check_confidence(confidence)
    if fit not in ("reml", "anova"):
        raise StatsInputError("fit", f'must be "reml" or "anova", got {fit!r}')
    values, labels, codes = _person_scores(scores, teams)
    anova = _anova(values, codes, len(labels))
    if anova.msb is None or anova.msw is None or anova.k is None or anova.msw == 0:
        agreement = team_agreement(values, [labels[c] for c in codes])
        return ShrunkenMeans(None, None, None, None, agreement.reason, confidence)
    fitted = _fit_mixedlm(values, codes) if fit == "reml" else None
    reason: str | None = None
    method: Literal["mixedlm", "anova"] = "mixedlm"
    if fitted is None:
        method = "anova"
        tau2, sigma2 = max(0.0, (anova.msb - anova.msw) / anova.k), anova.msw
        if fit == "reml":
            reason = (
                "the mixed model did not converge: variances from the one-way ANOVA "
                "(method of moments) instead"
            )
    else:
        tau2, sigma2 = fitted
    if tau2 <= 1e-6 * sigma2:  # below the optimiser's precision: lambda < 1e-3 at 1,000 people
        tau2 = 0.0
        reason = (reason + "; " if reason else "") + (
            "no variance between teams beyond chance: every team's shrunken mean is the grand mean"
        )
    error = sigma2 / anova.sizes
    weights = 1.0 / (tau2 + error)
    grand = float((weights * anova.means).sum() / weights.sum())
    var_grand = 1.0 / float(weights.sum())
    lam = tau2 / (tau2 + error)
    shrunk = grand + lam * (anova.means - grand)
    half = z_quantile(confidence) * np.sqrt(lam * error + (1 - lam) ** 2 * var_grand)
    means = {
        label: TeamMean(
            n=int(anova.sizes[j]),
            raw_mean=float(anova.means[j]),
            mean=float(shrunk[j]),
            ci_low=float(shrunk[j] - half[j]),
            ci_high=float(shrunk[j] + half[j]),
            shrinkage=float(lam[j]),
        )
        for j, label in enumerate(labels)
    }
    return ShrunkenMeans(grand, tau2, sigma2, method, reason, confidence, means)


def verify_shrinkage(result: ShrunkenMeans[Team], *, tolerance: float = 1e-9) -> list[str]:
    """Every way ``result`` breaks what shrunken means must satisfy; empty when it holds.

    Checks that each shrunken mean lies between its team's raw mean and the grand mean, that
    its interval contains it, that its shrinkage weight is within 0..1, and that teams of equal
    size keep their order (a shrunken mean is an increasing function of the raw mean for a
    given team size).

    Parameters
    ----------
    result : ShrunkenMeans
    tolerance : float, default 1e-9
        Slack for rounding.

    Returns
    -------
    list of str
        One sentence per problem, naming the team(s).

    Complexity
    ----------
    O(J log J) for J teams.
    """
    problems: list[str] = []
    grand = result.grand_mean
    if grand is None:
        return [] if not result.teams else ["teams have means but there is no grand mean"]
    by_size: dict[int, list[tuple[float, float, Team]]] = {}
    for team, figure in result.teams.items():
        low, high = sorted((figure.raw_mean, grand))
        if not low - tolerance <= figure.mean <= high + tolerance:
            problems.append(
                f"team {team!r}: shrunken mean {figure.mean} is not between its raw mean "
                f"{figure.raw_mean} and the grand mean {grand}"
            )
        if not figure.ci_low - tolerance <= figure.mean <= figure.ci_high + tolerance:
            problems.append(f"team {team!r}: the interval does not contain the shrunken mean")
        if not -tolerance <= figure.shrinkage <= 1 + tolerance:
            problems.append(f"team {team!r}: shrinkage {figure.shrinkage} is outside 0..1")
        by_size.setdefault(figure.n, []).append((figure.raw_mean, figure.mean, team))
    for size, figures in by_size.items():
        figures.sort(key=lambda figure: figure[0])
        for (raw_a, mean_a, team_a), (raw_b, mean_b, team_b) in pairwise(figures):
            if raw_a < raw_b and mean_a > mean_b + tolerance:
                problems.append(
                    f"teams {team_a!r} and {team_b!r} (both of {size}) swapped order when shrunk"
                )
    return problems
