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

Sizes follow a plan of :mod:`connectwell.matching.group_plan`: the requested size, the
remainder one size up or down. Its ``make_groups`` tries the plans in order and keeps the
first one that seats everyone; another plan (still at least half groups of the requested size)
replaces it only when it has no pair sharing too few working hours and the first has some
(disjoint time zones). A person the exclusions leave no place in any plan is refused with a
:class:`MatchingInputError` naming them. Every loop is bounded. The tests compare the result
with brute force over every partition on tiny rosters.
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
SMALL = 60
RESTARTS = 8


class Unplaceable(Exception):
    """No place for ``person`` in a plan of sizes; ``pair`` when one group holds everyone."""

    def __init__(self, person: int, pair: tuple[int, int] | None = None) -> None:
        super().__init__(person, pair)
        self.person = person
        self.pair = pair


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
) -> list[tuple[int, int]]:
    """Place everyone the matching left out; nobody is dropped.

    Leftovers are first paired among themselves where that pair is clean (no repeat, shared
    hours, not excluded); each remaining one joins the group where it adds the most, smallest
    groups first (a pair becomes a group of three before any group grows to four). Returns the
    ``(person, group index)`` of everyone who joined an existing group.
    """
    joined: list[tuple[int, int]] = []
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
        joined.append((person, best))
    return joined


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
    sizes: list[int],
    *,
    time_budget: float = 5.0,
) -> list[list[int]]:
    """Partition the roster into groups of the planned ``sizes`` (see the module docstring).

    Raises :class:`Unplaceable` when the exclusions leave someone no place in this plan.

    Complexity: one assignment problem per seat (at most 5), each O(n · d) on the sparse
    graph in practice; seating the people the assignments could not seat at most
    ``50 w + 200`` exchanges of O(n) each for ``w`` people not seated; swaps
    O(passes · n · d · size).
    """
    n = roster.n
    if len(sizes) <= 1:
        if n >= 2:
            a, b = np.triu_indices(n, 1)
            excluded = np.flatnonzero(roster.excluded(a, b))
            if len(excluded):
                raise Unplaceable(int(a[excluded[0]]), (int(a[excluded[0]]), int(b[excluded[0]])))
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
        for _ in range(n):  # each step seats someone or stops
            free = np.flatnonzero(~seated)
            open_ = [g for g in range(count) if len(groups[g]) < cap]
            if len(free) == 0 or not open_:
                break
            placed = _assign(scorer, groups, open_, free, neighbours, rng)
            if not placed:
                break
            for person, chosen in placed:
                groups[chosen].append(person)
                seated[person] = True
    free = np.flatnonzero(~seated)
    if len(free):
        _seat(scorer, groups, [int(p) for p in free], sizes, rng)
    improve_by_swaps(scorer, groups, neighbours, rng, time_budget=time_budget)
    if n > SMALL:
        return groups
    # Small rosters: restart the local search from random partitions, keep the best.
    best, best_value = groups, total_value(scorer, groups)
    for _ in range(RESTARTS):
        order = rng.permutation(n).tolist()
        trial, start = [], 0
        for group_size in sizes:
            trial.append(order[start : start + group_size])
            start += group_size
        if any(group_value(scorer, g) <= EXCLUDED // 2 for g in trial):
            continue
        improve_by_swaps(scorer, trial, neighbours, rng, time_budget=time_budget)
        trial_value = total_value(scorer, trial)
        if trial_value > best_value:
            best, best_value = trial, trial_value
    return best


def _seat(
    scorer: Scorer,
    groups: list[list[int]],
    waiting: list[int],
    sizes: list[int],
    rng: np.random.Generator,
) -> None:
    """Seat ``waiting`` in ``groups`` keeping to ``sizes``, exchanging people when the
    exclusions leave someone no open group.

    A waiting person joins the open group (below its planned size) where they add the most and
    are excluded from nobody; failing that, they take the place of the one member they are
    excluded from in some group (chosen at random, never sending back the person who just
    took theirs), and that member waits instead. Bounded: ``50 w + 200`` steps of O(n) for
    ``w`` people waiting, then :class:`Unplaceable`.
    """
    base, high = min(sizes), max(sizes)
    at_high = sizes.count(high) if high > base else 0
    queue = list(waiting)
    came_from: dict[int, int] = {}
    for _ in range(50 * len(waiting) + 200):
        if not queue:
            return
        person = queue.pop(0)
        table = padded(groups)
        present = table >= 0
        weight = np.zeros(table.shape, dtype=np.int64)
        weight[present] = scorer(
            np.full(int(present.sum()), person, dtype=np.int64), table[present]
        )
        conflict = present & (weight <= EXCLUDED // 2)
        conflicts = conflict.sum(axis=1)
        length = present.sum(axis=1)
        room = (length < base) | ((length < high) & (int(np.sum(length == high)) < at_high))
        fits = room & (conflicts == 0)
        if fits.any():
            value = np.where(conflict, 0, weight).sum(axis=1)
            best = int(np.argmax(np.where(fits, value, np.iinfo(np.int64).min)))
            groups[best].append(person)
            continue
        options = [
            g
            for g in np.flatnonzero(conflicts == 1).tolist()
            if int(table[g][conflict[g]][0]) != came_from.get(person, -1)
        ]
        if not options:
            raise Unplaceable(person)
        g = options[int(rng.integers(len(options)))]
        out = int(table[g][conflict[g]][0])
        groups[g][groups[g].index(out)] = person
        came_from[out] = person
        queue.append(out)
    raise Unplaceable(queue[0])


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
        return [(int(free[r]), open_[c]) for r, c in zip(rows, cols, strict=True) if allowed[r, c]]
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
    """Swap two people of different groups, or move one from a larger group to a smaller one,
    while the total weight grows; return the number of changes. The multiset of sizes never
    changes.

    Up to 60 people every other person is tried; above, each person tries the members of its
    candidates' groups. With a dense score table the gain of every option of a person is one
    vectorised expression over ``P[x, g]``, the weight of ``x`` with group ``g``, kept up to date
    in O(n) per change.
    """
    n = len(neighbours)
    count = len(groups)
    group_of = np.empty(n, dtype=np.int64)
    for g, members in enumerate(groups):
        group_of[members] = g
    size = np.array([len(g) for g in groups], dtype=np.int64)
    table = scorer.table
    with_group: IntArray | None = None
    if table is not None:
        with_group = np.zeros((n, count), dtype=np.int64)
        np.add.at(with_group.T, group_of, table.T)  # with_group[x, g] = sum T[x, members of g]

    def value(xs: IntArray, gs: IntArray) -> IntArray:
        if with_group is not None:
            return with_group[xs, gs]
        out = np.zeros(len(xs), dtype=np.int64)
        members = padded(groups)[gs]
        for col in range(members.shape[1]):
            present = members[:, col] >= 0
            out[present] += scorer(xs[present], members[present, col])
        return out

    everyone = np.arange(n)
    deadline = time.perf_counter() + time_budget
    changes = 0
    for _ in range(max_passes):
        improved = False
        for a in rng.permutation(n).tolist():
            if time.perf_counter() > deadline:
                return changes
            ga = int(group_of[a])
            pool = everyone if n <= 60 else neighbours[a]
            others = np.unique(group_of[pool])
            others = others[others != ga]
            if len(others) == 0:
                continue
            bs = np.flatnonzero(np.isin(group_of, others)) if n <= 60 else _members(groups, others)
            gb = group_of[bs]
            a_arr = np.full(len(bs), a, dtype=np.int64)
            ga_arr = np.full(len(bs), ga, dtype=np.int64)
            stay = int(value(np.array([a]), np.array([ga]))[0])
            cross = scorer(a_arr, bs)
            swap = value(a_arr, gb) - cross + value(bs, ga_arr) - cross - stay - value(bs, gb)
            best_k = int(np.argmax(swap))
            best_gain, move_to = int(swap[best_k]), -1
            smaller = others[size[others] == size[ga] - 1]
            if len(smaller):
                move = value(np.full(len(smaller), a, dtype=np.int64), smaller) - stay
                k = int(np.argmax(move))
                if move[k] > best_gain:
                    best_gain, move_to = int(move[k]), int(smaller[k])
            if best_gain <= 0:
                continue
            if move_to >= 0:
                groups[ga].remove(a)
                groups[move_to].append(a)
                group_of[a] = move_to
                size[ga] -= 1
                size[move_to] += 1
                if with_group is not None and table is not None:
                    with_group[:, ga] -= table[:, a]
                    with_group[:, move_to] += table[:, a]
            else:
                b = int(bs[best_k])
                g2 = int(group_of[b])
                groups[ga][groups[ga].index(a)] = b
                groups[g2][groups[g2].index(b)] = a
                group_of[a], group_of[b] = g2, ga
                if with_group is not None and table is not None:
                    with_group[:, ga] += table[:, b] - table[:, a]
                    with_group[:, g2] += table[:, a] - table[:, b]
            changes += 1
            improved = True
        if not improved:
            break
    return changes


def _members(groups: list[list[int]], chosen: IntArray) -> IntArray:
    return np.array([m for g in chosen.tolist() for m in groups[g]], dtype=np.int64)
