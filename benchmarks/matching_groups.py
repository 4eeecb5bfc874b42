"""Groups mode and odd groups: the figures of issue 11's groups lane.

Two measurements, each printed as a table:

- *tight roster*: 501 people (or ``--tight``) where one team holds 29% of everyone and the rest
  are spread over small teams, so that groups of the requested size cannot all avoid
  same-team pairs; for each size, seeds 0-2: the group sizes made, the same-team pairs, pairs
  without shared hours and seconds. Fewer, larger groups than asked for cost same-team pairs.
- *trios on an even roster*: pairs mode on ``--trios`` people (20,000 by default, an even
  count) from the project's generator, for seeds 0-9 (roster and round): the number of groups
  of three made (0 expected unless the constraints force one) and seconds.

Usage::

    .venv/bin/python benchmarks/matching_groups.py
    .venv/bin/python benchmarks/matching_groups.py --trios 20000 --seeds 10
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from connectwell.demo.generator import as_participants, generate_org
from connectwell.matching import Participant, Rules, pair_round, verify

ROUND_DATE = dt.date(2025, 1, 6)
ZONES = ("Europe/London", "Europe/Berlin", "Europe/Paris")


def tight_roster(n: int) -> list[Participant]:
    """One team of 29% of ``n``; the others in teams of 7, in three near time zones."""
    big = round(0.29 * n)
    return [
        Participant(
            f"p{k}",
            team="big" if k < big else f"small{(k - big) // 7}",
            timezone=ZONES[k % len(ZONES)],
        )
        for k in range(n)
    ]


def tight(n: int, sizes: list[int]) -> None:
    people = tight_roster(n)
    print(f"Tight roster: {n} people, one team of {round(0.29 * n)}")
    print("| size | seed | groups made | same-team pairs | pairs without shared hours | s |")
    print("|---:|---:|---|---:|---:|---:|")
    for size in sizes:
        rules = Rules(group_size=size, reference_date=ROUND_DATE)
        for seed in range(3):
            clock = time.perf_counter()
            result = pair_round(people, rules=rules, seed=seed)
            seconds = time.perf_counter() - clock
            report = verify(result, people, rules=rules)
            made = " + ".join(f"{count}x{s}" for s, count in sorted(report.sizes.items()))
            print(
                f"| {size} | {seed} | {made} | {report.same_team_pairs} "
                f"| {report.pairs_without_shared_hours} | {seconds:.2f} |"
            )


def trios(n: int, seeds: int) -> None:
    print(f"Pairs mode, {n} people (generator), seeds 0-{seeds - 1}")
    print("| seed | groups of 3 | pairs without shared hours | s |")
    print("|---:|---:|---:|---:|")
    rules = Rules(reference_date=ROUND_DATE)
    for seed in range(seeds):
        people = as_participants(generate_org(people=n, seed=seed, today=ROUND_DATE))
        clock = time.perf_counter()
        result = pair_round(people, rules=rules, seed=seed)
        seconds = time.perf_counter() - clock
        report = verify(result, people, rules=rules)
        print(
            f"| {seed} | {report.sizes.get(3, 0)} | {report.pairs_without_shared_hours} "
            f"| {seconds:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tight", type=int, default=501)
    parser.add_argument("--sizes", type=int, nargs="+", default=[3, 4, 5])
    parser.add_argument("--trios", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    tight(args.tight, args.sizes)
    print()
    trios(args.trios, args.seeds)


if __name__ == "__main__":
    main()
