"""A year of weekly rounds: connectwell against a plain shuffle, side by side.

For each roster size, 52 weekly rounds are run twice from an empty history: once with
``pair_round`` (default rules: 26-week no-repeat window, 1 shared hour, across teams), once with
a plain shuffle (random pairs; the odd person out sits the round out, as simple pairing bots
do). Each method accumulates its own history, and every round of both is checked by
``verify`` against that history. Totals over the year: repeats within 26 weeks, same-team pairs,
pairs without a shared working hour, people dropped, and seconds.

Usage::

    .venv/bin/python benchmarks/matching_year.py --people 1000 10000 --weeks 52
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time

from matching_scale import participants

from connectwell.matching import Participant, PastGroup, Rules, pair_round, verify

FIRST_ROUND = dt.date(2025, 1, 6)


def shuffle_round(ids: list[str], rng: random.Random) -> list[tuple[str, ...]]:
    order = ids[:]
    rng.shuffle(order)
    return [tuple(order[k : k + 2]) for k in range(0, len(order) - 1, 2)]


def year(roster: list[Participant], weeks: int, seed: int, method: str) -> dict[str, float]:
    ids = [p.id for p in roster]
    rng = random.Random(seed)
    history: list[PastGroup] = []
    totals = {"repeats": 0, "same_team": 0, "no_shared_hour": 0, "dropped": 0, "pairs": 0}
    seconds = 0.0
    for week in range(weeks):
        rules = Rules(reference_date=FIRST_ROUND + dt.timedelta(weeks=week))
        start = time.perf_counter()
        if method == "connectwell":
            groups = pair_round(roster, history=history, rules=rules, seed=seed + week).groups
        else:
            groups = tuple(shuffle_round(ids, rng))
        seconds += time.perf_counter() - start
        report = verify(groups, roster, history=history, rules=rules, strict=False)
        totals["repeats"] += report.repeats
        totals["same_team"] += report.same_team_pairs
        totals["no_shared_hour"] += report.pairs_without_shared_hours
        totals["dropped"] += len(report.dropped)
        totals["pairs"] += report.pairs
        history += [PastGroup(rules.reference_date, g) for g in groups]  # type: ignore[arg-type]
    return {**totals, "seconds": round(seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for people in args.people:
        roster = participants(people, args.seed)
        print(f"== {people} people, {args.weeks} weekly rounds")
        print(
            f"{'method':<14}{'pairs':>9}{'repeats':>9}{'same team':>11}"
            f"{'no shared hr':>14}{'dropped':>9}{'seconds':>9}"
        )
        for method in ("connectwell", "shuffle"):
            t = year(roster, args.weeks, args.seed, method)
            print(
                f"{method:<14}{t['pairs']:>9}{t['repeats']:>9}{t['same_team']:>11}"
                f"{t['no_shared_hour']:>14}{t['dropped']:>9}{t['seconds']:>9}"
            )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
