"""Benchmark: how often the 95% interval of a construct score covers the true mean.

    .venv/bin/python benchmarks/intervals_coverage.py --repeats 10000

For each distribution of answers on 1..5 (from near-degenerate to uniform, skewed and split)
and each group size n = 5, 8, 12, 30, draws ``repeats`` seeded samples of n one-item answers
(the most discrete person scores there are) and counts how often the interval contains the
true mean. Columns: ``connectwell.stats.mean_interval`` (one pseudo-answer at each end of the
scale, spread at least MIN_SPREAD) and, for comparison, the plain t interval with the spread at
least MIN_SPREAD (what the groundwork commit had), each with its mean width.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy import stats as scipy_stats

from connectwell.stats import MIN_SPREAD, mean_interval

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "stats"))
from answer_distributions import DISTRIBUTIONS, SIZES, draw_answers, true_mean


def measure(probabilities: tuple[float, ...], n: int, repeats: int, seed: int) -> list[float]:
    rng = np.random.default_rng(seed)
    truth = true_mean(probabilities)
    samples = draw_answers(rng, probabilities, (repeats, n))
    covered = width = 0.0
    for sample in samples:
        _, low, high = mean_interval(sample)
        assert low is not None and high is not None
        covered += low <= truth <= high
        width += high - low
    means = samples.mean(axis=1)
    spread = np.maximum(samples.std(axis=1, ddof=1), MIN_SPREAD)
    half = scipy_stats.t.ppf(0.975, n - 1) * spread / np.sqrt(n)
    plain = float(((means - half <= truth) & (truth <= means + half)).mean())
    return [covered / repeats, width / repeats, plain, float((2 * half).mean())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print(f"95% intervals, {args.repeats:,} seeded samples per cell (seed {args.seed})\n")
    print("| answers 1..5 (p of 1,2,3,4,5) | n | coverage | width | plain t coverage | width |")
    print("|---|---:|---:|---:|---:|---:|")
    worst = (1.0, "")
    for k, (name, probabilities) in enumerate(DISTRIBUTIONS.items()):
        for n in SIZES:
            coverage, width, plain, plain_width = measure(
                probabilities, n, args.repeats, args.seed + 97 * k + n
            )
            worst = min(worst, (coverage, f"{name} at n = {n}"))
            shown = ", ".join(f"{p:g}" for p in probabilities)
            print(
                f"| {name} ({shown}) | {n} | {coverage:.3f} | {width:.2f} | {plain:.3f} "
                f"| {plain_width:.2f} |"
            )
    print(f"\nLowest coverage: {worst[0]:.3f} ({worst[1]})")


if __name__ == "__main__":
    main()
