"""Reliability of a construct's items: Cronbach's alpha with Feldt's confidence interval.

Alpha is computed over the respondents who answered every item (listwise complete cases),
after reverse-coding. It is worth showing only from :data:`MIN_ALPHA_CASES` complete cases
(:attr:`Reliability.enough`), and only for groups that passed the anonymity gate: that is the
caller's part.

References
----------
.. [1] L. J. Cronbach, "Coefficient alpha and the internal structure of tests",
   Psychometrika 16 (1951) 297-334.
.. [2] L. S. Feldt, "The approximate sampling distribution of Kuder-Richardson reliability
   coefficient twenty", Psychometrika 30 (1965) 357-370.
.. [3] L. S. Feldt, D. J. Woodruff, F. A. Salih, "Statistical inference for coefficient
   alpha", Applied Psychological Measurement 11 (1987) 93-103.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from connectwell.stats.answers import DEFAULT_SCALE_MAX, Answers, FloatArray, coded_answers
from connectwell.stats.errors import StatsInputError, check_int
from connectwell.stats.intervals import DEFAULT_CONFIDENCE, check_confidence

#: Cronbach's alpha is shown only from this many complete cases up: below it the estimate
#: swings too far to judge a scale by (its interval spans most of 0..1).
MIN_ALPHA_CASES = 30


@dataclass(frozen=True)
class Reliability:
    """Cronbach's alpha of a construct's ``items`` over its ``n`` listwise complete respondents.

    ``alpha`` is ``None`` when undefined: fewer than 2 items, fewer than 2 complete
    respondents, or no variance in the respondents' totals. It may be negative (items that
    do not hang together); it is reported as computed. ``ci_low`` and ``ci_high`` are its 95%
    interval (Feldt, Woodruff & Salih 1987), ``None`` when alpha is or with fewer than 3
    complete respondents. ``enough`` says whether there are at least :data:`MIN_ALPHA_CASES`
    complete cases: only then is alpha shown ("not enough answers to judge reliability"
    otherwise).
    """

    alpha: float | None
    n: int
    items: int
    ci_low: float | None = None
    ci_high: float | None = None

    @property
    def enough(self) -> bool:
        return self.alpha is not None and self.n >= MIN_ALPHA_CASES


def cronbach_alpha(
    answers: Answers,
    reverse: Sequence[bool] | None = None,
    *,
    scale_max: int = DEFAULT_SCALE_MAX,
) -> Reliability:
    """Cronbach's alpha of a construct's items, over the listwise complete respondents.

    ``alpha = k / (k - 1) * (1 - sum(item variances) / variance(totals))`` for ``k`` items,
    with sample variances (``ddof=1``), computed after reverse-coding (a reverse-coded item left
    as answered would pull alpha down).

    Parameters
    ----------
    answers : array-like, 2-D
        One row per respondent, one column per item; missing as ``NaN``. Respondents with any
        missing item are left out (listwise deletion).
    reverse : sequence of bool, optional
        Which columns are reverse-coded.
    scale_max : int, default 5
        The top of the scale.

    Returns
    -------
    Reliability
        ``alpha`` (``None`` for fewer than 2 items, fewer than 2 complete respondents or zero
        variance of the totals), ``n`` complete respondents, ``items``, and the 95% interval of
        :func:`feldt_interval`.

    Complexity
    ----------
    O(cells).

    References
    ----------
    .. [1] L. J. Cronbach, "Coefficient alpha and the internal structure of tests",
       Psychometrika 16 (1951) 297-334.
    """
    return alpha_of(coded_answers(answers, reverse, scale_max))


def alpha_of(coded: FloatArray) -> Reliability:
    """:func:`cronbach_alpha` of already validated, reverse-coded answers."""
    items = coded.shape[1]
    complete = coded[~np.isnan(coded).any(axis=1)]
    n = complete.shape[0]
    if items < 2 or n < 2:
        return Reliability(None, n, items)
    total_variance = float(np.var(complete.sum(axis=1), ddof=1))
    if total_variance == 0:
        return Reliability(None, n, items)
    item_variances = float(np.var(complete, axis=0, ddof=1).sum())
    alpha = items / (items - 1) * (1 - item_variances / total_variance)
    if n < 3:
        return Reliability(alpha, n, items)
    low, high = feldt_interval(alpha, n, items, DEFAULT_CONFIDENCE)
    return Reliability(alpha, n, items, low, high)


def feldt_interval(
    alpha: float, n: int, items: int, confidence: float = DEFAULT_CONFIDENCE
) -> tuple[float, float]:
    """Feldt's confidence interval for Cronbach's alpha.

    Under the model of essentially tau-equivalent items with normal errors,
    ``(1 - true alpha) / (1 - alpha)`` follows an F distribution with ``n - 1`` and
    ``(n - 1)(items - 1)`` degrees of freedom (Feldt 1965), so with ``F_q`` its quantiles the
    interval is ``1 - (1 - alpha) F_{1 - tail}`` .. ``1 - (1 - alpha) F_{tail}``,
    ``tail = (1 - confidence) / 2`` (Feldt, Woodruff & Salih 1987, eq. 4).

    Parameters
    ----------
    alpha : float
        The sample alpha, at most 1.
    n : int
        Complete respondents, at least 3.
    items : int
        Items, at least 2.
    confidence : float, default 0.95

    Returns
    -------
    (low, high) : tuple of float
        ``low <= alpha <= high`` (both below 1 unless alpha is 1); it narrows as ``n`` grows.

    Raises
    ------
    StatsInputError
        Naming the field out of range.

    Complexity
    ----------
    O(1) (two F quantiles).

    References
    ----------
    .. [1] L. S. Feldt, "The approximate sampling distribution of Kuder-Richardson
       reliability coefficient twenty", Psychometrika 30 (1965) 357-370.
    .. [2] L. S. Feldt, D. J. Woodruff, F. A. Salih, "Statistical inference for coefficient
       alpha", Applied Psychological Measurement 11 (1987) 93-103.

    Examples
    --------
    >>> [round(x, 3) for x in feldt_interval(0.8, 30, 4)]
    [0.651, 0.896]
    """
    confidence = check_confidence(confidence)
    check_int("n", n, minimum=3)
    check_int("items", items, minimum=2)
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not alpha <= 1:
        raise StatsInputError("alpha", f"must be a number at most 1, got {alpha!r}")
    df1, df2 = n - 1, (n - 1) * (items - 1)
    tail = (1 - confidence) / 2
    low = 1 - (1 - alpha) * float(scipy_stats.f.ppf(1 - tail, df1, df2))
    high = 1 - (1 - alpha) * float(scipy_stats.f.ppf(tail, df1, df2))
    return low, high
