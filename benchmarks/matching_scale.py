"""Scale of one pairing round: seconds, peak memory and certified quality at 1k to 100k people.

Each roster comes from the project's deterministic generator, with 52 weekly rounds of history
(random pairings, so that about 26 weeks of them fall in the default no-repeat window). For each
size, in a fresh process (so that peak memory is that size's own), it measures:

- the library: compile + candidate graph + solve (``pair_round``) and ``verify``, with the
  history as ``PastGroup`` objects and again as a ``HistoryTable`` (same groups, asserted);
- the command's engine end to end (``run_pair``: read PEOPLE.csv and HISTORY.csv, solve,
  verify, write GROUPS.csv), with the CSV files written beforehand (not timed).

Peak memory is the process's maximum resident set size (``resource.getrusage``), which includes
the Python objects of the roster and history. CPU seconds (``time.process_time``) are printed
beside wall-clock seconds, and the load average after each run: on a shared machine they tell a
slow run from a busy machine.

Usage::

    .venv/bin/python benchmarks/matching_scale.py --people 1000 10000 100000
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from connectwell.demo.generator import as_participants, generate_org
from connectwell.matching import (
    HistoryTable,
    Participant,
    PastGroup,
    Rules,
    pair_round,
    run_pair,
    verify,
)

ROUND_DATE = dt.date(2025, 1, 6)


def participants(people: int, seed: int) -> list[Participant]:
    return as_participants(generate_org(people=people, seed=seed, today=ROUND_DATE))


def shuffled_history(ids: list[str], weeks: int, seed: int) -> list[PastGroup]:
    """``weeks`` weekly rounds of random pairs (a trio when odd), the latest a week ago."""
    rng = random.Random(seed)
    history = []
    for week in range(1, weeks + 1):
        date = ROUND_DATE - dt.timedelta(weeks=week)
        order = ids[:]
        rng.shuffle(order)
        groups = [tuple(order[k : k + 2]) for k in range(0, len(order) - 1, 2)]
        if len(order) % 2:
            groups[-1] = (*groups[-1], order[-1])
        history += [PastGroup(date, g) for g in groups]
    return history


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(people: int, weeks: int, seed: int, mode: str) -> dict[str, object]:
    roster = participants(people, seed)
    history = shuffled_history([p.id for p in roster], weeks, seed)
    rules = Rules(reference_date=ROUND_DATE)
    if mode == "library":
        start = time.perf_counter()
        result = pair_round(roster, history=history, rules=rules, seed=seed)
        solved = time.perf_counter()
        report = verify(result, roster, history=history, rules=rules)
        verified = time.perf_counter()
        # The same round with the history as a HistoryTable (what `connectwell pair` passes).
        table = HistoryTable.from_groups(history, [p.id for p in roster])
        del history
        start_table = time.perf_counter()
        cpu = time.process_time()
        result_table = pair_round(roster, history=table, rules=rules, seed=seed)
        solved_table = time.perf_counter()
        cpu_table = time.process_time() - cpu
        report_table = verify(result_table, roster, history=table, rules=rules)
        verified_table = time.perf_counter()
        assert result_table.groups == result.groups
        assert report_table.repeats == report.repeats
        return {
            "people": people,
            "phases": {k: round(v, 3) for k, v in result.seconds.items()},
            "round_s": round(solved - start, 3),
            "verify_s": round(verified - solved, 3),
            "table_phases": {k: round(v, 3) for k, v in result_table.seconds.items()},
            "table_round_s": round(solved_table - start_table, 3),
            "table_round_cpu_s": round(cpu_table, 3),
            "table_verify_s": round(verified_table - solved_table, 3),
            "candidate_edges": result.candidate_edges,
            "certified_ratio": result.certified_ratio,
            "dropped": len(report.dropped),
            "sizes": report.sizes,
            "repeats": report.repeats,
            "same_team_pairs": report.same_team_pairs,
            "pairs_without_shared_hours": report.pairs_without_shared_hours,
            "peak_rss_mib": round(rss_mib()),
        }
    with tempfile.TemporaryDirectory() as folder:
        people_csv, history_csv = Path(folder, "people.csv"), Path(folder, "history.csv")
        with people_csv.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    "id",
                    "team",
                    "manager",
                    "timezone",
                    "work_start",
                    "work_end",
                    "level",
                    "location",
                    "interests",
                ]
            )
            for p in roster:
                writer.writerow(
                    [
                        p.id,
                        p.team,
                        p.manager or "",
                        p.timezone,
                        p.work_start.strftime("%H:%M"),
                        p.work_end.strftime("%H:%M"),
                        p.level,
                        p.location,
                        ";".join(sorted(p.interests)),
                    ]
                )
        with history_csv.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["date", "group", "person"])
            for number, group in enumerate(history):
                for member in group.members:
                    writer.writerow([group.date.isoformat(), number, member])
        rows = len(history) and sum(len(g.members) for g in history)
        del roster, history
        before = rss_mib()
        start = time.perf_counter()
        cpu = time.process_time()
        summary = run_pair(
            people_csv,
            Path(folder, "groups.csv"),
            history_path=history_csv,
            seed=seed,
            today=ROUND_DATE,
        )
        return {
            "people": people,
            "history_rows": rows,
            "end_to_end_s": round(time.perf_counter() - start, 3),
            "end_to_end_cpu_s": round(time.process_time() - cpu, 3),
            "phases": {k: round(v, 3) for k, v in summary.phases.items()},
            "certified_ratio": summary.certified_ratio,
            "summary": summary.lines(),
            "rss_before_mib": round(before),
            "peak_rss_mib": round(rss_mib()),
        }


def load() -> str:
    """The 1-minute load average, to judge how busy the machine was."""
    return f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--weeks", type=int, default=52, help="weeks of history")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", choices=["both", "library", "command"], default="both")
    parser.add_argument("--single", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        print(json.dumps(measure(args.people[0], args.weeks, args.seed, args.mode)))
        return
    modes = ["library", "command"] if args.mode == "both" else [args.mode]
    for people in args.people:
        for mode in modes:
            output = subprocess.run(  # noqa: S603 - our own script
                [
                    sys.executable,
                    __file__,
                    "--single",
                    "--people",
                    str(people),
                    "--weeks",
                    str(args.weeks),
                    "--seed",
                    str(args.seed),
                    "--mode",
                    mode,
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            figures = json.loads(output)
            print(f"== {people} people, {args.weeks} weeks of history, {mode} (load {load()})")
            for key, value in figures.items():
                if key == "summary":
                    for line in value:
                        print(f"   | {line}")
                else:
                    print(f"   {key}: {value}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
