"""Scores of pulse constructs: reverse-coding, means with confidence intervals, favourable
share, Cronbach's alpha and trends over pulses.

Answers come in as a matrix, one row per respondent and one column per item, each cell an
integer on the scale ``1..scale_max`` or missing (``NaN`` or ``None``: the item was not asked or
not answered). Reverse-coded items are turned around first (``scale_max + 1 - answer``), so that
every item of a construct points the same way as the construct: a higher number means more of
it. For most constructs more is the better experience; for a few (loneliness) more is worse,
and ``lower_is_better`` says so, turning the favourable share to the bottom two options. Then,
for a construct:

- a respondent's *construct score* is the mean of the items they answered;
- the construct's *score* is the mean of the respondents' construct scores, with its confidence
  interval from Student's t distribution (sample standard deviation, ``ddof=1``) and its ``n``,
  the number of respondents who answered at least one of its items;
- the *favourable %* is counted **per answer**: the share of all answers to the construct's
  items, after reverse-coding, in the top two options of the scale (4 or 5 on a 5-point scale),
  or in the bottom two (1 or 2) when lower is better.
  A respondent who answered three of its items weighs three times. This is the share a reader
  checks against a distribution of the answers, and it needs no cut-off on fractional scores;
- its *reliability* is Cronbach's alpha of its items over the respondents who answered all of
  them (listwise complete cases), reported with that ``n`` and Feldt's interval
  (:mod:`connectwell.stats.reliability`).

The mean's and the favourable share's intervals are :mod:`connectwell.stats.intervals`'.

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

from connectwell.stats.anonymity import AnonymityPolicy, may_show_score
from connectwell.stats.answers import (
    DEFAULT_SCALE_MAX,
    Answers,
    FloatArray,
    answer_matrix,
    check_scale,
    coded_answers,
    respondent_means,
)
from connectwell.stats.errors import StatsInputError
from connectwell.stats.intervals import (
    DEFAULT_CONFIDENCE,
    check_confidence,
    interval_of_scores,
    wilson_interval,
)
from connectwell.stats.reliability import Reliability, alpha_of

# Kept importable from here for code written before the split; import from connectwell.stats.
from connectwell.stats.reliability import cronbach_alpha as cronbach_alpha

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

Period = TypeVar("Period", bound="SupportsRichComparison")


@dataclass(frozen=True)
class Item:
    """One item of the bank: its ``id``, the ``construct`` it measures, and whether it is
    worded negatively (``reverse``: agreeing is the worse experience)."""

    id: str
    construct: str
    reverse: bool = False


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

    ``score`` is ``None`` when nobody answered, or when a policy hides a group this small;
    ``ci_low`` .. ``ci_high`` is its 95% interval (as for a construct score: ``None`` with the
    score, or for a single respondent).
    """

    period: Period
    score: float | None
    n: int
    ci_low: float | None = None
    ci_high: float | None = None


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
    scale_max = check_scale(scale_max)
    return (scale_max + 1) - answer_matrix(answers, scale_max, matrix_only=False)


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
    return respondent_means(coded_answers(answers, reverse, scale_max))


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
        The level of the interval around the mean (:func:`~connectwell.stats.mean_interval`)
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
    confidence = check_confidence(confidence)
    coded = coded_answers(answers, reverse, scale_max)
    means = respondent_means(coded)
    scores = means[~np.isnan(means)]
    mean, low, high = interval_of_scores(scores, confidence, (1.0, float(scale_max)))
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
        reliability=alpha_of(coded),
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
    scale_max = check_scale(scale_max)
    matrix = answer_matrix(answers, scale_max)
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
        ``(period, score, n, ci_low, ci_high)``, sorted by period.

    Complexity
    ----------
    O(cells + p log p) for p periods.
    """
    points: list[TrendPoint[Period]] = []
    for period in sorted(answers_by_period):
        score = score_construct(answers_by_period[period], reverse, scale_max=scale_max)
        if policy is None or may_show_score(score.n, policy):
            points.append(TrendPoint(period, score.mean, score.n, score.ci_low, score.ci_high))
        else:
            points.append(TrendPoint(period, None, score.n))
    return points
