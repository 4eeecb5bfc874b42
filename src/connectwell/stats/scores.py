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
    do not hang together); it is reported as computed.
    """

    alpha: float | None
    n: int
    items: int


@dataclass(frozen=True)
class ConstructScore:
    """The score of one construct. See the module's docstring for the definitions.

    ``mean``, ``ci_low``, ``ci_high`` and ``favourable_pct`` are ``None`` when nobody answered;
    the interval is ``None`` for a single respondent. ``favourable_pct`` is 0..100, per answer.
    ``n`` counts respondents, ``answers`` the answers to the construct's items.
    """

    construct: str
    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    favourable_pct: float | None
    answers: int
    reliability: Reliability


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
    return Reliability(alpha, n, items)


def _mean_interval(
    scores: FloatArray, confidence: float
) -> tuple[float | None, float | None, float | None]:
    n = len(scores)
    if n == 0:
        return None, None, None
    mean = float(scores.mean())
    if n == 1:
        return mean, None, None
    half = float(scipy_stats.t.ppf((1 + confidence) / 2, n - 1) * scores.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half


def score_construct(
    answers: Answers,
    reverse: Sequence[bool] | None = None,
    *,
    construct: str = "",
    scale_max: int = DEFAULT_SCALE_MAX,
    confidence: float = DEFAULT_CONFIDENCE,
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
        The level of the t interval around the mean.

    Returns
    -------
    ConstructScore
        As defined in the module's docstring; respondents who answered none of the items are
        not counted.

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
    favourable = (
        float(100.0 * np.count_nonzero(answered >= scale_max - 1) / answered.size)
        if answered.size
        else None
    )
    return ConstructScore(
        construct=construct,
        n=len(scores),
        mean=mean,
        ci_low=low,
        ci_high=high,
        favourable_pct=favourable,
        answers=int(answered.size),
        reliability=_alpha(coded),
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
