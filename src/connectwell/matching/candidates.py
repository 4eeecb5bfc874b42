"""The sparse candidate graph: the few good partners each person may meet.

For a small roster every pair is a candidate. For a large one we never build the n^2 pairs:
people are dealt into blocks (at most ``block_size`` people, stratified by working hours), and
inside a block each person draws random partners from the people whose working hours overlap
theirs by the programme's minimum (a time-zone bucket and its compatible buckets), keeps the
draws that are *clean* (not met within the window, shared hours, not excluded) and selects the
best ``candidates_per_person / 2`` of them by weight. With the selections of the others, each
person ends with about ``candidates_per_person`` candidates. People left with fewer than
``min_degree`` candidates (a lone time zone, everyone already met) get fallback candidates drawn
from their whole block, repeats and all, weighed with their penalties: they are still placed, in
the best group available. For a ``within`` programme candidates come from the person's team.

Random sparse graphs of this degree have a perfect matching with high probability (Erdős and
Rényi 1966), so the sparsity costs almost nothing, and blocks keep the assignment problems of the
solver small (their cost grows faster than linearly).

References
----------
.. [1] P. Erdős, A. Rényi, "On the existence of a factor of degree one of a connected random
   graph", Acta Math. Acad. Sci. Hungar. 17 (1966) 359-368.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from connectwell.matching.roster import BASE, MANAGER_PENALTY, TEAM_PENALTY, IntArray, Roster

#: A pair is *clean* (not a recent repeat, shares the minimum hours) iff its weight is at least
#: this: the worst clean pair only loses the team and manager penalties, and the best unclean
#: pair cannot make up a repeat or a missing shared hour with its bonuses.
CLEAN_WEIGHT = BASE - TEAM_PENALTY - MANAGER_PENALTY

DENSE_LIMIT = 300
BLOCK_SIZE = 8192


@dataclass(frozen=True)
class CandidateGraph:
    """Undirected edges ``(u[k], v[k])`` with ``u < v``, unique, weight ``weight[k] >= 0``."""

    n: int
    u: IntArray
    v: IntArray
    weight: IntArray

    def __len__(self) -> int:
        return len(self.u)

    def degrees(self) -> IntArray:
        return np.bincount(self.u, minlength=self.n) + np.bincount(self.v, minlength=self.n)


def candidate_graph(
    roster: Roster,
    rng: np.random.Generator,
    *,
    dense_limit: int = DENSE_LIMIT,
    block_size: int | None = None,
    min_degree: int = 3,
) -> CandidateGraph:
    """Build the candidate graph of ``roster``.

    Parameters
    ----------
    roster : Roster
        The compiled participants.
    rng : numpy.random.Generator
        Draws the random partners; the same seed gives the same graph.
    dense_limit : int
        Up to this many people, every non-excluded pair is a candidate.
    block_size : int, optional
        Largest block of people drawn from one another (:data:`BLOCK_SIZE` by default; one
        more when that keeps every block even, see :func:`_blocks`).
    min_degree : int
        People with fewer candidates get fallback candidates.

    Returns
    -------
    CandidateGraph

    Complexity
    ----------
    O(n k log(h + x)) time and O(n k) memory for n people, k candidates per person, h history
    pairs and x exclusions; O(n^2) up to ``dense_limit``.
    """
    n = roster.n
    if n < 2:
        return _edges(n, [], [], [])
    if n <= dense_limit:
        low, high = np.triu_indices(n, 1)
        weight = roster.pair_weights(low, high)
        keep = weight >= 0
        return _edges(n, [low[keep]], [high[keep]], [weight[keep]])
    per = max(1, (roster.rules.candidates_per_person + 1) // 2)
    parts_i: list[IntArray] = []
    parts_j: list[IntArray] = []
    if roster.rules.team_mix == "within":
        blocks = _team_blocks(roster, rng)
        for members in blocks:
            i, j = _draw_within(members, per, rng)
            parts_i.append(i)
            parts_j.append(j)
    else:
        blocks = _blocks(roster, rng, BLOCK_SIZE if block_size is None else block_size)
        for members in blocks:
            i, j = _draw_by_hours(roster, members, per, rng)
            parts_i.append(i)
            parts_j.append(j)
    i = np.concatenate(parts_i) if parts_i else np.zeros(0, dtype=np.int64)
    j = np.concatenate(parts_j) if parts_j else np.zeros(0, dtype=np.int64)
    weight = roster.pair_weights(i, j)
    clean = weight >= CLEAN_WEIGHT
    i, j, weight = _best_per_person(n, i[clean], j[clean], weight[clean], per)
    graph = _edges(n, [i], [j], [weight])
    lonely = np.flatnonzero(graph.degrees() < min_degree)
    if len(lonely) == 0:
        return graph
    # Fallback: partners from anywhere in the person's block, penalties and all.
    block_of = np.empty(n, dtype=np.int64)
    for number, members in enumerate(blocks):
        block_of[members] = number
    fi: list[IntArray] = []
    fj: list[IntArray] = []
    draws = max(4 * per, 16)
    for number, members in enumerate(blocks):
        mine = lonely[block_of[lonely] == number]
        if len(mine) == 0:
            continue
        pool = members if len(members) > 1 else np.arange(n)
        picks = pool[rng.integers(0, len(pool), size=(len(mine), draws))]
        fi.append(np.repeat(mine, draws))
        fj.append(picks.ravel())
    i2 = np.concatenate(fi)
    j2 = np.concatenate(fj)
    w2 = roster.pair_weights(i2, j2)
    ok = w2 >= 0
    i2, j2, w2 = _best_per_person(n, i2[ok], j2[ok], w2[ok], per)
    return _edges(n, [graph.u, i2], [graph.v, j2], [graph.weight, w2])


def across_blocks(
    roster: Roster, people: IntArray, rng: np.random.Generator, *, per: int = 8, draws: int = 4096
) -> CandidateGraph:
    """Clean candidates for ``people`` (those the blocks left without a partner) from the whole
    roster: every other person when that is at most ``draws`` of them, else ``draws`` random
    ones; the ``per`` heaviest clean partners of each. Complexity O(len(people) · draws)."""
    n = roster.n
    if n - 1 <= draws:
        partners = np.broadcast_to(np.arange(n), (len(people), n))
    else:
        partners = rng.integers(0, n, size=(len(people), draws))
    i = np.repeat(people, partners.shape[1])
    j = partners.ravel()
    weight = roster.pair_weights(i, j)
    clean = (weight >= CLEAN_WEIGHT) & (i != j)
    i, j, weight = _best_per_person(n, i[clean], j[clean], weight[clean], per)
    return _edges(n, [i], [j], [weight])


def merged(first: CandidateGraph, second: CandidateGraph) -> CandidateGraph:
    """The union of two candidate graphs of the same people."""
    return _edges(first.n, [first.u, second.u], [first.v, second.v], [first.weight, second.weight])


def _edges(n: int, us: list[IntArray], vs: list[IntArray], ws: list[IntArray]) -> CandidateGraph:
    if not us:
        empty = np.zeros(0, dtype=np.int64)
        return CandidateGraph(n, empty, empty.copy(), empty.copy())
    a = np.concatenate(us).astype(np.int64)
    b = np.concatenate(vs).astype(np.int64)
    w = np.concatenate(ws).astype(np.int64)
    low, high = np.minimum(a, b), np.maximum(a, b)
    keys, first = np.unique(low * n + high, return_index=True)
    return CandidateGraph(n, keys // n, keys % n, w[first])


def _best_per_person(
    n: int, i: IntArray, j: IntArray, weight: IntArray, per: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Keep, for each ``i``, its ``per`` heaviest distinct partners ``j`` (``j != i``)."""
    other = i != j
    i, j, weight = i[other], j[other], weight[other]
    heaviest = int(weight.max()) if len(weight) else 0
    span = heaviest - (int(weight.min()) if len(weight) else 0) + 1
    if n * span < np.iinfo(np.int64).max // max(1, n):
        # One sort by (i, heaviest first, j); a pair drawn twice has the same weight: adjacent.
        packed = (i * span + (heaviest - weight)) * n + j
        packed.sort()
        packed = packed[np.r_[True, packed[1:] != packed[:-1]]] if len(packed) else packed
        i, rest = np.divmod(packed, span * n)
        lighter, j = np.divmod(rest, n)
        weight = heaviest - lighter
    else:
        _, first = np.unique(i * n + j, return_index=True)
        i, j, weight = i[first], j[first], weight[first]
        order = np.lexsort((-weight, i))
        i, j, weight = i[order], j[order], weight[order]
    starts = np.flatnonzero(np.r_[True, i[1:] != i[:-1]]) if len(i) else np.zeros(0, np.int64)
    rank = np.arange(len(i)) - np.repeat(starts, np.diff(np.r_[starts, len(i)]))
    keep = rank < per
    return i[keep], j[keep], weight[keep]


def _blocks(roster: Roster, rng: np.random.Generator, block_size: int) -> list[IntArray]:
    """Deal people into blocks of at most ``block_size``, each with the roster's mix of hours.

    Blocks are even-sized (all but one when ``n`` is odd): a block of odd size always leaves
    one person without a partner inside it, and two such people from two blocks may share no
    hours, which made groups of three on an even roster. The dealing makes the odd blocks
    come in pairs; the last person dealt to the second of a pair moves to the first (so a block
    may hold ``block_size + 1`` people).
    """
    n = roster.n
    count = max(1, -(-n // block_size))
    order = np.lexsort((rng.random(n), roster.team, roster.end, roster.start))
    blocks = [order[b::count] for b in range(count)]
    odd = [b for b in range(count) if len(blocks[b]) % 2]
    for first, second in zip(odd[0::2], odd[1::2], strict=False):
        blocks[first] = np.r_[blocks[first], blocks[second][-1:]]
        blocks[second] = blocks[second][:-1]
    return [np.sort(block) for block in blocks]


def _team_blocks(roster: Roster, rng: np.random.Generator) -> list[IntArray]:
    """One block per team (a ``within`` programme draws partners inside the team)."""
    order = np.lexsort((rng.random(roster.n), roster.team))
    teams = roster.team[order]
    cuts = np.flatnonzero(np.r_[True, teams[1:] != teams[:-1], True])
    return [order[a:b] for a, b in itertools.pairwise(cuts)]


def _draw_within(
    members: IntArray, per: int, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    size = len(members)
    if size < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if size <= 4 * per:
        low, high = np.triu_indices(size, 1)
        return members[low], members[high]
    draws = 2 * per + 4
    picks = members[rng.integers(0, size, size=(size, draws))]
    return np.repeat(members, draws), picks.ravel()


def _draw_by_hours(
    roster: Roster, members: IntArray, per: int, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    """Random partners for ``members`` among the members whose hours overlap enough."""
    spans = np.stack([roster.start[members], roster.end[members]], axis=1)
    buckets, bucket_of = np.unique(spans, axis=0, return_inverse=True)
    bucket_of = bucket_of.ravel()
    if len(buckets) > 1500:  # arbitrary hours: bucket by half hours, conservatively
        coarse = np.stack([-(-spans[:, 0] // 30) * 30, (spans[:, 1] // 30) * 30], axis=1)
        buckets, bucket_of = np.unique(coarse, axis=0, return_inverse=True)
        bucket_of = bucket_of.ravel()
    compatible = _compatible(buckets, roster.min_overlap_minutes)
    draws = 2 * per + 4
    out_i: list[IntArray] = []
    out_j: list[IntArray] = []
    for b in range(len(buckets)):
        mine = members[bucket_of == b]
        pool = members[compatible[b][bucket_of]]
        if len(pool) < 2:
            continue
        picks = pool[rng.integers(0, len(pool), size=(len(mine), draws))]
        out_i.append(np.repeat(mine, draws))
        out_j.append(picks.ravel())
    if not out_i:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(out_i), np.concatenate(out_j)


def _compatible(buckets: npt.NDArray[np.int64], min_minutes: int) -> npt.NDArray[np.bool_]:
    """``compatible[a, b]``: buckets ``a`` and ``b`` share at least ``min_minutes``."""
    start, end = buckets[:, 0], buckets[:, 1]
    best = np.zeros((len(buckets), len(buckets)), dtype=np.int64)
    for shift in (-1440, 0, 1440):
        shared = np.minimum(end[:, None], end[None, :] + shift) - np.maximum(
            start[:, None], start[None, :] + shift
        )
        np.maximum(best, shared, out=best)
    return best >= max(min_minutes, 1) if min_minutes > 0 else np.ones_like(best, dtype=bool)
