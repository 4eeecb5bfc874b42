"""Benchmark: ICC(1)/ICC(2) and shrunken team means for 10,000 people in 200 teams.

    .venv/bin/python benchmarks/multilevel_scale.py --people 10000 --teams 200 --runs 3

Person scores: a team effect N(0, 0.3^2) plus a person effect N(0, 0.8^2) around 3.5, clipped to
1..5, teams of unequal size (each person's team drawn uniformly). Generating the data is not
timed; the first run includes importing statsmodels (about 1 s), so the median of the runs is
reported with each run's time. Target (issue 9): under 5 s on the shared 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from connectwell.stats import shrunken_team_means, team_agreement, verify_shrinkage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    teams = rng.integers(0, args.teams, args.people)
    effects = rng.normal(0, 0.3, args.teams)
    scores = np.clip(3.5 + effects[teams] + rng.normal(0, 0.8, args.people), 1, 5)
    labels = [f"team {t}" for t in teams]
    times = []
    for run in range(args.runs):
        start = time.perf_counter()
        agreement = team_agreement(scores, labels)
        result = shrunken_team_means(scores, labels)
        times.append(time.perf_counter() - start)
        print(f"run {run + 1}: {times[-1]:.2f} s")
    assert verify_shrinkage(result) == []
    sizes = [figure.n for figure in result.teams.values()]
    print(
        f"\n{args.people:,} people in {len(sizes)} teams ({min(sizes)}-{max(sizes)} people)\n"
        f"median {statistics.median(times):.2f} s (team_agreement + shrunken_team_means), "
        f"load average {os.getloadavg()[0]:.1f}\n"
        f"method {result.method}, tau2 {result.tau2:.4f}, sigma2 {result.sigma2:.4f}, "
        f"ICC(1) {agreement.icc1:.3f}, ICC(2) {agreement.icc2:.3f}, "
        f"shrinkage {min(f.shrinkage for f in result.teams.values()):.3f}-"
        f"{max(f.shrinkage for f in result.teams.values()):.3f}"
    )


if __name__ == "__main__":
    main()
