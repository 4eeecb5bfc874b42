"""Benchmark: how often "clear change" and "clearly lowest" are wrong, by seeded simulation.

    .venv/bin/python benchmarks/change_simulation.py --repeats 10000

- compare_rounds without a true change (both rounds from the same distribution of one-item
  answers on 1..5, 20 people each): the share flagged as a clear change.
- compare_rounds with a true change of one point at 20 people (answers 1..4 with
  p = 0.15, 0.35, 0.35, 0.15, then the same one point higher): the share flagged (power).
- clearly_lowest over four pathways of 8 people (scores N(mean, 0.8^2) clipped to 1..5), the
  lowest 0.3 below the other three: how often it names the right one, a wrong one or none, and
  how often the plain lowest mean is wrong; and with no true gap, how often it names any.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from connectwell.stats import GroupSummary, clearly_lowest, compare_rounds

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "stats"))
from answer_distributions import DISTRIBUTIONS, draw_answers


def summary(scores: np.ndarray) -> GroupSummary:
    return GroupSummary(len(scores), float(scores.mean()), float(scores.std(ddof=1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    repeats = args.repeats
    print(f"{repeats:,} seeded repeats per line (seed {args.seed})\n")
    print("| compare_rounds, 20 and 20 people | flagged as a clear change |")
    print("|---|---:|")
    for name in ("typical", "uniform", "skewed high", "skewed low", "split"):
        flagged = sum(
            compare_rounds(
                *(summary(s) for s in draw_answers(rng, DISTRIBUTIONS[name], (2, 20)))
            ).clear
            for _ in range(repeats)
        )
        print(f"| no true change, {name} answers | {flagged / repeats:.3f} |")
    before_p, after_p = (0.15, 0.35, 0.35, 0.15, 0.0), (0.0, 0.15, 0.35, 0.35, 0.15)
    flagged = sum(
        compare_rounds(
            summary(draw_answers(rng, before_p, (20,))), summary(draw_answers(rng, after_p, (20,)))
        ).clear
        for _ in range(repeats)
    )
    print(f"| a true change of 1 point | {flagged / repeats:.3f} |\n")

    truth = {"play": 3.0, "trust": 3.3, "energy": 3.3, "growth": 3.3}
    right = wrong = none = naive_wrong = 0
    for _ in range(repeats):
        figures = {
            name: summary(np.clip(rng.normal(mean, 0.8, 8), 1, 5)) for name, mean in truth.items()
        }
        named = clearly_lowest(figures)
        right += named == "play"
        wrong += named is not None and named != "play"
        none += named is None
        naive_wrong += min(figures, key=lambda name: figures[name].mean) != "play"
    any_named = sum(
        clearly_lowest({k: summary(np.clip(rng.normal(3.3, 0.8, 8), 1, 5)) for k in "abcd"})
        is not None
        for _ in range(repeats)
    )
    print("| clearly_lowest, 4 pathways of 8 people | share |")
    print("|---|---:|")
    print(f"| true gap 0.3: names the lowest | {right / repeats:.3f} |")
    print(f"| true gap 0.3: names a wrong one | {wrong / repeats:.3f} |")
    print(f"| true gap 0.3: no pathway stands out | {none / repeats:.3f} |")
    print(f"| true gap 0.3: the plain lowest mean is wrong | {naive_wrong / repeats:.3f} |")
    print(f"| no true gap: names one | {any_named / repeats:.3f} |")


if __name__ == "__main__":
    main()
