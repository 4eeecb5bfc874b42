"""ICC(1), ICC(2) and shrunken team means, against hand computations and their invariants."""

from __future__ import annotations

import numpy as np
import pytest

from connectwell.stats import (
    StatsInputError,
    shrunken_team_means,
    team_agreement,
    verify_shrinkage,
)
from connectwell.stats.multilevel import ShrunkenMeans, TeamMean

# A balanced design by hand: 4 teams of 5 people.
#   team  scores                  mean   squared deviations within
#   a     3.0 3.4 2.6 3.2 2.8     3.0    0 + .16 + .16 + .04 + .04 = 0.40
#   b     4.0 3.6 4.4 3.8 4.2     4.0    0 + .16 + .16 + .04 + .04 = 0.40
#   c     3.4 3.0 3.8 3.2 3.6     3.4    0 + .16 + .16 + .04 + .04 = 0.40
#   d     2.2 2.6 2.4 3.0 2.8     2.6    .16 + 0 + .04 + .16 + .04 = 0.40
# grand mean 3.25; SSW = 1.6, MSW = 1.6 / 16 = 0.1
# SSB = 5 * (.0625 + .5625 + .0225 + .4225) = 5.35, MSB = 5.35 / 3 = 1.78333
# ICC(1) = (MSB - MSW) / (MSB + 4 MSW) = 1.68333 / 2.18333 = 0.77099
# ICC(2) = (MSB - MSW) / MSB = 1.68333 / 1.78333 = 0.94393
# tau^2 = (MSB - MSW) / 5 = 0.33667; sigma^2 / n = 0.02
# lambda = tau^2 / (tau^2 + sigma^2 / n) = 0.33667 / 0.35667 = 0.94393 (= ICC(2) when balanced)
BALANCED = {
    "a": [3.0, 3.4, 2.6, 3.2, 2.8],
    "b": [4.0, 3.6, 4.4, 3.8, 4.2],
    "c": [3.4, 3.0, 3.8, 3.2, 3.6],
    "d": [2.2, 2.6, 2.4, 3.0, 2.8],
}
MSW, MSB = 0.1, 5.35 / 3
TAU2 = (MSB - MSW) / 5
LAMBDA = TAU2 / (TAU2 + MSW / 5)


def _flatten(teams: dict[str, list[float]]) -> tuple[list[float], list[str]]:
    scores = [score for members in teams.values() for score in members]
    labels = [team for team, members in teams.items() for _ in members]
    return scores, labels


def test_icc1_and_icc2_match_the_hand_computation() -> None:
    agreement = team_agreement(*_flatten(BALANCED))
    assert agreement.icc1 == pytest.approx((MSB - MSW) / (MSB + 4 * MSW))
    assert agreement.icc2 == pytest.approx((MSB - MSW) / MSB)
    assert (agreement.groups, agreement.mean_group_size, agreement.n) == (4, 5.0, 20)
    # ICC(2) is Spearman-Brown's step-up of ICC(1) to the team size (Bliese 2000)
    icc1 = agreement.icc1
    assert agreement.icc2 == pytest.approx(5 * icc1 / (1 + 4 * icc1))


def test_unequal_teams_use_the_adjusted_mean_team_size() -> None:
    scores = [1, 2, 3, 4, 5, 2, 3, 3, 4]
    teams = ["a", "a", "b", "b", "b", "c", "c", "c", "c"]
    agreement = team_agreement(scores, teams)
    # k = (N - sum n_j^2 / N) / (J - 1) = (9 - (4 + 9 + 16) / 9) / 2 = 2.88889
    assert agreement.mean_group_size == pytest.approx((9 - 29 / 9) / 2)
    means = {"a": 1.5, "b": 4.0, "c": 3.0}
    grand = sum(scores) / 9
    msb = (2 * (1.5 - grand) ** 2 + 3 * (4 - grand) ** 2 + 4 * (3 - grand) ** 2) / 2
    msw = sum((s - means[t]) ** 2 for s, t in zip(scores, teams, strict=True)) / 6
    k = (9 - 29 / 9) / 2
    assert agreement.icc1 == pytest.approx((msb - msw) / (msb + (k - 1) * msw))
    assert agreement.icc2 == pytest.approx((msb - msw) / msb)


def test_icc1_recovers_the_true_share_of_team_variance_in_a_large_organisation() -> None:
    rng = np.random.default_rng(3)
    teams = np.repeat(np.arange(300), 12)
    scores = rng.normal(0, 0.5, 300)[teams] + rng.normal(0, 1.0, teams.size)
    agreement = team_agreement(scores, teams.tolist())
    assert agreement.icc1 == pytest.approx(0.25 / 1.25, abs=0.03)


@pytest.mark.parametrize(
    ("scores", "teams", "reason"),
    [
        ([3.0, 4.0, 5.0], ["a", "a", "a"], "1 team(s): at least 2 are needed"),
        ([3.0, 4.0], ["a", "b"], "every team has one person"),
        ([3.0, 3.0, 4.0, 4.0], ["a", "a", "b", "b"], "no variance within teams"),
    ],
)
def test_iccs_are_undefined_with_a_reason(
    scores: list[float], teams: list[str], reason: str
) -> None:
    agreement = team_agreement(scores, teams)
    assert agreement.icc1 is None and agreement.icc2 is None
    assert agreement.reason is not None and agreement.reason.startswith(reason)
    shrunk = shrunken_team_means(scores, teams)
    assert shrunk.teams == {} and shrunk.grand_mean is None and shrunk.reason == agreement.reason


@pytest.mark.parametrize("fit", ["reml", "anova"])
def test_shrunken_means_match_the_hand_computation_in_a_balanced_design(fit: str) -> None:
    result = shrunken_team_means(*_flatten(BALANCED), fit=fit)  # type: ignore[arg-type]
    assert result.method == ("mixedlm" if fit == "reml" else "anova")
    assert result.reason is None
    assert result.sigma2 == pytest.approx(MSW, rel=1e-4)
    assert result.tau2 == pytest.approx(TAU2, rel=1e-4)
    assert result.grand_mean == pytest.approx(3.25)
    var_grand = (TAU2 + MSW / 5) / 4
    for team, members in BALANCED.items():
        raw = sum(members) / 5
        figure = result.teams[team]
        assert figure.n == 5 and figure.raw_mean == pytest.approx(raw)
        assert figure.shrinkage == pytest.approx(LAMBDA, rel=1e-4)
        assert figure.mean == pytest.approx(3.25 + LAMBDA * (raw - 3.25), rel=1e-5)
        half = 1.959963984540054 * np.sqrt(LAMBDA * MSW / 5 + (1 - LAMBDA) ** 2 * var_grand)
        assert figure.ci_high - figure.mean == pytest.approx(half, rel=1e-4)
        assert figure.mean - figure.ci_low == pytest.approx(half, rel=1e-4)
    assert verify_shrinkage(result) == []


def test_the_reml_fit_agrees_with_statsmodels_own_random_effects() -> None:
    rng = np.random.default_rng(5)
    sizes = rng.integers(3, 15, size=25)
    teams = np.repeat(np.arange(25), sizes)
    scores = 3.4 + rng.normal(0, 0.4, 25)[teams] + rng.normal(0, 0.8, teams.size)
    result = shrunken_team_means(scores, teams.tolist())
    from statsmodels.regression.mixed_linear_model import MixedLM

    fitted = MixedLM(scores, np.ones((teams.size, 1)), groups=teams).fit(
        reml=True, method=["powell", "nm"]
    )
    intercept = float(fitted.fe_params[0])
    assert result.grand_mean == pytest.approx(intercept, abs=1e-6)
    for team, effect in fitted.random_effects.items():
        assert result.teams[int(team)].mean == pytest.approx(intercept + float(effect.iloc[0]))


@pytest.mark.parametrize("seed", range(6))
def test_shrunken_means_lie_between_the_raw_and_grand_means_and_keep_the_order(seed: int) -> None:
    rng = np.random.default_rng(seed)
    sizes = rng.choice([3, 5, 5, 8, 20], size=30)
    teams = np.repeat(np.arange(30), sizes)
    scores = np.clip(3.5 + rng.normal(0, 0.3, 30)[teams] + rng.normal(0, 0.9, teams.size), 1, 5)
    result = shrunken_team_means(scores, [f"team {t}" for t in teams])
    assert result.method == "mixedlm"
    assert verify_shrinkage(result) == []
    # a smaller team moves further toward the grand mean than a larger one
    by_size = sorted(result.teams.values(), key=lambda figure: figure.n)
    assert by_size[0].shrinkage <= by_size[-1].shrinkage


def test_no_variance_between_teams_makes_every_shrunken_mean_the_grand_mean() -> None:
    # every team has the same spread of scores around 3: no team effect at all
    scores = [2.0, 3.0, 4.0] * 6
    teams = [team for team in "abcdef" for _ in range(3)]
    result = shrunken_team_means(scores, teams)
    assert result.tau2 == 0.0
    assert result.reason is not None and "every team's shrunken mean is the grand mean" in (
        result.reason
    )
    assert [figure.mean for figure in result.teams.values()] == [pytest.approx(3.0)] * 6
    assert verify_shrinkage(result) == []


def test_verify_shrinkage_finds_means_past_the_raw_mean_and_swapped_teams() -> None:
    bad = ShrunkenMeans(
        grand_mean=3.0,
        tau2=0.1,
        sigma2=0.5,
        method="mixedlm",
        reason=None,
        confidence=0.95,
        teams={
            "a": TeamMean(n=5, raw_mean=4.0, mean=4.2, ci_low=3.8, ci_high=4.6, shrinkage=0.5),
            "b": TeamMean(n=5, raw_mean=3.5, mean=3.2, ci_low=2.9, ci_high=3.5, shrinkage=0.5),
            "c": TeamMean(n=5, raw_mean=3.6, mean=3.1, ci_low=2.8, ci_high=3.4, shrinkage=1.5),
        },
    )
    problems = verify_shrinkage(bad)
    assert any("team 'a'" in p and "not between" in p for p in problems)
    assert any("'c': shrinkage" in p for p in problems)
    assert any("'b' and 'c'" in p and "swapped" in p for p in problems)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: team_agreement([1.0, 2.0], ["a"]), "teams"),
        (lambda: team_agreement([1.0, float("nan")], ["a", "b"]), "scores[1]"),
        (lambda: team_agreement([[1.0, 2.0]], ["a"]), "scores"),
        (lambda: team_agreement([1.0, 2.0], ["a", ["b"]]), "teams[1]"),
        (lambda: shrunken_team_means([1.0, 2.0], ["a", "b"], confidence=1), "confidence"),
        (lambda: shrunken_team_means([1.0, 2.0], ["a", "b"], fit="ml"), "fit"),  # type: ignore[arg-type]
    ],
)
def test_bad_input_to_team_comparisons_names_the_field(call: object, field: str) -> None:
    with pytest.raises(StatsInputError) as raised:
        call()  # type: ignore[operator]
    assert raised.value.field == field
