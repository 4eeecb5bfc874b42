"""Confidence intervals for a mean and for a share, never of zero width.

- :func:`mean_interval`: Student's t interval around the mean of respondents' scores, with the
  standard deviation taken as at least :data:`MIN_SPREAD`.
- :func:`wilson_interval`: Wilson's score interval for a share (favourable %).

References
----------
.. [1] Student, "The probable error of a mean", Biometrika 6 (1908) 1-25.
.. [2] E. B. Wilson, "Probable inference, the law of succession, and statistical inference",
   Journal of the American Statistical Association 22 (1927) 209-212.
.. [3] A. Agresti, B. A. Coull, "Approximate is better than 'exact' for interval estimation of
   binomial proportions", The American Statistician 52 (1998) 119-126.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import stats as scipy_stats

from connectwell.stats.errors import StatsInputError

#: The default level of confidence intervals.
DEFAULT_CONFIDENCE = 0.95
#: The smallest spread (standard deviation of respondents' scores) an interval assumes. A
#: handful of people who all answered alike does not show that everyone would: an observed
#: spread of zero is a sample's accident, so the interval never has zero width. On a 1..5 scale
#: 0.5 is about half the spread of typical survey answers; the coverage this gives, measured by
#: simulation, is in ``benchmarks/README.md`` (``benchmarks/intervals_coverage.py``).
MIN_SPREAD = 0.5


def check_confidence(confidence: float, field: str = "confidence") -> float:
    """``confidence`` as a float strictly between 0 and 1, or :class:`StatsInputError`."""
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise StatsInputError(field, f"must be a number, got {confidence!r}")
    if not 0 < confidence < 1:
        raise StatsInputError(field, f"must be between 0 and 1, got {confidence}")
    return float(confidence)


def spread(sd: float) -> float:
    """The standard deviation an interval assumes: ``max(sd, MIN_SPREAD)``."""
    return max(sd, MIN_SPREAD)


def mean_interval(
    scores: npt.ArrayLike, confidence: float = DEFAULT_CONFIDENCE
) -> tuple[float | None, float | None, float | None]:
    """The mean of ``scores`` and its t interval, the spread taken as at least ``MIN_SPREAD``.

    Parameters
    ----------
    scores : array-like of float, 1-D
        Respondents' scores (one per respondent), finite.
    confidence : float, default 0.95
        The level of the interval, strictly between 0 and 1.

    Returns
    -------
    (mean, low, high) : tuple of float or None
        ``(None, None, None)`` without scores; ``(mean, None, None)`` for a single score
        (no spread to judge by). Otherwise ``mean -+ t * max(sd, MIN_SPREAD) / sqrt(n)`` with
        ``t`` Student's quantile for ``n - 1`` degrees of freedom and ``sd`` the sample standard
        deviation (``ddof=1``): never zero width.

    Raises
    ------
    StatsInputError
        ``scores`` not a 1-D array of finite numbers, or a bad ``confidence``.

    Complexity
    ----------
    O(n).

    References
    ----------
    .. [1] Student, "The probable error of a mean", Biometrika 6 (1908) 1-25.

    Examples
    --------
    >>> mean, low, high = mean_interval([4, 4, 4, 4, 4])
    >>> mean, round(low, 3), round(high, 3)
    (4.0, 3.379, 4.621)
    """
    confidence = check_confidence(confidence)
    try:
        values = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise StatsInputError("scores", f"must be numbers ({error})") from None
    if values.ndim != 1:
        raise StatsInputError("scores", f"must be 1-D, got {values.ndim} dimension(s)")
    if not np.isfinite(values).all():
        k = int(np.flatnonzero(~np.isfinite(values))[0])
        raise StatsInputError(f"scores[{k}]", f"must be a finite number, got {values[k]!r}")
    return interval_of_scores(values, confidence)


def interval_of_scores(
    scores: npt.NDArray[np.float64], confidence: float
) -> tuple[float | None, float | None, float | None]:
    """:func:`mean_interval` without the input checks (``scores`` finite, 1-D)."""
    n = len(scores)
    if n == 0:
        return None, None, None
    mean = float(scores.mean())
    if n == 1:
        return mean, None, None
    half = t_quantile(confidence, n - 1) * spread(float(scores.std(ddof=1))) / math.sqrt(n)
    return mean, mean - half, mean + half


def t_quantile(confidence: float, df: float) -> float:
    """The two-sided quantile of Student's t: ``t`` with ``P(|T| <= t) = confidence``."""
    return float(scipy_stats.t.ppf((1 + confidence) / 2, df))


def z_quantile(confidence: float) -> float:
    """The two-sided normal quantile: 1.959964 for 0.95."""
    return float(scipy_stats.norm.ppf((1 + confidence) / 2))


def wilson_interval(
    successes: float, trials: float, confidence: float = DEFAULT_CONFIDENCE
) -> tuple[float, float]:
    """Wilson's score interval for a share, as fractions 0..1; never zero width.

    Parameters
    ----------
    successes : float
        How many of the trials were successes (favourable), ``0 <= successes <= trials``.
    trials : float
        The sample size, positive; it may be an effective sample size (a whole number is not
        required).
    confidence : float, default 0.95
        The level of the interval.

    Returns
    -------
    (low, high) : tuple of float
        ``centre -+ half``, clipped to 0..1, with ``p = successes / trials``,
        ``centre = (p + z^2 / 2n) / (1 + z^2 / n)`` and
        ``half = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)``: ``half > 0`` for any
        finite ``n``, and at ``p = 0`` or ``1`` the interval still reaches into the share.

    Raises
    ------
    StatsInputError
        ``trials`` not positive, ``successes`` outside ``0..trials``, or a bad ``confidence``.

    Complexity
    ----------
    O(1).

    References
    ----------
    .. [1] E. B. Wilson, "Probable inference, the law of succession, and statistical
       inference", JASA 22 (1927) 209-212.
    .. [2] A. Agresti, B. A. Coull, "Approximate is better than 'exact' for interval
       estimation of binomial proportions", The American Statistician 52 (1998) 119-126.

    Examples
    --------
    >>> [round(x, 3) for x in wilson_interval(5, 5)]
    [0.566, 1.0]
    >>> [round(x, 4) for x in wilson_interval(0, 10)]
    [0.0, 0.2775]
    """
    confidence = check_confidence(confidence)
    for field, value in (("trials", trials), ("successes", successes)):
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise StatsInputError(field, f"must be a number, got {value!r}")
        if not math.isfinite(value):
            raise StatsInputError(field, f"must be finite, got {value!r}")
    if trials <= 0:
        raise StatsInputError("trials", f"must be positive, got {trials}")
    if not 0 <= successes <= trials:
        raise StatsInputError(
            "successes", f"must be between 0 and trials ({trials}), got {successes}"
        )
    z = z_quantile(confidence)
    share = successes / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (
        z
        / (1 + z * z / trials)
        * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    )
    return max(0.0, centre - half), min(1.0, centre + half)
