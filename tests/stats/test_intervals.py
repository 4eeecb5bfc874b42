"""The mean's t interval (never zero width, coverage by simulation) and Wilson's interval."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from connectwell.stats import MIN_SPREAD, StatsInputError, mean_interval, wilson_interval

from .answer_distributions import DISTRIBUTIONS, SIZES, draw_answers, true_mean

scores = st.lists(st.floats(1, 5, allow_nan=False), min_size=2, max_size=40)


@settings(max_examples=300, deadline=None)
@given(values=scores, confidence=st.floats(0.5, 0.999))
def test_the_mean_interval_never_has_zero_width_and_holds_the_mean(
    values: list[float], confidence: float
) -> None:
    mean, low, high = mean_interval(values, confidence)
    assert mean is not None and low is not None and high is not None
    assert 1 <= low <= mean <= high <= 5
    assert high - low > 0.01


def test_answers_all_alike_still_get_an_interval() -> None:
    # 4, 4, 4, 4, 4 and the pseudo-answers 1 and 5: mean 26/7, sd 1.2536, t(0.975, 6)
    mean, low, high = mean_interval([4, 4, 4, 4, 4])
    padded = [4, 4, 4, 4, 4, 1, 5]
    half = 2.4469118511449692 * float(np.std(padded, ddof=1)) / math.sqrt(7)
    assert mean == 4.0
    assert (low, high) == (pytest.approx(26 / 7 - half), pytest.approx(26 / 7 + half))
    assert high is not None and high < 5
    # all at the top of the scale: clipped to it, still not zero width
    _, low, high = mean_interval([5] * 30)
    assert low is not None and high == 5.0 and low < 5.0


def test_a_large_group_answering_alike_gets_at_least_the_smallest_spread() -> None:
    _, low, high = mean_interval([3.0] * 200)
    assert low is not None and high is not None
    assert high - low == pytest.approx(2 * 1.971836506779859 * MIN_SPREAD / math.sqrt(202))


def test_one_score_has_a_mean_but_no_interval_and_none_has_neither() -> None:
    assert mean_interval([3.0]) == (3.0, None, None)
    assert mean_interval([]) == (None, None, None)


def _coverage(probabilities: tuple[float, ...], n: int, repeats: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    truth = true_mean(probabilities)
    samples = draw_answers(rng, probabilities, (repeats, n))
    covered = 0
    for sample in samples:
        _, low, high = mean_interval(sample)
        assert low is not None and high is not None
        covered += low <= truth <= high
    return covered / repeats


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("distribution", sorted(DISTRIBUTIONS))
def test_the_95_percent_interval_covers_the_true_mean_at_least_93_percent_of_the_time(
    distribution: str, n: int
) -> None:
    # 2,000 seeded samples: a standard error of 0.5 percentage points at 95% coverage.
    coverage = _coverage(DISTRIBUTIONS[distribution], n, repeats=2000, seed=n * 1009 + 7)
    assert coverage >= 0.93, f"{distribution} at n = {n}: {coverage:.3f}"


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        (5, 5, 0.5655, 1.0),
        (0, 10, 0.0, 0.2775),
        (8, 10, 0.4902, 0.9433),  # Newcombe (1998), Table I style: 8/10 -> 0.490-0.943
        (1, 2, 0.0945, 0.9055),
        (50, 100, 0.4038, 0.5962),
    ],
)
def test_wilson_gives_the_known_values(
    successes: int, trials: int, low: float, high: float
) -> None:
    assert wilson_interval(successes, trials) == (
        pytest.approx(low, abs=5e-5),
        pytest.approx(high, abs=5e-5),
    )


@settings(max_examples=200, deadline=None)
@given(
    trials=st.floats(0.5, 500, allow_nan=False),
    share=st.floats(0, 1),
    confidence=st.floats(0.5, 0.999),
)
def test_wilson_matches_statsmodels_and_never_has_zero_width(
    trials: float, share: float, confidence: float
) -> None:
    successes = share * trials
    low, high = wilson_interval(successes, trials, confidence)
    assert 0 <= low <= share <= high <= 1
    assert high - low > 0
    expected = proportion_confint(successes, trials, alpha=1 - confidence, method="wilson")
    assert (low, high) == (
        pytest.approx(expected[0], abs=1e-9),
        pytest.approx(expected[1], abs=1e-9),
    )


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: mean_interval([[1, 2]]), "scores"),
        (lambda: mean_interval([1, math.nan]), "scores[1]"),
        (lambda: mean_interval([1, 6]), "scores[1]"),
        (lambda: mean_interval([1, 2], bounds=(5, 1)), "bounds"),
        (lambda: mean_interval(["a"]), "scores"),
        (lambda: mean_interval([1, 2], 1.5), "confidence"),
        (lambda: wilson_interval(1, 0), "trials"),
        (lambda: wilson_interval(3, 2), "successes"),
        (lambda: wilson_interval(-1, 2), "successes"),
        (lambda: wilson_interval(1, math.inf), "trials"),
        (lambda: wilson_interval(1, 2, 0), "confidence"),
    ],
)
def test_bad_input_to_an_interval_names_the_field(call: object, field: str) -> None:
    with pytest.raises(StatsInputError) as raised:
        call()  # type: ignore[operator]
    assert raised.value.field == field
