"""Cronbach's alpha with Feldt's interval, and when there are enough cases to show it."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats as scipy_stats

from connectwell.stats import (
    MIN_ALPHA_CASES,
    StatsInputError,
    cronbach_alpha,
    feldt_interval,
    score_construct,
)


def _hoyt(matrix: np.ndarray) -> tuple[float, float, float]:
    """Alpha from the two-way ANOVA of persons x items (Hoyt 1941), and Feldt's interval from
    the reciprocal F quantiles with the degrees of freedom swapped: an independent route."""
    n, k = matrix.shape
    grand = matrix.mean()
    ss_persons = k * ((matrix.mean(axis=1) - grand) ** 2).sum()
    ss_items = n * ((matrix.mean(axis=0) - grand) ** 2).sum()
    ss_residual = ((matrix - grand) ** 2).sum() - ss_persons - ss_items
    ms_persons = ss_persons / (n - 1)
    ms_residual = ss_residual / ((n - 1) * (k - 1))
    alpha = 1 - ms_residual / ms_persons
    df1, df2 = n - 1, (n - 1) * (k - 1)
    # F_{0.975}(df1, df2) = 1 / F_{0.025}(df2, df1)
    low = 1 - (1 - alpha) / scipy_stats.f.ppf(0.025, df2, df1)
    high = 1 - (1 - alpha) / scipy_stats.f.ppf(0.975, df2, df1)
    return alpha, low, high


def _answers(rng: np.random.Generator, n: int, items: int, noise: float) -> np.ndarray:
    """Tau-equivalent items: a person's level plus item noise, rounded onto 1..5."""
    level = rng.normal(3, 0.9, size=(n, 1))
    return np.clip(np.rint(level + rng.normal(0, noise, size=(n, items))), 1, 5)


@pytest.mark.parametrize(("n", "items", "seed"), [(30, 3, 1), (45, 4, 2), (200, 5, 3), (8, 2, 4)])
def test_feldts_interval_matches_an_independent_computation_and_contains_alpha(
    n: int, items: int, seed: int
) -> None:
    answers = _answers(np.random.default_rng(seed), n, items, noise=0.8)
    reliability = cronbach_alpha(answers)
    alpha, low, high = _hoyt(answers)
    assert reliability.alpha == pytest.approx(alpha)
    assert (reliability.ci_low, reliability.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert reliability.ci_low is not None and reliability.ci_high is not None
    assert reliability.ci_low < reliability.alpha < reliability.ci_high < 1


def test_feldts_interval_narrows_as_the_number_of_cases_grows() -> None:
    widths = [np.subtract(*feldt_interval(0.8, n, 4)[::-1]) for n in (10, 30, 100, 1000)]
    assert all(a > b > 0 for a, b in itertools.pairwise(widths))
    low, high = feldt_interval(0.8, 30, 4)
    assert (round(low, 3), round(high, 3)) == (0.651, 0.896)


def test_feldts_95_percent_interval_covers_the_true_alpha_about_95_percent_of_the_time() -> None:
    # Parallel items with normal errors: X = T + E, var T = 1, var E = 1, 4 items, so the
    # true alpha is 4 / (4 + 1) = 0.8. 1,000 seeded samples of 30 people.
    rng = np.random.default_rng(2026)
    covered = 0
    for _ in range(1000):
        true_scores = rng.normal(0, 1, size=(30, 1))
        sample = true_scores + rng.normal(0, 1, size=(30, 4))
        alpha, low, high = _hoyt(sample)
        covered += low <= 0.8 <= high
        assert low < alpha < high
    assert 0.93 <= covered / 1000 <= 0.97


def test_alpha_is_enough_to_show_from_30_complete_cases_not_29() -> None:
    answers = _answers(np.random.default_rng(7), 30, 3, noise=0.7)
    assert MIN_ALPHA_CASES == 30
    assert cronbach_alpha(answers[:29]).enough is False
    assert cronbach_alpha(answers).enough is True
    with_gaps = answers.copy()
    with_gaps[0, 1] = np.nan  # 30 respondents, 29 complete: not enough
    assert cronbach_alpha(with_gaps).n == 29
    assert cronbach_alpha(with_gaps).enough is False


def test_two_complete_cases_have_an_alpha_but_no_interval_and_are_not_enough() -> None:
    reliability = cronbach_alpha([[1, 2], [4, 5]])
    assert reliability.alpha == pytest.approx(1.0)
    assert reliability.ci_low is None and reliability.ci_high is None
    assert reliability.enough is False


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"alpha": 0.8, "n": 2, "items": 3}, "n"),
        ({"alpha": 0.8, "n": 30, "items": 1}, "items"),
        ({"alpha": 1.5, "n": 30, "items": 3}, "alpha"),
        ({"alpha": 0.8, "n": 30, "items": 3, "confidence": 0}, "confidence"),
    ],
)
def test_bad_input_to_feldts_interval_names_the_field(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(StatsInputError) as raised:
        feldt_interval(**kwargs)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_lower_is_better_counts_answers_1_and_2_as_favourable() -> None:
    neutral = [[3, 3, 3]] * 6
    assert score_construct(neutral).favourable_pct == 0.0
    assert score_construct(neutral, lower_is_better=True).favourable_pct == 0.0
    low = [[1, 2, 3], [2, 2, 4]] * 3  # 4 of 6 answers at 1-2, 1 of 6 at 4-5
    assert score_construct(low, lower_is_better=True).favourable_pct == pytest.approx(100 * 4 / 6)
    assert score_construct(low).favourable_pct == pytest.approx(100 * 1 / 6)
    lonely = score_construct([[1, 1], [2, 1], [1, 2], [2, 2], [1, 1]], lower_is_better=True)
    assert lonely.favourable_pct == 100.0
    assert lonely.favourable_low is not None and lonely.favourable_high == 100.0
    assert lonely.favourable_low < 100.0  # 5 people: never zero width
