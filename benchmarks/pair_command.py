"""`connectwell pair` end to end: the real command, timed as a subprocess.

Generates PEOPLE.csv (people in teams of about 8 under a manager, four time zones: London,
Berlin, New York, Singapore, 09:00-17:00 local, a level and a location) and HISTORY.csv (weekly
rounds of random pairs, the latest a week before the round) into a temporary folder, then runs
``connectwell pair --people ... --history ... --out ... --date 2025-01-06`` ``--repeat`` times
as a child process and prints, for each run and as the median: wall-clock seconds, CPU seconds
(user + system, from ``os.wait4``: that child's own ``getrusage``), and the child's peak RSS.
The 1-minute load average is printed before and after: the machine is shared.

    PYTHONPATH=src .venv/bin/python benchmarks/pair_command.py --people 100000 --weeks 52
    PYTHONPATH=src .venv/bin/python benchmarks/pair_command.py --people 1000000 --weeks 0
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROUND_DATE = dt.date(2025, 1, 6)
ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "Asia/Singapore")


def write_people(path: Path, people: int, seed: int) -> None:
    """PEOPLE.csv: teams of about 8 (the first member manages the others), four time zones."""
    rng = np.random.default_rng(seed)
    team = np.arange(people) // 8
    zone = rng.integers(0, len(ZONES), size=people // 8 + 1)[team]  # a team in one zone
    level = rng.integers(1, 6, size=people)
    location = rng.integers(0, 20, size=people)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("id,team,manager,timezone,work_start,work_end,level,location\n")
        lines = []
        for k in range(people):
            manager = "" if k % 8 == 0 else f"p{k - k % 8}"
            lines.append(
                f"p{k},team{team[k]},{manager},{ZONES[zone[k]]},09:00,17:00,{level[k]},"
                f"office{location[k]}\n"
            )
            if len(lines) == 100_000:
                handle.write("".join(lines))
                lines = []
        handle.write("".join(lines))


def write_history(path: Path, people: int, weeks: int, seed: int) -> int:
    """HISTORY.csv: ``weeks`` weekly rounds of random pairs; returns the number of rows."""
    rng = np.random.default_rng(seed + 1)
    ids = np.array([f"p{k}" for k in range(people)], dtype=object)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("date,group,person\n")
        for week in range(1, weeks + 1):
            date = (ROUND_DATE - dt.timedelta(weeks=week)).isoformat()
            order = ids[rng.permutation(people)][: people - people % 2]
            groups = np.repeat(np.arange(len(order) // 2), 2)
            handle.write(
                "".join(
                    f"{date},{group},{person}\n"
                    for group, person in zip(groups.tolist(), order.tolist(), strict=True)
                )
            )
            rows += len(order)
    return rows


def run_once(command: list[str], log: Path) -> dict[str, float]:
    """Run ``command``; its wall and CPU seconds and peak RSS (MiB), from ``os.wait4``."""
    with log.open("w") as output:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"the command failed ({child.returncode}):\n{log.read_text()}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mib": usage.ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=52, help="weeks of history (0: none)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    executable = Path(sys.executable).with_name("connectwell")
    with tempfile.TemporaryDirectory() as folder:
        people_csv = Path(folder, "people.csv")
        history_csv = Path(folder, "history.csv")
        clock = time.perf_counter()
        write_people(people_csv, args.people, args.seed)
        rows = write_history(history_csv, args.people, args.weeks, args.seed) if args.weeks else 0
        print(
            f"{args.people:,} people, {args.weeks} weeks of history: {rows:,} rows "
            f"({people_csv.stat().st_size / 2**20:.1f} MiB + "
            f"{history_csv.stat().st_size / 2**20 if rows else 0:.1f} MiB), "
            f"generated in {time.perf_counter() - clock:.1f} s"
        )
        command = [
            str(executable),
            "pair",
            "--people",
            str(people_csv),
            "--out",
            str(Path(folder, "groups.csv")),
            "--date",
            ROUND_DATE.isoformat(),
            "--verbose",
        ]
        if rows:
            command[4:4] = ["--history", str(history_csv)]
        print(f"load average before: {os.getloadavg()[0]:.1f}")
        runs = []
        log = Path(folder, "output.txt")
        for number in range(1, args.repeat + 1):
            run = run_once(command, log)
            runs.append(run)
            print(
                f"run {number}: {run['wall']:.2f} s wall, {run['cpu']:.2f} s CPU, "
                f"peak RSS {run['rss_mib']:,.0f} MiB (load {os.getloadavg()[0]:.1f})"
            )
        print(
            f"median of {len(runs)}: "
            f"{statistics.median(r['wall'] for r in runs):.2f} s wall, "
            f"{statistics.median(r['cpu'] for r in runs):.2f} s CPU, "
            f"peak RSS {max(r['rss_mib'] for r in runs):,.0f} MiB (the largest)"
        )
        print("the command's summary (last run):")
        print("  " + log.read_text().rstrip().replace("\n", "\n  "))


if __name__ == "__main__":
    main()
