"""An upper bound over *all* pairs of a roster, not only the candidate graph.

:func:`~connectwell.matching.pair_round` solves the matching on a sparse candidate graph, and
the value of its linear programme (``Result.upper_bound``) bounds only that graph. This module
bounds the best round over every pair of the roster, with the same weights
(:meth:`Roster.pair_weights`) and rules, without looking at the n^2 pairs of a large roster.

The bound is a feasible solution of the dual of the fractional matching programme [1]_ [2]_:

    maximise sum_e w_e x_e  subject to  sum_{e at v} x_e <= 1,  x >= 0,
    whose dual is  minimise sum_v y_v  subject to  y_u + y_v >= w_uv for every pair,  y >= 0.

Weak duality: for any matching M, ``sum_{uv in M} w_uv <= sum_{uv in M} (y_u + y_v) <=
sum_v y_v`` (the last step because ``y >= 0``). A *perfect* matching with one group of three
(the round of an odd roster) is bounded by ``sum_v y_v + extra``: if the trio is ``{a, b, c}``,
the pairs cover everyone else, and ``w_ab <= y_a + y_b``, so the trio adds at most
``w_ac + w_bc - y_c <= 2 m_c - y_c`` over ``sum_v y_v``, where ``m_c`` bounds the weight of every
pair of ``c``. As the trio may be any three people, the largest such term is at most the third
largest of ``2 m_c - y_c`` over everyone (the smallest of a trio's three terms is at most the
third largest overall); with ``t`` disjoint trios, the sum of the 3rd, 6th, ..., (3t)-th largest.

**Upper weights without n^2 pairs.** Write ``W(v, u)`` for a number at least ``w_vu``. The
weight of a pair (see :mod:`connectwell.matching.roster`) is ``BASE``, minus penalties, plus a
bonus scaled by ``1 + priority_v + priority_u``, plus a jitter below ``JITTER``. Repeats,
manager clashes and exclusions only lower a weight or remove a pair, so leaving them out gives
an upper weight; the jitter is at most ``JITTER - 1``. What is left depends on ``v`` and on
``u`` only through ``u``'s working hours (one of ``K`` distinct spans, its *kind*) and whether
``u`` is in ``v``'s team. So people are put in *classes* (kind, team), and for each class the
largest priority, the levels, locations and interests present are kept: ``W(v, c)``, the upper
weight of ``v`` with anyone of the class ``c``, uses the best of each (shared hours and priority
only raise the weight, a level or location bonus needs one different member, shared interests
are at most those of the union of the class's interests; the scaled bonus is rounded up with a
relative margin of 1e-9 against floating-point error). Beyond 256 kinds, spans are widened to a
coarser grid (a wider span shares at least as many minutes, an upper bound again). People of the
same *type* (kind, team and, where the rules use them, level, location, interests, priority)
have the same upper weights, so they are computed once per type (14,126 types for the 100,000
people of the demo organisation: its teams times its four time zones).

**The dual.** Start from ``y_v = m_v / 2`` with ``m_v = max_c W(v, c)`` over the classes with
someone other than ``v``: feasible, as ``y_u + y_v = (m_u + m_v) / 2 >= w_uv``. This alone is
the "everyone picks their best partner" bound ``sum_v m_v / 2``. Then each sweep lowers every
``y_v`` at once by half its *slack* ``s_v = y_v - max_c (W(v, c) - min_{u in c} y_u)`` (when
positive, and not below 0). It stays feasible: for a pair ``uv``, ``y_u + y_v - w_uv`` is at
least 0, ``s_u`` and ``s_v``, hence at least ``s_u / 2 + s_v / 2``. Steps are rounded down to
multiples of 1/64, so every figure is exact in floating point. The sweeps stop when one lowers
the bound by less than one unit of weight. This is a block coordinate descent on the dual
(a Lagrangian bound); it matters when a small group (a lone time zone) can only meet people
who have better partners elsewhere, and not at all on a balanced roster.

Up to ``dense_limit`` people the weights of all pairs are computed exactly (repeats,
exclusions and jitter included), and the same sweeps run on them.

**Groups.** For groups of at most ``s`` people a person meets at most ``s - 1`` others in the
group, so the sum of the weights inside all groups is at most half the sum over everyone of
their ``s - 1`` heaviest possible pairs (weights of allowed pairs are positive). The same
classes give them with multiplicities.

References
----------
.. [1] J. Edmonds, "Maximum matching and a polyhedron with 0,1-vertices", J. Res. Nat. Bur.
   Standards 69B (1965) 125-130.
.. [2] L. Lovász, M. D. Plummer, *Matching Theory*, North-Holland 1986, ch. 7 (fractional
   matchings and the linear programming duality of matching).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from connectwell.matching.roster import (
    BASE,
    HOURS_BONUS,
    INTEREST_BONUS,
    JITTER,
    LEVEL_BONUS,
    LOCATION_BONUS,
    NO_OVERLAP_PENALTY,
    TEAM_PENALTY,
    IntArray,
    Roster,
    _overlap,
    _popcount,
)

FloatArray = npt.NDArray[np.float64]

#: Up to this many people every pair's exact weight is used (n^2 / 2 weights).
DENSE_LIMIT = 300
#: Beyond this many distinct working hours, hours are widened to a coarser grid.
KIND_LIMIT = 256
#: Cells (people x kinds) handled at once in the class computations.
CHUNK_CELLS = 1 << 20
#: Dual steps are multiples of this: every figure stays exact in floating point.
STEP = 1 / 64
#: A float product is trusted to this relative error (the bonus is at most a few thousand).
FLOAT_SLACK = 1e-9


def all_pairs_upper_bound(
    roster: Roster,
    *,
    sizes: Sequence[int] | None = None,
    dense_limit: int = DENSE_LIMIT,
    max_sweeps: int = 60,
) -> float:
    """An upper bound on the total weight of the best round over all pairs of ``roster``.

    Parameters
    ----------
    roster : Roster
        The compiled participants, history and exclusions (as :func:`pair_round` compiles them).
    sizes : sequence of int, optional
        The group sizes of the round the bound is for (usually those of the result). With
        groups of two and three only, the bound covers every partition of the roster into pairs
        and at most as many groups of three (``n % 2`` at least, the rule of pairs mode), valued
        as ``Result.weight`` (all the pairs inside each group). With larger groups, it covers
        every partition into groups of at most ``max(sizes)`` people. ``None``: pairs mode's
        own shape (pairs, and one group of three when the count is odd).
    dense_limit : int
        Up to this many people, every pair's exact weight is used.
    max_sweeps : int
        At most this many sweeps of the dual descent.

    Returns
    -------
    float
        At least the weight of every such round that avoids excluded pairs; also at least
        the weight of every matching of the roster (``Result.matching_weight``).

    Complexity
    ----------
    O(n log n) to form the classes and the *types* of people (same hours, team and, where the
    rules use them, level, location, interests and priority: their upper weights are the same),
    then O(T K + n) time and memory per sweep for T types and K distinct working hours (K at
    most 256 after widening); O(n^2) per sweep up to ``dense_limit`` people. Sweeps stop when
    one gains less than a unit; on a balanced roster there is one.

    Examples
    --------
    >>> from connectwell.matching import Participant, Rules
    >>> from connectwell.matching.roster import compile_roster
    >>> people = [Participant(str(k), team=f"t{k % 2}") for k in range(4)]
    >>> roster = compile_roster(people, [], [], Rules(), seed=0)
    >>> all_pairs_upper_bound(roster) >= 2 * 10_000
    True
    """
    n = roster.n
    if n < 2:
        return 0.0
    sizes = list(sizes) if sizes else [2] * (n // 2 - 1) + [2 + n % 2]
    largest = max(sizes)
    weights: _Weights = _Dense(roster) if n <= dense_limit else _Classes(roster)
    if largest > 3:
        return weights.top_sum(largest - 1) / 2.0
    best = weights.best()
    y = np.where(np.isfinite(best), best / 2.0, 0.0)
    for _ in range(max_sweeps):
        need = weights.need(y)
        slack = np.maximum(y - need, 0.0)
        step = np.minimum(np.floor(slack / 2.0 / STEP) * STEP, y)
        y -= step
        if step.sum() < 1.0:
            break
    trios = max(n % 2, sizes.count(3))
    return float(y.sum()) + _trio_extra(best, y, trios, n)


def _trio_extra(best: FloatArray, y: FloatArray, trios: int, n: int) -> float:
    """What ``trios`` disjoint groups of three can add over ``sum(y)`` (or fewer, same parity)."""
    if trios == 0:
        return 0.0
    # 2 m_c - y_c >= m_c >= 0 (y_c never exceeds m_c / 2); someone with no partner is in no
    # trio, and counting them at 0 only raises the bound.
    extra = np.where(np.isfinite(best), 2.0 * best - y, 0.0)
    count = min(3 * trios, 3 * (n // 3))
    top = -np.sort(-np.partition(extra, n - count)[n - count :])
    thirds = top[2::3]
    totals = np.r_[0.0, np.cumsum(thirds)]
    allowed = [t for t in range(len(totals)) if t % 2 == n % 2]
    return float(max(totals[allowed])) if allowed else 0.0


class _Weights:
    """Upper weights ``W(v, .)`` of a roster, by person, as the dual descent needs them."""

    def best(self) -> FloatArray:
        """``m_v``: the largest upper weight of ``v`` with anyone (``-inf`` for nobody)."""
        raise NotImplementedError

    def need(self, y: FloatArray) -> FloatArray:
        """A number at least ``max_u (w_vu - y_u)`` for each ``v`` (``-inf`` for nobody)."""
        raise NotImplementedError

    def top_sum(self, r: int) -> float:
        """The sum over everyone of an upper bound on their ``r`` heaviest pairs."""
        raise NotImplementedError


class _Dense(_Weights):
    """Every pair's exact weight (excluded pairs and the diagonal at ``-inf``)."""

    def __init__(self, roster: Roster) -> None:
        n = roster.n
        i, j = np.divmod(np.arange(n * n, dtype=np.int64), n)
        forward = roster.pair_weights(i, j).reshape(n, n)
        table = np.maximum(forward, forward.T).astype(np.float64)
        table[table < 0] = -np.inf
        np.fill_diagonal(table, -np.inf)
        self.table = table

    def best(self) -> FloatArray:
        out: FloatArray = self.table.max(axis=1)
        return out

    def need(self, y: FloatArray) -> FloatArray:
        out: FloatArray = (self.table - y[None, :]).max(axis=1)
        return out

    def top_sum(self, r: int) -> float:
        ordered = -np.sort(-self.table, axis=1)[:, :r]
        return float(np.where(np.isfinite(ordered), ordered, 0.0).sum())


@dataclass
class _Rows:
    """Upper weights of some people with the classes of each kind: same team, other teams."""

    types: IntArray  # the types of ``people``, one person of each
    people: IntArray
    same: FloatArray  # (p, K): W(v, class (k, team of v)), -inf where nobody else is there
    other: FloatArray  # (p, K): W(v, anyone of kind k in another team), -inf for nobody
    same_count: IntArray
    other_count: IntArray
    class_pos: IntArray  # (p, K): index of the class (k, team of v), clipped


class _Classes(_Weights):
    """Upper weights from classes (working-hours kind, team): O(n K) per pass."""

    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        rules = roster.rules
        n = roster.n
        kind, spans = _kinds(roster.start, roster.end)
        self.kind = kind
        k = len(spans)
        self.k = k
        overlap = _overlap(spans[:, 0][:, None], spans[:, 1][:, None], spans[:, 0], spans[:, 1])
        self.base = BASE - np.where(overlap < roster.min_overlap_minutes, NO_OVERLAP_PENALTY, 0)
        self.hours_bonus = (HOURS_BONUS * np.clip(overlap, 0, 240)) // 240
        team = roster.team.astype(np.int64)
        self.team = team
        self.teams = int(team.max()) + 1 if n else 1
        keys = kind * self.teams + team
        self.class_keys, self.class_of, self.class_count = np.unique(
            keys, return_inverse=True, return_counts=True
        )
        self.class_of = self.class_of.ravel()
        self.class_kind = self.class_keys // self.teams
        self.class_team = self.class_keys % self.teams
        self.kind_count = np.bincount(kind, minlength=k)
        self.order = np.argsort(self.class_of, kind="stable")
        self.class_start = np.r_[0, np.cumsum(self.class_count)[:-1]]
        self.priority_max = np.zeros(k)
        np.maximum.at(self.priority_max, kind, roster.priority)
        self.level_span = _value_span(roster.level, kind, k) if rules.mix_levels else None
        self.location_span = _value_span(roster.location, kind, k) if rules.mix_locations else None
        self.interests: npt.NDArray[np.uint64] | None = None
        if rules.match_interests:
            self.interests = np.zeros(k, dtype=np.uint64)
            np.bitwise_or.at(self.interests, kind, roster.interests)
        # People with the same kind, team and (where the rules use them) level, location,
        # interests and priority have the same upper weights: one row per *type*.
        columns = [keys, roster.priority.view(np.int64)]
        if rules.mix_levels:
            columns.append(roster.level)
        if rules.mix_locations:
            columns.append(roster.location)
        if rules.match_interests:
            columns.append(roster.interests.view(np.int64))
        self.type_of, self.type_first, self.type_count = _types(columns)
        same_penalty = other_penalty = 0
        if rules.team_mix == "across":
            same_penalty = TEAM_PENALTY
        elif rules.team_mix == "within":
            other_penalty = TEAM_PENALTY
        self.same_penalty, self.other_penalty = same_penalty, other_penalty

    def rows(self) -> Iterator[_Rows]:
        """Upper weights of one person of each type with every class, a chunk at a time."""
        roster, k = self.roster, self.k
        per = max(1, CHUNK_CELLS // max(1, k))
        kinds = np.arange(k)
        types = len(self.type_first)
        for begin in range(0, types, per):
            people = self.type_first[begin : min(types, begin + per)]
            mine = self.kind[people]
            bonus = self.hours_bonus[mine].astype(np.float64)
            if self.level_span is not None:
                bonus += LEVEL_BONUS * _differs(roster.level[people], self.level_span)
            if self.location_span is not None:
                bonus += LOCATION_BONUS * _differs(roster.location[people], self.location_span)
            if self.interests is not None:
                shared = _popcount(roster.interests[people][:, None] & self.interests[None, :])
                bonus += INTEREST_BONUS * np.minimum(shared, 3)
            factor = (1.0 + roster.priority[people])[:, None] + self.priority_max[None, :]
            scaled = np.floor(bonus * factor * (1.0 + FLOAT_SLACK))
            upper = self.base[mine] + scaled + (JITTER - 1)
            keys = kinds[None, :] * self.teams + self.team[people][:, None]
            pos = np.minimum(np.searchsorted(self.class_keys, keys), len(self.class_keys) - 1)
            in_class = np.where(self.class_keys[pos] == keys, self.class_count[pos], 0)
            same_count = in_class - (mine[:, None] == kinds[None, :])
            other_count = self.kind_count[None, :] - in_class
            yield _Rows(
                types=np.arange(begin, begin + len(people)),
                people=people,
                same=np.where(same_count > 0, upper - self.same_penalty, -np.inf),
                other=np.where(other_count > 0, upper - self.other_penalty, -np.inf),
                same_count=same_count,
                other_count=other_count,
                class_pos=pos,
            )

    def best(self) -> FloatArray:
        out = np.empty(len(self.type_first))
        for rows in self.rows():
            out[rows.types] = np.maximum(rows.same, rows.other).max(axis=1)
        best: FloatArray = out[self.type_of]
        return best

    def need(self, y: FloatArray) -> FloatArray:
        class_min = np.minimum.reduceat(y[self.order], self.class_start)
        # Per kind: the smallest class minimum, its team, and the smallest of another team.
        ranked = np.lexsort((class_min, self.class_kind))
        kinds = self.class_kind[ranked]
        first = np.flatnonzero(np.r_[True, kinds[1:] != kinds[:-1]])
        low1 = np.full(self.k, np.inf)
        low2 = np.full(self.k, np.inf)
        team1 = np.full(self.k, -1, dtype=np.int64)
        low1[kinds[first]] = class_min[ranked[first]]
        team1[kinds[first]] = self.class_team[ranked[first]]
        second = first + 1
        has_second = second < len(ranked)
        has_second[has_second] &= kinds[second[has_second]] == kinds[first[has_second]]
        low2[kinds[first[has_second]]] = class_min[ranked[second[has_second]]]
        out = np.empty(len(self.type_first))
        for rows in self.rows():
            team = self.team[rows.people][:, None]
            other_min = np.where(team1[None, :] != team, low1[None, :], low2[None, :])
            same_min = class_min[rows.class_pos]
            need = np.maximum(
                np.where(rows.same_count > 0, rows.same - same_min, -np.inf),
                np.where(rows.other_count > 0, rows.other - other_min, -np.inf),
            )
            out[rows.types] = need.max(axis=1)
        need_of: FloatArray = out[self.type_of]
        return need_of

    def top_sum(self, r: int) -> float:
        total = 0.0
        for rows in self.rows():
            values = np.concatenate([rows.same, rows.other], axis=1)
            counts = np.concatenate([rows.same_count, rows.other_count], axis=1)
            counts = np.where(np.isfinite(values), np.maximum(counts, 0), 0)
            order = np.argsort(-values, axis=1)
            values = np.take_along_axis(values, order, axis=1)
            counts = np.take_along_axis(counts, order, axis=1)
            before = np.cumsum(counts, axis=1) - counts
            take = np.clip(r - before, 0, counts)
            each = (take * np.where(take > 0, values, 0.0)).sum(axis=1)
            total += float((each * self.type_count[rows.types]).sum())
        return total


def _kinds(start: IntArray, end: IntArray) -> tuple[IntArray, IntArray]:
    """Each person's kind of working hours, and the spans of the kinds (widened if many)."""
    for grid in (1, 15, 30, 60, 120, 240, 480, 1440):
        low, high = (start // grid) * grid, -(-end // grid) * grid
        width = int(high.max() - high.min()) + 1
        keys = (low - low.min()) * width + (high - high.min())
        distinct, first, kind = np.unique(keys, return_index=True, return_inverse=True)
        if len(distinct) <= KIND_LIMIT:
            break
    spans = np.stack([low[first], high[first]], axis=1).astype(np.int64)
    return kind.ravel().astype(np.int64), spans


def _types(columns: list[IntArray]) -> tuple[IntArray, IntArray, IntArray]:
    """Rows with equal values in every column share a type: each row's type, the first row of
    each type and the number of rows of each type. Columns with one value are skipped."""
    varying = [c for c in columns if len(c) and c.min() != c.max()]
    n = len(columns[0])
    if not varying:
        return np.zeros(n, dtype=np.int64), np.zeros(1, dtype=np.int64), np.array([n])
    order = np.lexsort(varying[::-1])
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for column in varying:
        ranked = column[order]
        change[1:] |= ranked[1:] != ranked[:-1]
    type_of = np.empty(n, dtype=np.int64)
    type_of[order] = np.cumsum(change) - 1
    first = order[change]
    counts = np.bincount(type_of)
    return type_of, first, counts


def _value_span(values: IntArray, kind: IntArray, k: int) -> tuple[IntArray, IntArray]:
    """Per kind, the smallest and largest known value (-1 is unknown); empty kinds: (1, 0)."""
    known = values >= 0
    low = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
    high = np.full(k, -1, dtype=np.int64)
    np.minimum.at(low, kind[known], values[known])
    np.maximum.at(high, kind[known], values[known])
    return low, high


def _differs(mine: IntArray, span: tuple[IntArray, IntArray]) -> FloatArray:
    """(p, K): whether some known value of the kind differs from a person's known value."""
    low, high = span
    present = high >= low
    same_only = (low[None, :] == mine[:, None]) & (high[None, :] == mine[:, None])
    differs = (mine[:, None] >= 0) & present[None, :] & ~same_only
    return differs.astype(np.float64)
