"""Benchmark: connection-network measures for 100,000 people and 2,000,000 interactions.

    .venv/bin/python benchmarks/network_measures.py --people 100000 --edges 2000000 --runs 3

Teams come from ``connectwell.demo.generator.generate_org`` (about one team per 17 people:
5,882 teams of 5 to 31 at 100,000 people, nested under departments). Interactions are drawn
with numpy: 75% inside the sender's team, 15% with a sibling team (same parent team), 10% with
anyone; kinds 35% shout-outs (directed), 25% met pairings, 20% help, 20% shared events; ages
uniform over the last 365 days. Generating the organisation and the arrays is not timed.

Each run is a fresh process, so that its peak memory (``resource.getrusage`` maximum RSS) is its
own. Timed: ``build_network`` (validation and the sparse matrices) and every measure; then the
same again under ``tracemalloc`` for the peak of what the library itself allocates. ``--verify``
also checks the full-size result with the plain-Python checker (slow, not timed in the total).
Targets (issue 5): at most 60 s and 4 GB on the 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from connectwell.network import (
    KINDS,
    Network,
    bridging_teams,
    build_network,
    connections_of,
    isolation,
    measure,
    reciprocity,
    team_modularity,
    team_ties,
    verify,
)

REFERENCE = dt.date(2025, 1, 6)
STEPS = (
    "build_network",
    "isolation",
    "team_ties",
    "team_modularity",
    "reciprocity",
    "bridging_teams",
    "connections_of x1000",
)
Arrays = dict[str, npt.NDArray[Any]]


def organisation(people: int, seed: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Team of each person and parent team of each team (-1 for a department) from the demo."""
    from connectwell.demo.generator import generate_org

    org = generate_org(people, seed=seed, today=REFERENCE)
    index = {team.path: number for number, team in enumerate(org.teams)}
    parent = np.array(
        [index[t.parent_path] if t.parent_path else -1 for t in org.teams], dtype=np.int64
    )
    team = np.array([index[person.team] for person in org.people], dtype=np.int64)
    return team, parent


def interactions(
    team: npt.NDArray[np.int64], parent: npt.NDArray[np.int64], edges: int, seed: int
) -> Arrays:
    """``edges`` interactions: mostly inside teams, some with sibling teams, a few anywhere."""
    rng = np.random.default_rng(seed)
    people, teams = team.shape[0], parent.shape[0]
    by_team = np.argsort(team, kind="stable")
    size = np.bincount(team, minlength=teams)
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    position = np.empty(people, dtype=np.int64)
    position[by_team] = np.arange(people) - start[team[by_team]]

    def member_of(teams_: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        return by_team[start[teams_] + rng.integers(0, size[teams_])]

    source = rng.integers(0, people, size=edges)
    target = rng.integers(0, people, size=edges)  # 10%: anyone
    draw = rng.random(edges)
    inside = draw < 0.75
    s_team = team[source[inside]]
    step = 1 + rng.integers(0, np.maximum(size[s_team] - 1, 1))
    target[inside] = by_team[start[s_team] + (position[source[inside]] + step) % size[s_team]]

    sibling = (draw >= 0.75) & (draw < 0.90)
    # A random team with the same parent: teams sorted by parent, a random one of the group.
    groups = np.argsort(parent, kind="stable")
    group_size = np.bincount(parent + 1, minlength=teams + 1)
    group_start = np.concatenate([[0], np.cumsum(group_size)[:-1]])
    parents = parent[team[source[sibling]]] + 1
    other = groups[group_start[parents] + rng.integers(0, group_size[parents])]
    target[sibling] = member_of(other)

    same = source == target
    target[same] = (target[same] + 1) % people
    kind = rng.choice(len(KINDS), size=edges, p=[0.25, 0.35, 0.20, 0.20]).astype(np.int8)
    age = rng.random(edges) * 365.0
    return {"source": source, "target": target, "kind": kind, "age_days": age}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed(steps: dict[str, float], name: str, call: Callable[[], Any]) -> Any:
    began = time.perf_counter()
    value = call()
    steps[name] = time.perf_counter() - began
    return value


def measure_all(team: npt.NDArray[np.int64], arrays: Arrays, steps: dict[str, float]) -> Network:
    net: Network = timed(
        steps,
        "build_network",
        lambda: build_network(
            team,
            arrays["source"],
            arrays["target"],
            arrays["kind"],
            age_days=arrays["age_days"],
        ),
    )
    timed(steps, "isolation", lambda: isolation(net))
    timed(steps, "team_ties", lambda: team_ties(net))
    timed(steps, "team_modularity", lambda: team_modularity(net))
    timed(steps, "reciprocity", lambda: reciprocity(net))
    timed(steps, "bridging_teams", lambda: bridging_teams(net))
    people = np.random.default_rng(0).integers(0, net.people, size=1000)
    timed(steps, "connections_of x1000", lambda: [connections_of(net, int(p)) for p in people])
    return net


def child(options: argparse.Namespace) -> dict[str, Any]:
    began = time.perf_counter()
    team, parent = organisation(options.people, options.seed)
    org_seconds = time.perf_counter() - began
    began = time.perf_counter()
    arrays = interactions(team, parent, options.edges, options.seed)
    edge_seconds = time.perf_counter() - began
    rss_before = peak_rss_mib()

    steps: dict[str, float] = {}
    net = measure_all(team, arrays, steps)
    total = sum(steps.values())
    rss_after = peak_rss_mib()
    result = measure(net)
    figures: dict[str, Any] = {
        "people": net.people,
        "teams": net.teams,
        "edges": net.edges,
        "ties": net.ties.count,
        "recent_ties": net.recent.count,
        "generate_org_s": org_seconds,
        "generate_edges_s": edge_seconds,
        "steps": steps,
        "total_s": total,
        "peak_rss_before_mib": rss_before,
        "peak_rss_mib": rss_after,
        "isolated": result.isolation.count,
        "ei_index_overall": result.teams.ei_index_overall,
        "cross_team_ratio": result.teams.cross_team_ratio_overall,
        "modularity": result.modularity.q,
        "reciprocity": result.reciprocity.ratio,
        "max_other_teams": int(result.bridging.other_teams.max()),
        "load_average": os.getloadavg()[0],
    }
    del result, net

    tracemalloc.start()
    measure_all(team, arrays, {})
    figures["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()

    if options.verify:
        net = build_network(
            team, arrays["source"], arrays["target"], arrays["kind"], age_days=arrays["age_days"]
        )
        began = time.perf_counter()
        report = verify(net, measure(net))
        figures["verify_s"] = time.perf_counter() - began
        figures["verify_ok"] = report.ok
        figures["verify_problems"] = list(report.problems[:5])
    figures["peak_rss_end_mib"] = peak_rss_mib()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verify", action="store_true", help="check with the slow checker")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(child(options)))
        return

    runs: list[dict[str, Any]] = []
    for run in range(options.runs):
        command = [sys.executable, __file__, "--child", *sys.argv[1:]]
        done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        runs.append(figures)
        print(
            f"run {run + 1}: total {figures['total_s']:.2f} s, "
            f"peak RSS {figures['peak_rss_mib']:.0f} MiB, "
            f"load average {figures['load_average']:.1f}",
            flush=True,
        )

    first = runs[0]
    print(
        f"\n{first['people']:,} people in {first['teams']:,} teams, {first['edges']:,} "
        f"interactions -> {first['ties']:,} distinct ties ({first['recent_ties']:,} in the last "
        f"90 days); generate_org {first['generate_org_s']:.1f} s, interactions "
        f"{first['generate_edges_s']:.1f} s (not timed)"
    )
    print(f"\n| step | {' | '.join(f'run {i + 1}' for i in range(len(runs)))} | median |")
    print(f"|---|{'---:|' * (len(runs) + 1)}")
    for step in (*STEPS, "total"):
        values = [r["total_s"] if step == "total" else r["steps"][step] for r in runs]
        cells = " | ".join(f"{v:.3f} s" for v in values)
        print(f"| {step} | {cells} | {statistics.median(values):.3f} s |")
    for key, label in (
        ("peak_rss_before_mib", "peak RSS before measuring"),
        ("peak_rss_mib", "peak RSS after measuring"),
        ("tracemalloc_peak_mib", "tracemalloc peak of the library"),
    ):
        values = [r[key] for r in runs]
        cells = " | ".join(f"{v:,.0f} MiB" for v in values)
        print(f"| {label} | {cells} | {statistics.median(values):,.0f} MiB |")
    print(
        f"\nisolated {first['isolated']:,}; E-I overall {first['ei_index_overall']:.3f}; "
        f"cross-team ratio {first['cross_team_ratio']:.3f}; modularity {first['modularity']:.3f}; "
        f"reciprocity {first['reciprocity']:.3f}; most other teams touched "
        f"{first['max_other_teams']}"
    )
    if options.verify:
        for number, r in enumerate(runs, 1):
            print(
                f"run {number}: verify {r['verify_ok']} in {r['verify_s']:.1f} s "
                f"{r['verify_problems']}; peak RSS {r['peak_rss_end_mib']:,.0f} MiB"
            )
    median_total = statistics.median(r["total_s"] for r in runs)
    worst_rss = max(r["peak_rss_mib"] for r in runs)
    print(
        f"\ntarget <= 60 s: {'met' if median_total <= 60 else 'MISSED'} "
        f"({median_total:.2f} s median); target <= 4 GB: "
        f"{'met' if worst_rss <= 4096 else 'MISSED'} ({worst_rss:,.0f} MiB worst peak RSS)"
    )


if __name__ == "__main__":
    main()
