"""How tight the bound over all pairs is, and what it costs, at 1,000 to 100,000 people.

For each size it runs one pairs round (``pair_round``) on a roster from the project's generator
with 52 weeks of random-pairing history (26 inside the no-repeat window), and prints:

- the round's weight, the candidate-graph bound (``Result.upper_bound``) and the bound over all
  pairs (``Result.all_pairs_bound``), with the ratios of the weight to each;
- up to ``--exact-up-to`` people, the exact optimum over all pairs (rustworkx's blossom on the
  complete graph with the library's own weights), so that the bound's own gap is seen;
- the seconds of the bound beside the seconds of the whole round (best of ``--repeat``), and
  the bound as "everyone picks their best partner" (no dual descent) for comparison.

Usage::

    .venv/bin/python benchmarks/matching_bound.py --people 1000 5000 100000 --exact-up-to 5000
    .venv/bin/python benchmarks/matching_bound.py --people 1000 --group-size 4
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import rustworkx as rx
from matching_scale import ROUND_DATE, participants, shuffled_history

from connectwell.matching import HistoryTable, Rules, pair_round, verify
from connectwell.matching.bound import all_pairs_upper_bound
from connectwell.matching.roster import Roster, compile_roster


def exact_optimum(roster: Roster) -> tuple[int, float]:
    """The best perfect (or near-perfect) matching over all pairs, and the seconds it took."""
    start = time.perf_counter()
    graph = rx.PyGraph()
    graph.add_nodes_from(range(roster.n))
    for a in range(roster.n - 1):
        b = np.arange(a + 1, roster.n)
        w = roster.pair_weights(np.full(len(b), a), b)
        keep = w >= 0
        ends = b[keep].tolist()
        graph.add_edges_from(list(zip([a] * len(ends), ends, w[keep].tolist(), strict=True)))
    pairs = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    value = sum(graph.get_edge_data(a, b) for a, b in pairs)
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[1000, 5000, 100000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--exact-up-to", type=int, default=1000, help="pairs only")
    parser.add_argument("--group-size", type=int, default=2)
    args = parser.parse_args()
    rules = Rules(reference_date=ROUND_DATE, group_size=args.group_size)
    for people in args.people:
        roster = participants(people, args.seed)
        ids = [p.id for p in roster]
        history = HistoryTable.from_groups(shuffled_history(ids, 52, args.seed), ids)
        rounds = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = pair_round(roster, history=history, rules=rules, seed=args.seed)
            rounds.append((time.perf_counter() - start, result.seconds["bound"], result))
        round_s = min(r[0] for r in rounds)
        bound_s = min(r[1] for r in rounds)
        result = rounds[0][2]
        verify(result, roster, history=history, rules=rules)
        assert result.all_pairs_bound is not None and result.upper_bound is not None
        compiled = compile_roster(roster, history, [], rules, args.seed)
        sizes = [len(g) for g in result.groups]
        picks_best = all_pairs_upper_bound(compiled, sizes=sizes, max_sweeps=0)
        print(f"people: {people}")
        print(f"  round weight {result.weight:,}; matching {result.matching_weight:,}")
        print(
            f"  candidate-graph bound {result.upper_bound:,.1f} "
            f"(ratio {result.matching_weight / result.upper_bound:.6f})"
        )
        print(
            f"  all-pairs bound {result.all_pairs_bound:,.1f} "
            f"(ratio {result.weight / result.all_pairs_bound:.6f}); "
            f"everyone-picks-best bound {picks_best:,.1f}"
        )
        if people <= args.exact_up_to and args.group_size == 2:
            optimum, exact_s = exact_optimum(compiled)
            print(
                f"  exact optimum over all pairs {optimum:,} ({exact_s:.1f} s): round / optimum "
                f"{result.weight / optimum:.6f}, optimum / bound "
                f"{optimum / result.all_pairs_bound:.6f}"
            )
        print(f"  seconds: bound {bound_s:.4f} of a round of {round_s:.4f} (best of {args.repeat})")


if __name__ == "__main__":
    main()
