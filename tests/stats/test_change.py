"""Change between closed rounds (Welch interval and minimum detectable change) and the
clearly lowest pathway, with seeded simulations of how often each is wrong."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from connectwell.stats import (
    DEFAULT_RELIABILITY,
    MIN_SPREAD,
    GroupSummary,
    StatsInputError,
    clearly_lowest,
    compare_rounds,
    mean_interval,
    minimum_detectable_change,
)

from .answer_distributions import DISTRIBUTIONS, draw_answers


def _summary(scores: np.ndarray) -> GroupSummary:
    return GroupSummary(len(scores), float(scores.mean()), float(scores.std(ddof=1)))


def test_a_published_figure_gives_the_same_interval_as_its_scores() -> None:
    scores = np.array([3.0, 4.0, 4.0, 5.0, 2.0, 4.0, 4.0])
    summary = _summary(scores)
    _, low, high = mean_interval(scores)
    assert summary.interval() == (pytest.approx(low), pytest.approx(high))
    _, low, high = mean_interval(scores, 0.9, bounds=(1, 7))
    assert summary.interval(0.9, (1, 7)) == (pytest.approx(low), pytest.approx(high))


def test_a_change_is_welchs_interval_of_the_difference_with_hsus_degrees_of_freedom() -> None:
    before, after = GroupSummary(20, 3.1, 0.9), GroupSummary(25, 3.6, 1.1)
    change = compare_rounds(before, after)
    assert change.difference == pytest.approx(0.5)
    assert change.df == 19  # min(n) - 1
    result = scipy_stats.ttest_ind_from_stats(3.6, 1.1, 25, 3.1, 0.9, 20, equal_var=False)
    standard_error = 0.5 / result.statistic  # Welch's
    half = scipy_stats.t.ppf(0.975, 19) * standard_error
    assert (change.ci_low, change.ci_high) == (pytest.approx(0.5 - half), pytest.approx(0.5 + half))
    # never narrower than Welch-Satterthwaite's interval
    assert half >= scipy_stats.t.ppf(0.975, 43) * standard_error


def test_the_minimum_detectable_change_follows_weir_and_de_vet() -> None:
    before, after = GroupSummary(16, 3.0, 0.8), GroupSummary(16, 3.2, 0.6)
    pooled = math.sqrt((15 * 0.8**2 + 15 * 0.6**2) / 30)
    sem = pooled * math.sqrt(1 - 0.85)
    expected = 1.959963984540054 * math.sqrt(2) * sem / math.sqrt(16)
    assert minimum_detectable_change(before, after, reliability=0.85) == pytest.approx(expected)
    assert compare_rounds(before, after, reliability=0.85).mdc == pytest.approx(expected)
    default = compare_rounds(before, after)
    assert default.reliability == DEFAULT_RELIABILITY == 0.70
    assert default.mdc > compare_rounds(before, after, reliability=0.9).mdc
    # a negative alpha is all measurement error: reliability 0
    assert compare_rounds(before, after, reliability=-0.4).reliability == 0.0


def test_a_change_is_clear_only_past_the_minimum_detectable_change_as_well() -> None:
    # A large spread-out round against a small one that answered alike: Welch's interval
    # excludes zero, but the pooled measurement error is larger than the difference.
    before, after = GroupSummary(200, 3.0, 1.5), GroupSummary(5, 4.0, 0.0)
    unreliable = compare_rounds(before, after, reliability=0.0)
    assert unreliable.ci_low > 0
    assert unreliable.mdc > abs(unreliable.difference)
    assert unreliable.clear is False and unreliable.direction is None
    reliable = compare_rounds(before, after, reliability=0.9)
    assert reliable.clear is True and reliable.direction == "up"


def test_no_clear_change_when_the_interval_holds_zero() -> None:
    change = compare_rounds(GroupSummary(8, 3.4, 0.7), GroupSummary(8, 3.1, 0.7))
    assert change.ci_low < 0 < change.ci_high
    assert change.clear is False and change.direction is None
    down = compare_rounds(GroupSummary(40, 3.9, 0.7), GroupSummary(40, 3.0, 0.7))
    assert down.clear is True and down.direction == "down"


def test_groups_that_answered_alike_are_compared_with_the_smallest_spread() -> None:
    alike = compare_rounds(GroupSummary(5, 4.0, 0.0), GroupSummary(5, 4.2, 0.0))
    floored = compare_rounds(GroupSummary(5, 4.0, MIN_SPREAD), GroupSummary(5, 4.2, MIN_SPREAD))
    assert (alike.ci_low, alike.ci_high, alike.mdc) == (
        floored.ci_low,
        floored.ci_high,
        floored.mdc,
    )
    assert alike.clear is False


@pytest.mark.parametrize("distribution", ["typical", "skewed high", "uniform", "split"])
def test_without_a_true_change_a_change_is_flagged_at_most_5_percent_of_the_time(
    distribution: str,
) -> None:
    rng = np.random.default_rng(11)
    probabilities = DISTRIBUTIONS[distribution]
    flagged = 0
    for _ in range(2000):
        before, after = draw_answers(rng, probabilities, (2, 20))
        flagged += compare_rounds(_summary(before), _summary(after)).clear
    assert flagged / 2000 <= 0.05


def test_a_true_change_of_one_point_at_20_people_is_flagged_at_least_80_percent_of_the_time() -> (
    None
):
    rng = np.random.default_rng(12)
    before_p = (0.15, 0.35, 0.35, 0.15, 0.0)  # mean 2.5, sd 0.92
    after_p = (0.0, 0.15, 0.35, 0.35, 0.15)  # the same, one point higher
    flagged = 0
    for _ in range(2000):
        change = compare_rounds(
            _summary(draw_answers(rng, before_p, (20,))),
            _summary(draw_answers(rng, after_p, (20,))),
        )
        flagged += change.clear
        assert change.direction in ("up", None)
    assert flagged / 2000 >= 0.80


def test_the_lowest_is_named_only_when_clearly_below_the_next() -> None:
    clear = {
        "play": GroupSummary(40, 2.6, 0.7),
        "trust": GroupSummary(40, 3.5, 0.7),
        "energy": GroupSummary(40, 3.6, 0.7),
    }
    assert clearly_lowest(clear) == "play"
    close = {**clear, "trust": GroupSummary(40, 2.7, 0.7)}
    assert clearly_lowest(close) is None  # no pathway stands out
    assert clearly_lowest({"play": GroupSummary(40, 2.6, 0.7)}) is None
    assert clearly_lowest({}) is None


def _pathway_scores(rng: np.random.Generator, mean: float, n: int) -> np.ndarray:
    return np.clip(rng.normal(mean, 0.8, size=n), 1, 5)


def test_with_a_true_gap_of_03_at_8_people_a_wrong_pathway_is_named_at_most_5_percent() -> None:
    rng = np.random.default_rng(13)
    truth = {"play": 3.0, "trust": 3.3, "energy": 3.3, "growth": 3.3}
    wrong = 0
    for _ in range(2000):
        figures = {name: _summary(_pathway_scores(rng, mean, 8)) for name, mean in truth.items()}
        named = clearly_lowest(figures)
        wrong += named is not None and named != "play"
    assert wrong / 2000 <= 0.05


def test_with_no_true_gap_a_pathway_is_named_at_most_5_percent_of_the_time() -> None:
    rng = np.random.default_rng(14)
    named = 0
    for _ in range(2000):
        figures = {name: _summary(_pathway_scores(rng, 3.3, 8)) for name in "abcd"}
        named += clearly_lowest(figures) is not None
    assert named / 2000 <= 0.05


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: GroupSummary(1, 3.0, 0.5), "n"),
        (lambda: GroupSummary(2.0, 3.0, 0.5), "n"),  # type: ignore[arg-type]
        (lambda: GroupSummary(5, math.nan, 0.5), "mean"),
        (lambda: GroupSummary(5, 3.0, -0.1), "sd"),
        (lambda: GroupSummary(5, 3.0, "x"), "sd"),  # type: ignore[arg-type]
        (lambda: compare_rounds((5, 3, 1), GroupSummary(5, 3, 1)), "before"),  # type: ignore[arg-type]
        (lambda: compare_rounds(GroupSummary(5, 3, 1), None), "after"),  # type: ignore[arg-type]
        (
            lambda: compare_rounds(GroupSummary(5, 3, 1), GroupSummary(5, 3, 1), reliability=1.2),
            "reliability",
        ),
        (
            lambda: compare_rounds(GroupSummary(5, 3, 1), GroupSummary(5, 3, 1), confidence=2),
            "confidence",
        ),
        (lambda: clearly_lowest({"play": 3.0, "trust": 3.5}), "figures['play']"),  # type: ignore[dict-item]
    ],
)
def test_bad_input_to_a_comparison_names_the_field(call: object, field: str) -> None:
    with pytest.raises(StatsInputError) as raised:
        call()  # type: ignore[operator]
    assert raised.value.field == field
