"""The LP matching against exact blossom, on the same candidate graph and weights, in one run.

It builds the candidate graph of one round for a roster from the project's generator (with
26 weeks of random-pairing history), then solves the same maximum-weight matching with:

- connectwell's LP/assignment matching (``connectwell.matching.pairs.max_weight_matching``),
- networkx's exact blossom (``networkx.max_weight_matching(maxcardinality=True)``),
- rustworkx's exact blossom (``rustworkx.max_weight_matching(max_cardinality=True)``),

and prints weights, weight ratios, seconds and time ratios. It also times a whole
``pair_round`` (compile + candidates + solve + groups) against the networkx solve alone.

Usage::

    .venv/bin/python benchmarks/matching_vs_blossom.py --people 1000 --repeat 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import networkx as nx
import numpy as np
import rustworkx as rx
from matching_scale import ROUND_DATE, participants, shuffled_history

from connectwell.matching import Rules, pair_round, verify
from connectwell.matching.candidates import CandidateGraph, candidate_graph
from connectwell.matching.pairs import max_weight_matching
from connectwell.matching.roster import compile_roster


def weight_of(graph: CandidateGraph, pairs: list[tuple[int, int]]) -> int:
    lookup = {
        (int(a), int(b)): int(w) for a, b, w in zip(graph.u, graph.v, graph.weight, strict=True)
    }
    return sum(lookup[min(a, b), max(a, b)] for a, b in pairs)


def best_time(repeat: int, run: object) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = run()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="best of N for the fast solvers")
    args = parser.parse_args()

    roster = participants(args.people, args.seed)
    history = shuffled_history([p.id for p in roster], 26, args.seed)
    rules = Rules(reference_date=ROUND_DATE - dt.timedelta(days=0))
    compiled = compile_roster(roster, history, [], rules, args.seed)
    graph = candidate_graph(compiled, np.random.default_rng(args.seed))
    print(
        f"people: {args.people}, candidate edges: {len(graph)} "
        f"({2 * len(graph) / args.people:.1f} per person)"
    )

    ours_s, ours = best_time(args.repeat, lambda: max_weight_matching(graph))
    ours_weight = ours.weight  # type: ignore[attr-defined]
    bound = ours.upper_bound  # type: ignore[attr-defined]

    g = nx.Graph()
    g.add_nodes_from(range(graph.n))
    g.add_weighted_edges_from(
        (int(a), int(b), int(w)) for a, b, w in zip(graph.u, graph.v, graph.weight, strict=True)
    )
    start = time.perf_counter()
    nx_pairs = nx.max_weight_matching(g, maxcardinality=True)
    nx_s = time.perf_counter() - start
    nx_weight = weight_of(graph, list(nx_pairs))

    r = rx.PyGraph()
    r.add_nodes_from(range(graph.n))
    r.add_edges_from(
        [(int(a), int(b), int(w)) for a, b, w in zip(graph.u, graph.v, graph.weight, strict=True)]
    )
    rx_s, rx_pairs = best_time(
        args.repeat, lambda: rx.max_weight_matching(r, max_cardinality=True, weight_fn=int)
    )
    rx_weight = weight_of(graph, list(rx_pairs))  # type: ignore[call-overload]

    round_s, result = best_time(
        args.repeat, lambda: pair_round(roster, history=history, rules=rules, seed=args.seed)
    )
    report = verify(result, roster, history=history, rules=rules)  # type: ignore[arg-type]

    print(f"{'solver':<34}{'weight':>12}{'pairs':>8}{'seconds':>10}")
    print(f"{'connectwell LP matching':<34}{ours_weight:>12}{len(ours.pairs()):>8}{ours_s:>10.4f}")  # type: ignore[attr-defined]
    print(f"{'networkx exact blossom':<34}{nx_weight:>12}{len(nx_pairs):>8}{nx_s:>10.4f}")
    print(f"{'rustworkx exact blossom':<34}{rx_weight:>12}{len(rx_pairs):>8}{rx_s:>10.4f}")  # type: ignore[arg-type]
    print(f"certified upper bound (LP): {bound:.1f}")
    print(f"weight ratio to networkx optimum: {ours_weight / nx_weight:.6f}")
    print(f"weight ratio to the certified bound: {ours_weight / bound:.6f}")
    print(f"speed-up over networkx (solve vs solve): {nx_s / ours_s:.0f}x")
    print(f"speed-up over rustworkx (solve vs solve): {rx_s / ours_s:.1f}x")
    print(
        f"whole pair_round (compile, candidates, solve, groups): {round_s:.4f} s, "
        f"{nx_s / round_s:.0f}x faster than the networkx solve alone"
    )
    print(
        f"verified: dropped {len(report.dropped)}, repeats {report.repeats}, "
        f"same-team {report.same_team_pairs}, without shared hours "
        f"{report.pairs_without_shared_hours}"
    )


if __name__ == "__main__":
    main()
