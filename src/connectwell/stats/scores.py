"""Scores of pulse constructs: reverse-coding, means with confidence intervals, favourable
share, Cronbach's alpha and trends over pulses.

Answers come in as a matrix, one row per respondent and one column per item, each cell an
integer on the scale ``1..scale_max`` or missing (``NaN`` or ``None``: the item was not asked or
not answered). Reverse-coded items are turned around first (``scale_max + 1 - answer``), so that
a higher number is always the better experience. Then, for a construct:

- a respondent's *construct score* is the mean of the items they answered;
- the construct's *score* is the mean of the respondents' construct scores, with its confidence
  interval from Student's t distribution (sample standard deviation, ``ddof=1``) and its ``n``,
  the number of respondents who answered at least one of its items;
- the *favourable %* is counted **per answer**: the share of all answers to the construct's
  items, after reverse-coding, in the top two options of the scale (4 or 5 on a 5-point scale).
  A respondent who answered three of its items weighs three times. This is the share a reader
  checks against a distribution of the answers, and it needs no cut-off on fractional scores;
- its *reliability* is Cronbach's alpha of its items over the respondents who answered all of
  them (listwise complete cases), reported with that ``n``.

Nothing here knows about anonymity: :func:`trend` can hide points under a floor when given an
:class:`~connectwell.stats.anonymity.AnonymityPolicy`, but deciding which groups may be shown to
whom is :mod:`connectwell.stats.anonymity`'s job.

References
----------
.. [1] L. J. Cronbach, "Coefficient alpha and the internal structure of tests",
   Psychometrika 16 (1951) 297-334.
.. [2] Student, "The probable error of a mean", Biometrika 6 (1908) 1-25.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt
from scipy import stats as scipy_stats

from connectwell.stats.anonymity import AnonymityPolicy, may_show_score
from connectwell.stats.errors import StatsInputError, check_int

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

FloatArray = npt.NDArray[np.float64]
#: Answers: an array, or nested lists in which ``None`` (or ``NaN``) marks a missing answer.
Answers: TypeAlias = npt.ArrayLike | Sequence[Sequence[float | None]] | Sequence[float | None]

#: The default scale: 1 (strongly disagree) to 5 (strongly agree).
DEFAULT_SCALE_MAX = 5
#: The default level of confidence intervals.
DEFAULT_CONFIDENCE = 0.95
#: The smallest spread (standard deviation of respondents' scores) an interval assumes. A
#: handful of people who all answered alike does not show that everyone would: an observed
#: spread of zero is a sample's accident, so the interval never has zero width.
MIN_SPREAD = 0.5
#: Cronbach's alpha is shown only from this many complete cases up: below it the estimate
#: swings too far to judge a scale by (its interval spans most of 0..1).
MIN_ALPHA_CASES = 30

Period = TypeVar("Period", bound="SupportsRichComparison")


@dataclass(frozen=True)
class Item:
    """One item of the bank: its ``id``, the ``construct`` it measures, and whether it is
    worded negatively (``reverse``: agreeing is the worse experience)."""

    id: str
    construct: str
    reverse: bool = False


@dataclass(frozen=True)
class Reliability:
    """Cronbach's alpha of a construct's ``items`` over its ``n`` listwise complete respondents.

    ``alpha`` is ``None`` when undefined: fewer than 2 items, fewer than 2 complete
    respondents, or no variance in the respondents' totals. It may be negative (items that
    do not hang together); it is reported as computed. ``ci_low`` and ``ci_high`` are its 95%
    interval (Feldt, Woodruff & Salih 1987), ``None`` when alpha is. ``enough`` says whether
    there are at least :data:`MIN_ALPHA_CASES` complete cases: only then is alpha shown.
    """

    alpha: float | None
    n: int
    items: int
    ci_low: float | None = None
    ci_high: float | None = None

    @property
    def enough(self) -> bool:
        return self.alpha is not None and self.n >= MIN_ALPHA_CASES


@dataclass(frozen=True)
class ConstructScore:
    """The score of one construct. See the module's docstring for the definitions.

    ``mean``, ``ci_low``, ``ci_high`` and ``favourable_pct`` are ``None`` when nobody answered;
    the interval is ``None`` for a single respondent and never has zero width otherwise.
    ``favourable_pct`` is 0..100, per answer, with its 95% interval ``favourable_low`` ..
    ``favourable_high``. ``n`` counts respondents, ``answers`` the answers to the construct's
    items.
    """

    construct: str
    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    favourable_pct: float | None
    answers: int
    reliability: Reliability
    favourable_low: float | None = None
    favourable_high: float | None = None
    sd: float | None = None  # the respondents' scores' sample standard deviation (ddof=1)


@dataclass(frozen=True)
class TrendPoint(Generic[Period]):
    """A construct's ``score`` in one ``period`` (a pulse, a week), with its ``n``.

    ``score`` is ``None`` when nobody answered, or when a policy hides a group this small.
    """

    period: Period
    score: float | None
    n: int


def _scale(scale_max: int) -> int:
    return check_int("scale_max", scale_max, minimum=3)


def _confidence(confidence: float) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise StatsInputError("confidence", f"must be a number, got {confidence!r}")
    if not 0 < confidence < 1:
        raise StatsInputError("confidence", f"must be between 0 and 1, got {confidence}")
    return float(confidence)


def _matrix(
    answers: Answers, scale_max: int, *, field: str = "answers", matrix_only: bool = True
) -> FloatArray:
    """``answers`` as a float matrix, missing as NaN, every other cell a whole number on the
    scale; anything else raises :class:`StatsInputError` naming the first bad cell."""
    try:
        matrix = np.array(answers, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise StatsInputError(field, f"must be numbers or missing values ({error})") from None
    if matrix_only and matrix.ndim != 2:
        raise StatsInputError(
            field, f"must be a matrix (respondents x items), got {matrix.ndim} dimension(s)"
        )
    present = ~np.isnan(matrix)
    bad = present & ((matrix != np.round(matrix)) | (matrix < 1) | (matrix > scale_max))
    if bad.any():
        cell = tuple(int(k) for k in np.argwhere(bad)[0])
        raise StatsInputError(
            f"{field}[{', '.join(map(str, cell))}]",
            f"{float(matrix[cell])!r} is not a whole number on the scale 1..{scale_max}",
        )
    return matrix


def _reverse_flags(reverse: Sequence[bool] | None, items: int) -> npt.NDArray[np.bool_]:
    if reverse is None:
        return np.zeros(items, dtype=bool)
    flags = list(reverse)
    if len(flags) != items:
        raise StatsInputError(
            "reverse", f"has {len(flags)} flags for {items} item column(s) of answers"
        )
    for k, flag in enumerate(flags):
        if not isinstance(flag, bool | np.bool_):
            raise StatsInputError(f"reverse[{k}]", f"must be True or False, got {flag!r}")
    return np.array(flags, dtype=bool)


def _coded(answers: Answers, reverse: Sequence[bool] | None, scale_max: int) -> FloatArray:
    """Validated answers with the reverse-coded columns turned around."""
    scale_max = _scale(scale_max)
    matrix = _matrix(answers, scale_max)
    flags = _reverse_flags(reverse, matrix.shape[1])
    matrix[:, flags] = (scale_max + 1) - matrix[:, flags]
    return matrix


def reverse_code(answers: Answers, *, scale_max: int = DEFAULT_SCALE_MAX) -> FloatArray:
    """Turn answers around on the scale ``1..scale_max``: ``scale_max + 1 - answer``.

    Parameters
    ----------
    answers : array-like, any shape
        Whole numbers on the scale; missing answers (``NaN``, ``None``) stay missing.
    scale_max : int, default 5
        The top of the scale (at least 3).

    Returns
    -------
    ndarray of float64
        A new array of the same shape: on a 5-point scale 1 becomes 5, 2 becomes 4, 3 stays 3.

    Complexity
    ----------
    O(cells).

    Examples
    --------
    >>> reverse_code([1, 2, None, 5]).tolist()
    [5.0, 4.0, nan, 1.0]
    """
    scale_max = _scale(scale_max)
    return (scale_max + 1) - _matrix(answers, scale_max, matrix_only=False)


def respondent_scores(
    answers: Answers,
    reverse: Sequence[bool] | None = None,
    *,
    scale_max: int = DEFAULT_SCALE_MAX,
) -> FloatArray:
    """Each respondent's construct score: the mean of their answered items after reverse-coding.

    Parameters
    ----------
    answers : array-like, 2-D
        One row per respondent, one column per item of the construct; missing as ``NaN``.
    reverse : sequence of bool, optional
        Which columns are reverse-coded; none by default.
    scale_max : int, default 5
        The top of the scale.

    Returns
    -------
    ndarray of float64
        One score per row; ``NaN`` for a respondent who answered none of the items.

    Complexity
    ----------
    O(cells).
    """
    return _respondent_means(_coded(answers, reverse, scale_max))


def _respondent_means(coded: FloatArray) -> FloatArray:
    answered = ~np.isnan(coded)
    counts = answered.sum(axis=1)
    sums = np.where(answered, coded, 0.0).sum(axis=1)
    means = np.full(coded.shape[0], np.nan)
    np.divide(sums, counts, out=means, where=counts > 0)
    return means


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
        variance of the totals), ``n`` complete respondents, ``items``.

    Complexity
    ----------
    O(cells).

    References
    ----------
    .. [1] L. J. Cronbach, "Coefficient alpha and the internal structure of tests",
       Psychometrika 16 (1951) 297-334.
    """
    return _alpha(_coded(answers, reverse, scale_max))


def _alpha(coded: FloatArray) -> Reliability:
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
    low, high = _feldt_interval(alpha, n, items, DEFAULT_CONFIDENCE)
    return Reliability(alpha, n, items, low, high)


def _feldt_interval(
    alpha: float, n: int, items: int, confidence: float
) -> tuple[float | None, float | None]:
    """Feldt's interval for alpha: ``(1 - alpha) / (1 - true alpha)`` follows an F
    distribution with ``n - 1`` and ``(n - 1)(items - 1)`` degrees of freedom.

    References: L. S. Feldt, D. J. Woodruff, F. A. Salih, "Statistical inference for
    coefficient alpha", Applied Psychological Measurement 11 (1987) 93-103.
    """
    if n < 3:
        return None, None
    df1, df2 = n - 1, (n - 1) * (items - 1)
    tail = (1 - confidence) / 2
    low = 1 - (1 - alpha) * float(scipy_stats.f.ppf(1 - tail, df1, df2))
    high = 1 - (1 - alpha) * float(scipy_stats.f.ppf(tail, df1, df2))
    return low, high


def wilson_interval(
    successes: float, trials: float, confidence: float = DEFAULT_CONFIDENCE
) -> tuple[float, float]:
    """Wilson's score interval for a share, as fractions 0..1; never zero width.

    ``trials`` may be an effective sample size (a whole number is not required).

    References: E. B. Wilson, "Probable inference, the law of succession, and statistical
    inference", JASA 22 (1927) 209-212.

    >>> [round(x, 3) for x in wilson_interval(5, 5)]
    [0.566, 1.0]
    """
    if trials <= 0:
        raise StatsInputError("trials", f"must be positive, got {trials}")
    z = float(scipy_stats.norm.ppf((1 + confidence) / 2))
    share = successes / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (
        z
        / (1 + z * z / trials)
        * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    )
    return max(0.0, centre - half), min(1.0, centre + half)


def _mean_interval(
    scores: FloatArray, confidence: float
) -> tuple[float | None, float | None, float | None]:
    n = len(scores)
    if n == 0:
        return None, None, None
    mean = float(scores.mean())
    if n == 1:
        return mean, None, None
    spread = max(float(scores.std(ddof=1)), MIN_SPREAD)
    half = float(scipy_stats.t.ppf((1 + confidence) / 2, n - 1) * spread / math.sqrt(n))
    return mean, mean - half, mean + half


def score_construct(
    answers: Answers,
    reverse: Sequence[bool] | None = None,
    *,
    construct: str = "",
    scale_max: int = DEFAULT_SCALE_MAX,
    confidence: float = DEFAULT_CONFIDENCE,
    lower_is_better: bool = False,
) -> ConstructScore:
    """Score one construct: mean with confidence interval, favourable %, n and alpha.

    Parameters
    ----------
    answers : array-like, 2-D
        One row per respondent, one column per item of the construct; missing as ``NaN``.
    reverse : sequence of bool, optional
        Which columns are reverse-coded.
    construct : str
        Its name, copied into the result.
    scale_max : int, default 5
        The top of the scale; favourable answers are its top two options.
    confidence : float, default 0.95
        The level of the t interval around the mean (its spread at least :data:`MIN_SPREAD`)
        and of the favourable share's Wilson interval.
    lower_is_better : bool, default False
        For a construct where a higher score is worse (loneliness): favourable answers are
        then the bottom two options, 1 and 2.

    Returns
    -------
    ConstructScore
        As defined in the module's docstring; respondents who answered none of the items are
        not counted. The favourable share's interval takes each respondent as one
        observation (their answers to one construct are not independent), so it is never
        narrower than the people behind it allow.

    Complexity
    ----------
    O(cells).
    """
    confidence = _confidence(confidence)
    coded = _coded(answers, reverse, scale_max)
    means = _respondent_means(coded)
    scores = means[~np.isnan(means)]
    mean, low, high = _mean_interval(scores, confidence)
    answered = coded[~np.isnan(coded)]
    good = answered <= 2 if lower_is_better else answered >= scale_max - 1
    favourable = fav_low = fav_high = None
    if answered.size:
        share = np.count_nonzero(good) / answered.size
        favourable = float(100.0 * share)
        lo, hi = wilson_interval(share * len(scores), len(scores), confidence)
        fav_low, fav_high = 100.0 * lo, 100.0 * hi
    return ConstructScore(
        construct=construct,
        n=len(scores),
        mean=mean,
        ci_low=low,
        ci_high=high,
        favourable_pct=favourable,
        answers=int(answered.size),
        reliability=_alpha(coded),
        favourable_low=fav_low,
        favourable_high=fav_high,
        sd=float(scores.std(ddof=1)) if len(scores) > 1 else None,
    )


def score_constructs(
    answers: Answers,
    items: Sequence[Item],
    *,
    scale_max: int = DEFAULT_SCALE_MAX,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, ConstructScore]:
    """Score every construct of a pulse at once.

    Parameters
    ----------
    answers : array-like, 2-D
        One row per respondent, one column per entry of ``items``; missing as ``NaN``.
    items : sequence of Item
        The columns: which construct each measures and whether it is reverse-coded.
    scale_max, confidence
        As in :func:`score_construct`.

    Returns
    -------
    dict of construct -> ConstructScore
        In the order the constructs first appear in ``items``.

    Complexity
    ----------
    O(cells).
    """
    scale_max = _scale(scale_max)
    matrix = _matrix(answers, scale_max)
    if matrix.shape[1] != len(items):
        raise StatsInputError(
            "items", f"has {len(items)} items for {matrix.shape[1]} column(s) of answers"
        )
    columns: dict[str, list[int]] = {}
    for k, item in enumerate(items):
        if not isinstance(item, Item):
            raise StatsInputError(f"items[{k}]", f"must be an Item, got {item!r}")
        columns.setdefault(item.construct, []).append(k)
    return {
        construct: score_construct(
            matrix[:, cols],
            [items[k].reverse for k in cols],
            construct=construct,
            scale_max=scale_max,
            confidence=confidence,
        )
        for construct, cols in columns.items()
    }


def trend(
    answers_by_period: Mapping[Period, Answers],
    reverse: Sequence[bool] | None = None,
    *,
    scale_max: int = DEFAULT_SCALE_MAX,
    policy: AnonymityPolicy | None = None,
) -> list[TrendPoint[Period]]:
    """A construct's score in each period (pulse), oldest first.

    Parameters
    ----------
    answers_by_period : mapping of period -> array-like, 2-D
        For each period (anything sortable: a date, a pulse number), the answers to the
        construct's items, as for :func:`score_construct`; the same columns in every period.
    reverse : sequence of bool, optional
        Which columns are reverse-coded.
    scale_max : int, default 5
        The top of the scale.
    policy : AnonymityPolicy, optional
        When given, a period with fewer respondents than its floor gets ``score=None`` (its
        ``n`` is kept). Periods have different respondents, so no differencing arises between
        them.

    Returns
    -------
    list of TrendPoint
        ``(period, score, n)``, sorted by period.

    Complexity
    ----------
    O(cells + p log p) for p periods.
    """
    points: list[TrendPoint[Period]] = []
    for period in sorted(answers_by_period):
        score = score_construct(answers_by_period[period], reverse, scale_max=scale_max)
        shown = score.mean if policy is None or may_show_score(score.n, policy) else None
        points.append(TrendPoint(period, shown, score.n))
    return points
