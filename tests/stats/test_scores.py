"""Scores: reverse-coding, construct means with t intervals, favourable %, alpha, trends."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from connectwell.stats import (
    MIN_SPREAD,
    AnonymityPolicy,
    Item,
    StatsInputError,
    cronbach_alpha,
    respondent_scores,
    reverse_code,
    score_construct,
    score_constructs,
    trend,
)

NAN = math.nan

# The hand-computed example for Cronbach's alpha: 4 complete respondents, 3 items.
#
#   respondent   item 1  item 2  item 3   total
#   r1             4       5       4       13
#   r2             3       3       2        8
#   r3             5       4       5       14
#   r4             2       3       3        8
#
# item 1: mean 3.5,  squared deviations .25 + .25 + 2.25 + 2.25         = 5     -> var 5/3
# item 2: mean 3.75, squared deviations 1.5625 + .5625 + .0625 + .5625  = 2.75  -> var 2.75/3
# item 3: mean 3.5,  squared deviations .25 + 2.25 + 2.25 + .25         = 5     -> var 5/3
# sum of item variances = 12.75 / 3 = 4.25
# totals: mean 10.75, squared deviations 5.0625 + 7.5625 + 10.5625 + 7.5625 = 30.75
#         -> var 30.75 / 3 = 10.25
# alpha = 3/2 * (1 - 4.25 / 10.25) = 3/2 * 6/10.25 = 9 / 10.25 = 36/41 = 0.878048...
HAND_ANSWERS: list[list[float]] = [[4, 5, 4], [3, 3, 2], [5, 4, 5], [2, 3, 3]]
HAND_ALPHA = 36 / 41


def test_reverse_coding_turns_the_scale_around() -> None:
    assert reverse_code([[1, 2, 3, 4, 5]]).tolist() == [[5, 4, 3, 2, 1]]
    assert reverse_code([1, 7], scale_max=7).tolist() == [7, 1]
    assert np.isnan(reverse_code([[NAN, None]])).all()


def test_alpha_matches_the_hand_computed_example() -> None:
    reliability = cronbach_alpha(HAND_ANSWERS)
    assert reliability.alpha == pytest.approx(HAND_ALPHA, abs=1e-12)
    assert (reliability.n, reliability.items) == (4, 3)


def test_alpha_uses_listwise_complete_respondents_after_reverse_coding() -> None:
    # item 3 stored as answered to a negatively worded item: 6 - x gives the example back;
    # a fifth respondent skipped an item and is left out.
    stored: list[list[float]] = [[4, 5, 2], [3, 3, 4], [5, 4, 1], [2, 3, 3], [5, NAN, 1]]
    reliability = cronbach_alpha(stored, [False, False, True])
    assert reliability.alpha == pytest.approx(HAND_ALPHA, abs=1e-12)
    assert reliability.n == 4
    assert cronbach_alpha(stored).alpha != pytest.approx(HAND_ALPHA)


@pytest.mark.parametrize(
    "answers",
    [
        [[4], [3], [5]],  # one item
        [[4, 5, 4], [NAN, 3, 3], [5, NAN, 5]],  # one complete respondent
        [[3, 3], [3, 3], [3, 3]],  # no variance in the totals
        [[2, 4], [4, 2], [3, 3]],  # the totals do not vary either
    ],
)
def test_alpha_is_undefined_without_two_items_two_complete_respondents_or_variance(
    answers: list[list[float]],
) -> None:
    assert cronbach_alpha(answers).alpha is None


def _alpha_by_covariance(matrix: np.ndarray) -> float:
    covariance = np.cov(matrix, rowvar=False, ddof=1)
    k = matrix.shape[1]
    return float(k / (k - 1) * (1 - np.trace(covariance) / covariance.sum()))


answer_matrices = st.integers(1, 12).flatmap(
    lambda rows: st.integers(1, 5).flatmap(
        lambda cols: st.lists(
            st.lists(st.one_of(st.integers(1, 5), st.just(NAN)), min_size=cols, max_size=cols),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=80, deadline=None)
@given(answers=answer_matrices, data=st.data())
def test_scores_match_numpy_and_scipy_computed_independently(
    answers: list[list[float]], data: st.DataObject
) -> None:
    matrix = np.array(answers, dtype=float)
    reverse = data.draw(st.lists(st.booleans(), min_size=matrix.shape[1], max_size=matrix.shape[1]))
    coded = matrix.copy()
    for column, flipped in enumerate(reverse):
        if flipped:
            coded[:, column] = 6 - coded[:, column]
    per_respondent = [row[~np.isnan(row)].mean() for row in coded if (~np.isnan(row)).any()]

    score = score_construct(answers, reverse, construct="play")

    assert score.construct == "play"
    assert score.n == len(per_respondent)
    assert score.answers == int((~np.isnan(matrix)).sum())
    np.testing.assert_allclose(
        respondent_scores(answers, reverse)[~np.isnan(respondent_scores(answers, reverse))],
        per_respondent,
    )
    if not per_respondent:
        assert score.mean is score.ci_low is score.favourable_pct is None
        return
    assert score.mean == pytest.approx(np.mean(per_respondent))
    answered = coded[~np.isnan(coded)]
    assert score.favourable_pct == pytest.approx(100 * np.mean(answered >= 4))
    if len(per_respondent) == 1:
        assert score.ci_low is None and score.ci_high is None
    else:
        # Student's t interval with a pseudo-answer at 1 and at 5 added, its spread at least
        # MIN_SPREAD, clipped to the scale: never zero width.
        padded = [*per_respondent, 1.0, 5.0]
        spread = max(float(np.std(padded, ddof=1)), MIN_SPREAD)
        low, high = scipy_stats.t.interval(
            0.95, len(padded) - 1, loc=np.mean(padded), scale=spread / np.sqrt(len(padded))
        )
        low, high = max(min(low, score.mean), 1.0), min(max(high, score.mean), 5.0)
        assert (score.ci_low, score.ci_high) == (pytest.approx(low), pytest.approx(high))
        assert score.ci_high > score.ci_low
    complete = coded[~np.isnan(coded).any(axis=1)]
    alpha = score.reliability.alpha
    assert score.reliability.n == len(complete)
    if alpha is not None:
        assert alpha == pytest.approx(_alpha_by_covariance(complete))
    elif coded.shape[1] >= 2 and len(complete) >= 2:
        assert np.var(complete.sum(axis=1)) == 0


def test_a_known_construct_score() -> None:
    # r1 answers 5 and (reverse) 1 -> 5, 5; r2 answers 2 and (reverse) 4 -> 2, 2;
    # r3 answers only item 1 with a 4.
    answers: list[list[float]] = [[5, 1], [2, 4], [4, NAN]]
    score = score_construct(answers, [False, True])
    assert score.n == 3
    assert score.mean == pytest.approx((5 + 2 + 4) / 3)
    assert score.favourable_pct == pytest.approx(100 * 3 / 5)  # 5, 5, 4 of 5 answers
    assert score.answers == 5
    # the interval: the t interval of 5, 2, 4 and the pseudo-answers 1 and 5 (mean 17/5),
    # clipped to the scale
    half = scipy_stats.t.ppf(0.975, 4) * np.std([5, 2, 4, 1, 5], ddof=1) / math.sqrt(5)
    assert score.ci_low == pytest.approx(max(17 / 5 - half, 1))
    assert score.ci_high == pytest.approx(min(17 / 5 + half, 5))


def test_score_constructs_groups_columns_by_construct() -> None:
    items = [
        Item("ps1", "psychological safety"),
        Item("pl1", "play"),
        Item("ps2", "psychological safety", reverse=True),
    ]
    scores = score_constructs([[5, 3, 1], [4, 2, 2]], items)
    assert list(scores) == ["psychological safety", "play"]
    assert scores["psychological safety"].mean == pytest.approx(4.5)
    assert scores["play"].mean == pytest.approx(2.5)
    assert scores["play"].reliability.alpha is None


def test_trend_is_sorted_by_period_and_hides_small_periods_under_a_policy() -> None:
    week2 = [[4, 4]] * 6
    week1 = [[2, 3]] * 5
    week3 = [[5, 5]] * 2
    points = trend({"2025-w02": week2, "2025-w01": week1, "2025-w03": week3})
    assert [(p.period, p.score, p.n) for p in points] == [
        ("2025-w01", 2.5, 5),
        ("2025-w02", 4.0, 6),
        ("2025-w03", 5.0, 2),
    ]
    hidden = trend({"w1": week1, "w3": week3}, policy=AnonymityPolicy())
    assert [(p.score, p.n) for p in hidden] == [(2.5, 5), (None, 2)]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: score_construct([[1, 6]]), "answers[0, 1]"),
        (lambda: score_construct([[1, 2.5]]), "answers[0, 1]"),
        (lambda: score_construct([[0]]), "answers[0, 0]"),
        (lambda: score_construct([1, 2, 3]), "answers"),
        (lambda: score_construct([["a"]]), "answers"),
        (lambda: score_construct([[1, 2]], [True]), "reverse"),
        (lambda: score_construct([[1, 2]], [True, 1]), "reverse[1]"),  # type: ignore[list-item]
        (lambda: score_construct([[1]], scale_max=2), "scale_max"),
        (lambda: score_construct([[1]], confidence=1.0), "confidence"),
        (lambda: score_constructs([[1, 2]], [Item("a", "x")]), "items"),
        (lambda: cronbach_alpha([[1, 7]], scale_max=6), "answers[0, 1]"),
    ],
)
def test_bad_input_names_the_field(call: object, field: str) -> None:
    with pytest.raises(StatsInputError) as raised:
        call()  # type: ignore[operator]
    assert raised.value.field == field
    assert str(raised.value).startswith(f"{field}: ")
