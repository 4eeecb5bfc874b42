"""Groups of 3 to 5, and the placing of people the pair matching left over.

A group is valued by the sum of the weights of its pairs (:meth:`Roster.pair_weights`), so a
good group is one made of new, cross-team pairs that share working hours. Groups are formed in
three steps:

1. *cores*: the heaviest pairs of the maximum-weight matching, one per group;
2. *filling*: one seat per group per step, each step an assignment problem (people to groups,
   valued by their pairs with the members already seated), sparse on the candidate graph plus a
   few random groups per person for large rosters, dense (Hungarian method) for small ones;
3. *swaps*: local search exchanging two people of different groups while the total improves
   (exhaustive for tiny rosters, along candidate edges otherwise).

Sizes are balanced: ``round(n / k)`` groups whose sizes differ by at most one, within 2..5.
The tests compare the result with brute force over every partition on tiny rosters.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from connectwell.matching.candidates import CLEAN_WEIGHT, CandidateGraph
from connectwell.matching.model import MatchingInputError
from connectwell.matching.pairs import Matching, max_weight_matching
from connectwell.matching.roster import BASE, IntArray, Roster

#: The value of an excluded pair inside a group: never worth it.
EXCLUDED = -(10**9)
DENSE_SCORES = 1500


def group_sizes(n: int, size: int) -> list[int]:
    """Balanced group sizes for ``n`` people and a target ``size``: within 2..5, near ``size``.

    >>> group_sizes(10, 4)
    [4, 3, 3]
    """
    if n <= 0:
        return []
    if n <= max(size, 2) or n < 4:
        return [n]
    count = max(1, round(n / size))
    while -(-n // count) > max(size + 1, 2) or -(-n // count) > 5:
        count += 1
    while count > 1 and n // count < max(2, size - 1):
        count -= 1
    base, extra = divmod(n, count)
    return [base + 1] * extra + [base] * (count - extra)


class Scorer:
    """Pair weights with excluded pairs at :data:`EXCLUDED`; a dense table for small rosters."""

    def __init__(self, roster: Roster, *, dense: bool = True) -> None:
        self.roster = roster
        self.table: IntArray | None = None
        if dense and roster.n <= DENSE_SCORES:
            n = roster.n
            i, j = np.divmod(np.arange(n * n, dtype=np.int64), n)
            table = roster.pair_weights(i, j).reshape(n, n)
            table[table < 0] = EXCLUDED
            np.fill_diagonal(table, 0)
            self.table = table

    def __call__(self, i: IntArray, j: IntArray) -> IntArray:
        if self.table is not None:
            return self.table[i, j]
        weight = self.roster.pair_weights(i, j)
        return np.where(i == j, 0, np.where(weight < 0, EXCLUDED, weight))

    def with_group(self, people: IntArray, members: list[int]) -> IntArray:
        """Sum of the weights of each person in ``people`` with every one of ``members``."""
        total = np.zeros(len(people), dtype=np.int64)
        for m in members:
            total += self(people, np.full(len(people), m, dtype=np.int64))
        return total


def group_value(scorer: Scorer, members: list[int]) -> int:
    """Sum of the pair weights inside one group."""
    if len(members) < 2:
        return 0
    a, b = np.triu_indices(len(members), 1)
    people = np.array(members, dtype=np.int64)
    return int(scorer(people[a], people[b]).sum())


def place_leftovers(
    roster: Roster, scorer: Scorer, groups: list[list[int]], leftovers: list[int]
) -> None:
    """Place everyone the matching left out; nobody is dropped.

    Leftovers are first paired among themselves where that pair is clean (no repeat, shared
    hours, not excluded); each remaining one joins the group where it adds the most, smallest
    groups first (a pair becomes a group of three before any group grows to four).
    """
    if len(leftovers) >= 2:
        people = np.array(leftovers, dtype=np.int64)
        a, b = np.triu_indices(len(people), 1)
        weight = scorer(people[a], people[b])
        clean = weight >= CLEAN_WEIGHT
        if clean.any():
            graph = CandidateGraph(
                len(people), a[clean].astype(np.int64), b[clean].astype(np.int64), weight[clean]
            )
            mate = max_weight_matching(graph).mate
            for x, y in enumerate(mate):
                if y > x:
                    groups.append([int(people[x]), int(people[y])])
            leftovers = [int(people[x]) for x in range(len(people)) if mate[x] < 0]
    for person in leftovers:
        if not groups:
            groups.append([person])
            continue
        table = padded(groups)
        sizes = (table >= 0).sum(axis=1)
        total = np.zeros(len(groups), dtype=np.int64)
        for col in range(table.shape[1]):
            present = table[:, col] >= 0
            total[present] += scorer(
                np.full(int(present.sum()), person, dtype=np.int64), table[present, col]
            )
        allowed = (total > EXCLUDED // 2) & (sizes < 5)
        if not allowed.any():
            raise MatchingInputError(
                "exclusions", None, None, f"no group can take {roster.ids[person]!r}"
            )
        value = total // sizes - (sizes - sizes.min()) * 10 * BASE
        best = int(np.argmax(np.where(allowed, value, np.iinfo(np.int64).min)))
        groups[best].append(person)


def padded(groups: list[list[int]]) -> IntArray:
    """Groups as rows of a matrix, padded with -1."""
    width = max(len(g) for g in groups)
    table = np.full((len(groups), width), -1, dtype=np.int64)
    for row, members in enumerate(groups):
        table[row, : len(members)] = members
    return table


def total_value(scorer: Scorer, groups: list[list[int]]) -> int:
    """Sum of the pair weights inside every group, vectorised."""
    if not groups:
        return 0
    table = padded(groups)
    total = 0
    for a in range(table.shape[1]):
        for b in range(a + 1, table.shape[1]):
            present = (table[:, a] >= 0) & (table[:, b] >= 0)
            total += int(scorer(table[present, a], table[present, b]).sum())
    return total


def form_groups(
    roster: Roster,
    scorer: Scorer,
    graph: CandidateGraph,
    matching: Matching,
    rng: np.random.Generator,
    size: int,
    *,
    time_budget: float = 5.0,
) -> list[list[int]]:
    """Partition the roster into balanced groups near ``size`` (see the module docstring).

    Complexity: one assignment problem per seat (at most 5), each O(n · d) on the sparse
    graph in practice; swaps O(passes · n · d · size).
    """
    n = roster.n
    sizes = group_sizes(n, size)
    if len(sizes) <= 1:
        return [list(range(n))] if n else []
    count = len(sizes)
    pairs = matching.pairs()
    pair_weight = scorer(
        np.array([p[0] for p in pairs], dtype=np.int64),
        np.array([p[1] for p in pairs], dtype=np.int64),
    )
    ranked = [pairs[k] for k in np.argsort(-pair_weight, kind="stable")]
    groups: list[list[int]] = [list(p) for p in ranked[:count]]
    seated = np.zeros(n, dtype=bool)
    for g in groups:
        seated[g] = True
    free = np.flatnonzero(~seated)
    while len(groups) < count:  # fewer pairs than groups: single cores
        groups.append([int(free[0])])
        seated[free[0]] = True
        free = free[1:]
    base = min(sizes)
    neighbours = _neighbours(graph)
    for cap in range(2, base + 2):
        while True:
            free = np.flatnonzero(~seated)
            open_ = [g for g in range(count) if len(groups[g]) < cap]
            if len(free) == 0 or not open_:
                break
            for person, g in _assign(scorer, groups, open_, free, neighbours, rng):
                groups[g].append(person)
                seated[person] = True
    free = np.flatnonzero(~seated)
    if len(free):
        place_leftovers(roster, scorer, groups, [int(p) for p in free])
    improve_by_swaps(scorer, groups, neighbours, rng, time_budget=time_budget)
    return groups


def _neighbours(graph: CandidateGraph) -> list[IntArray]:
    matrix = sp.csr_matrix(
        (np.ones(2 * len(graph)), (np.r_[graph.u, graph.v], np.r_[graph.v, graph.u])),
        shape=(graph.n, graph.n),
    )
    return [matrix.indices[matrix.indptr[k] : matrix.indptr[k + 1]] for k in range(graph.n)]


def _assign(
    scorer: Scorer,
    groups: list[list[int]],
    open_: list[int],
    free: IntArray,
    neighbours: list[IntArray],
    rng: np.random.Generator,
) -> list[tuple[int, int]]:
    """Seat at most one free person in each open group, maximising the added weight."""
    if len(open_) * len(free) <= 250_000:
        values = np.stack([scorer.with_group(free, groups[g]) for g in open_], axis=1)
        allowed = values > EXCLUDED // 2
        cost = np.where(allowed, -values, 10**12)
        rows, cols = linear_sum_assignment(cost)
        return [
            (int(free[r]), open_[c]) for r, c in zip(rows, cols, strict=True) if allowed[r, c]
        ]
    group_of = np.full(len(neighbours), -1, dtype=np.int64)
    slot = {g: k for k, g in enumerate(open_)}
    for g in open_:
        group_of[groups[g]] = slot[g]
    person_idx: list[int] = []
    slot_idx: list[int] = []
    for k, person in enumerate(free):
        near = group_of[neighbours[person]]
        options = set(near[near >= 0].tolist())
        options.update(rng.integers(0, len(open_), size=4).tolist())
        person_idx.extend([k] * len(options))
        slot_idx.extend(options)
    p = np.array(person_idx, dtype=np.int64)
    s = np.array(slot_idx, dtype=np.int64)
    values = np.zeros(len(p), dtype=np.int64)
    width = max(len(groups[g]) for g in open_)
    table = np.full((len(open_), width), -1, dtype=np.int64)
    for g, k in slot.items():
        table[k, : len(groups[g])] = groups[g]
    for col in range(width):
        member = table[s, col]
        present = member >= 0
        values[present] += scorer(free[p[present]], member[present])
    allowed = values > EXCLUDED // 2
    p, s, values = p[allowed], s[allowed], values[allowed]
    ceiling = float(values.max()) + 1.0 if len(values) else 1.0
    people_rows = len(free) <= len(open_)
    shape = (len(free), len(open_)) if people_rows else (len(open_), len(free))
    rows, cols = (p, s) if people_rows else (s, p)
    matrix = sp.csr_matrix((ceiling - values, (rows, cols)), shape=shape)
    try:
        r, c = min_weight_full_bipartite_matching(matrix)
    except ValueError:  # no full matching on the sparse options: greedy instead
        return _greedy(p, s, values, free, open_)
    if people_rows:
        return [(int(free[a]), open_[b]) for a, b in zip(r, c, strict=True)]
    return [(int(free[b]), open_[a]) for a, b in zip(r, c, strict=True)]


def _greedy(
    p: IntArray, s: IntArray, values: IntArray, free: IntArray, open_: list[int]
) -> list[tuple[int, int]]:
    taken_p: set[int] = set()
    taken_s: set[int] = set()
    out = []
    for k in np.argsort(-values, kind="stable"):
        if int(p[k]) in taken_p or int(s[k]) in taken_s:
            continue
        taken_p.add(int(p[k]))
        taken_s.add(int(s[k]))
        out.append((int(free[p[k]]), open_[int(s[k])]))
    return out


def improve_by_swaps(
    scorer: Scorer,
    groups: list[list[int]],
    neighbours: list[IntArray],
    rng: np.random.Generator,
    *,
    time_budget: float = 5.0,
    max_passes: int = 20,
) -> int:
    """Swap people between groups while the total weight grows; return the number of swaps.

    Up to 60 people every pair of people is tried; above, each person tries the groups of its
    candidates. Sizes never change.
    """
    n = len(neighbours)
    group_of = np.empty(n, dtype=np.int64)
    for g, members in enumerate(groups):
        group_of[members] = g
    everyone = np.arange(n)
    deadline = time.perf_counter() + time_budget
    swaps = 0
    for _ in range(max_passes):
        improved = False
        for a in rng.permutation(n):
            if time.perf_counter() > deadline:
                return swaps
            ga = int(group_of[a])
            pool = everyone if n <= 60 else neighbours[a]
            others = np.unique(group_of[pool])
            others = others[others != ga]
            if len(others) == 0:
                continue
            bs = np.concatenate([np.array(groups[g], dtype=np.int64) for g in others])
            a_rest = [m for m in groups[ga] if m != a]
            a_arr = np.full(len(bs), a, dtype=np.int64)
            before_a = int(scorer.with_group(np.array([a]), a_rest)[0])
            b_in_a = scorer.with_group(bs, a_rest)
            delta = np.zeros(len(bs), dtype=np.int64)
            for k, b in enumerate(bs):
                gb = groups[int(group_of[b])]
                b_rest = np.array([m for m in gb if m != b], dtype=np.int64)
                a_in_b = int(scorer(a_arr[: len(b_rest)], b_rest).sum())
                b_before = int(scorer(np.full(len(b_rest), b, dtype=np.int64), b_rest).sum())
                delta[k] = a_in_b + b_in_a[k] - before_a - b_before
            k = int(np.argmax(delta))
            if delta[k] <= 0:
                continue
            b = int(bs[k])
            gb_index = int(group_of[b])
            groups[ga][groups[ga].index(a)] = b
            groups[gb_index][groups[gb_index].index(b)] = int(a)
            group_of[a], group_of[b] = gb_index, ga
            swaps += 1
            improved = True
        if not improved:
            break
    return swaps
