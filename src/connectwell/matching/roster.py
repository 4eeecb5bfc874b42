"""A roster compiled to arrays, and the weight of a pair.

Every algorithm of the library works on integer indices into a :class:`Roster`, and every pair
is valued by :meth:`Roster.pair_weights`, one vectorised function, so the candidate graph, the
pair matching, the groups and the benchmarks all agree on what a good pair is.

The weight of a pair is an integer (so that exact solvers agree to the unit):

===========================================  ============================================
``BASE``                                     every pair, so that more pairs is better
``- REPEAT_PENALTY + age credit``            met within the no-repeat window; the longer
                                             ago, the smaller the penalty
``- NO_OVERLAP_PENALTY``                     fewer shared working hours than the rule
``- TEAM_PENALTY``                           same team (or different teams, ``within``)
``- MANAGER_PENALTY``                        manager, report or same manager
``+ preferences × (1 + priorities)``         shared hours, levels, locations, interests;
                                             larger for people with few connections
``+ jitter``                                 a small seeded, symmetric tie-break
===========================================  ============================================

The penalties are ordered as the objectives of the issue: a repeat costs more than a pair
without shared hours, which costs more than a same-team pair.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter

import numpy as np
import numpy.typing as npt

from connectwell.matching.model import (
    HistoryTable,
    MatchingInputError,
    Participant,
    PastGroup,
    Rules,
    reference_date,
    zone,
)

BASE = 10_000
REPEAT_PENALTY = 5_000
REPEAT_AGE_CREDIT = 2_000
NO_OVERLAP_PENALTY = 3_000
TEAM_PENALTY = 1_000
MANAGER_PENALTY = 500
HOURS_BONUS = 100
LEVEL_BONUS = 100
LOCATION_BONUS = 100
INTEREST_BONUS = 60
JITTER = 50
MINUTES_PER_DAY = 1440
#: Up to this many distinct working hours, shared minutes come from a table (8 MiB at most).
HOURS_TABLE_LIMIT = 1024

IntArray = npt.NDArray[np.int64]


@dataclass(eq=False)
class Roster:
    """Participants as arrays, with their history and exclusions as sorted pair keys.

    A pair ``(i, j)`` with ``i < j`` has the key ``i * n + j``. ``start`` and ``end`` are the
    working hours in minutes of UTC from midnight UTC of the reference date.
    """

    ids: list[str]
    index: dict[str, int]
    team: IntArray
    manager: IntArray
    manager_of: IntArray
    start: IntArray
    end: IntArray
    level: IntArray
    location: IntArray
    interests: npt.NDArray[np.uint64]
    priority: npt.NDArray[np.float64]
    history_keys: IntArray
    history_age: IntArray
    exclusion_keys: IntArray
    rules: Rules
    reference_date: dt.date
    window_days: int
    min_overlap_minutes: int
    seed: int
    _hours: tuple[IntArray, IntArray] | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return len(self.ids)

    def keys(self, i: IntArray, j: IntArray) -> IntArray:
        """The pair keys of ``(i, j)``, in either order."""
        low = np.minimum(i, j).astype(np.int64)
        high = np.maximum(i, j).astype(np.int64)
        return low * self.n + high

    def overlap_minutes(self, i: IntArray, j: IntArray) -> IntArray:
        """Shared working minutes of ``i`` and ``j`` on the reference date, across midnight.

        With at most ``HOURS_TABLE_LIMIT`` distinct working hours (time zone and shift), the
        minutes come from a table of every two of them, computed once: two look-ups a pair.
        """
        if self._hours is None:
            spans = np.stack([self.start, self.end], axis=1)
            distinct, kind = np.unique(spans, axis=0, return_inverse=True)
            if len(distinct) <= HOURS_TABLE_LIMIT:
                table = _overlap(
                    distinct[:, 0][:, None],
                    distinct[:, 1][:, None],
                    distinct[:, 0][None, :],
                    distinct[:, 1][None, :],
                )
                self._hours = (kind.ravel().astype(np.int64), table)
            else:
                self._hours = (np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.int64))
        kind, table = self._hours
        if len(table):
            return table[kind[i], kind[j]]
        return _overlap(self.start[i], self.end[i], self.start[j], self.end[j])

    def _lookup(self, sorted_keys: IntArray, keys: IntArray) -> tuple[IntArray, npt.NDArray]:
        return lookup(sorted_keys, keys)

    def repeat_age(self, i: IntArray, j: IntArray) -> IntArray:
        """Days since ``i`` and ``j`` last met within the window, or -1."""
        if len(self.history_keys) == 0:
            return np.full(len(i), -1, dtype=np.int64)
        pos, found = self._lookup(self.history_keys, self.keys(i, j))
        return np.where(found, self.history_age[pos], -1)

    def excluded(self, i: IntArray, j: IntArray) -> npt.NDArray[np.bool_]:
        """Whether ``i`` and ``j`` must never be paired."""
        return self._lookup(self.exclusion_keys, self.keys(i, j))[1]

    def team_clash(self, i: IntArray, j: IntArray) -> npt.NDArray[np.bool_]:
        """A pair against the team rule: same team (``across``) or different (``within``)."""
        if self.rules.team_mix == "across":
            return self.team[i] == self.team[j]
        if self.rules.team_mix == "within":
            return self.team[i] != self.team[j]
        return np.zeros(len(i), dtype=bool)

    def manager_clash(self, i: IntArray, j: IntArray) -> npt.NDArray[np.bool_]:
        """Manager and report, or two reports of the same manager."""
        same = (self.manager[i] == self.manager[j]) & (self.manager[i] >= 0)
        return same | (self.manager_of[i] == j) | (self.manager_of[j] == i)

    def pair_weights(self, i: IntArray, j: IntArray) -> IntArray:
        """The weight of each pair ``(i[k], j[k])``; -1 for an excluded pair or ``i == j``.

        Complexity: O(m log(h + x)) for m pairs, h history pairs and x exclusions.
        """
        i = np.asarray(i, dtype=np.int64)
        j = np.asarray(j, dtype=np.int64)
        rules = self.rules
        weight = np.full(len(i), BASE, dtype=np.int64)
        age = self.repeat_age(i, j)
        credit = (REPEAT_AGE_CREDIT * np.clip(age, 0, self.window_days)) // max(1, self.window_days)
        weight -= np.where(age >= 0, REPEAT_PENALTY - credit, 0)
        overlap = self.overlap_minutes(i, j)
        weight -= np.where(overlap < self.min_overlap_minutes, NO_OVERLAP_PENALTY, 0)
        weight -= np.where(self.team_clash(i, j), TEAM_PENALTY, 0)
        if rules.mix_managers:
            weight -= np.where(self.manager_clash(i, j), MANAGER_PENALTY, 0)
        bonus = (HOURS_BONUS * np.clip(overlap, 0, 240)) // 240
        if rules.mix_levels:
            li, lj = self.level[i], self.level[j]
            bonus += np.where((li >= 0) & (lj >= 0) & (li != lj), LEVEL_BONUS, 0)
        if rules.mix_locations:
            oi, oj = self.location[i], self.location[j]
            bonus += np.where((oi >= 0) & (oj >= 0) & (oi != oj), LOCATION_BONUS, 0)
        if rules.match_interests:
            shared = _popcount(self.interests[i] & self.interests[j])
            bonus += INTEREST_BONUS * np.minimum(shared, 3)
        factor = 1.0 + self.priority[i] + self.priority[j]
        weight += (bonus * factor).astype(np.int64)
        weight += self._jitter(i, j)
        bad = (i == j) | self.excluded(i, j)
        return np.where(bad, -1, weight)

    def _jitter(self, i: IntArray, j: IntArray) -> IntArray:
        low = np.minimum(i, j).astype(np.uint64)
        high = np.maximum(i, j).astype(np.uint64)
        mixed = low * np.uint64(0x9E3779B97F4A7C15) ^ (high + np.uint64(self.seed + 1)) * np.uint64(
            0xC2B2AE3D27D4EB4F
        )
        mixed ^= mixed >> np.uint64(29)
        mixed *= np.uint64(0xBF58476D1CE4E5B9)
        mixed ^= mixed >> np.uint64(32)
        return (mixed % np.uint64(JITTER)).astype(np.int64)


#: From this many keys on, :func:`lookup` sorts them first: a binary search of sorted keys walks
#: memory in order, which is several times faster than random probes of a large array.
SORTED_LOOKUP_FROM = 65_536


def lookup(sorted_keys: IntArray, keys: IntArray) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Positions of ``keys`` in ``sorted_keys`` (clipped to the array) and whether found.

    Complexity: O(m log m + m log s) for m keys in s sorted keys.
    """
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
    if len(keys) >= SORTED_LOOKUP_FROM and len(sorted_keys) >= SORTED_LOOKUP_FROM:
        order = np.argsort(keys)
        pos = np.empty(len(keys), dtype=np.int64)
        pos[order] = np.searchsorted(sorted_keys, keys[order])
    else:
        pos = np.searchsorted(sorted_keys, keys)
    np.minimum(pos, len(sorted_keys) - 1, out=pos)
    return pos, sorted_keys[pos] == keys


def _overlap(si: IntArray, ei: IntArray, sj: IntArray, ej: IntArray) -> IntArray:
    """Shared minutes of the spans ``[si, ei)`` and ``[sj, ej)``, the second also a day earlier
    or later (shapes broadcast)."""
    best = np.zeros(np.broadcast_shapes(si.shape, sj.shape), dtype=np.int64)
    for shift in (-MINUTES_PER_DAY, 0, MINUTES_PER_DAY):
        shared = np.minimum(ei, ej + shift) - np.maximum(si, sj + shift)
        np.maximum(best, shared, out=best)
    return best


def _popcount(values: npt.NDArray[np.uint64]) -> IntArray:
    count = np.zeros(values.shape, dtype=np.int64)
    work = values.copy()
    while np.any(work):
        count += (work & np.uint64(1)).astype(np.int64)
        work >>= np.uint64(1)
    return count


def utc_minutes(person: Participant, on: dt.date) -> tuple[int, int]:
    """Working hours of ``person`` on the date ``on`` as minutes from midnight UTC of ``on``.

    Daylight saving is taken on that date, so London and New York share three hours in January
    and four in the weeks of March when only America has moved its clocks.
    """
    tz = zone(person.timezone)
    utc_midnight = dt.datetime.combine(on, dt.time(0), tzinfo=dt.UTC)
    begin = dt.datetime.combine(on, person.work_start, tzinfo=tz)
    end_day = on if person.work_end > person.work_start else on + dt.timedelta(days=1)
    finish = dt.datetime.combine(end_day, person.work_end, tzinfo=tz)
    start = int((begin - utc_midnight).total_seconds() // 60)
    end = int((finish - utc_midnight).total_seconds() // 60)
    return start, end


def compile_roster(
    participants: Sequence[Participant],
    history: Iterable[PastGroup] | HistoryTable,
    exclusions: Iterable[tuple[str, str]],
    rules: Rules,
    seed: int,
) -> Roster:
    """Compile validated participants, history and exclusions into a :class:`Roster`.

    History (past groups or a :class:`HistoryTable`) older than the no-repeat window is dropped:
    it does not count as a repeat. A history member who is not a participant raises
    :class:`MatchingInputError`.

    Complexity: O(n + h log h + x log x) for n people, h history memberships and x exclusions;
    the history is handled in arrays (a table costs no Python object per group).
    """
    if not isinstance(history, HistoryTable):
        history = list(history)
    ref = reference_date(rules, history)
    ids = [p.id for p in participants]
    index = {pid: k for k, pid in enumerate(ids)}
    n = len(ids)
    codes: dict[str | None, int] = {}

    def code(value: str | None) -> int:
        if value is None or value == "":
            return -1
        return codes.setdefault(value, len(codes))

    team = np.array([code("team:" + p.team) for p in participants], dtype=np.int64)
    manager = np.array(
        [code("manager:" + p.manager) if p.manager else -1 for p in participants], dtype=np.int64
    )
    manager_of = np.array([index.get(p.manager or "", -1) for p in participants], dtype=np.int64)
    level = np.array([-1 if p.level is None else p.level for p in participants], dtype=np.int64)
    location = np.array(
        [code("loc:" + p.location) if p.location else -1 for p in participants], dtype=np.int64
    )
    interest_bit: dict[str, int] = {}
    masks = []
    for p in participants:
        mask = 0
        for interest in p.interests:
            bit = interest_bit.setdefault(interest.strip().lower(), len(interest_bit)) % 64
            mask |= 1 << bit
        masks.append(mask)
    interests = np.array(masks, dtype=np.uint64)
    priority = np.array(
        [
            0.0 if p.recent_connections is None else 1.0 / (1 + p.recent_connections)
            for p in participants
        ],
        dtype=np.float64,
    )
    hours: dict[tuple[str, dt.time, dt.time], tuple[int, int]] = {}
    spans = []
    for p in participants:
        hkey = (p.timezone, p.work_start, p.work_end)
        if hkey not in hours:
            hours[hkey] = utc_minutes(p, ref)
        spans.append(hours[hkey])
    span_array = np.array(spans, dtype=np.int64).reshape(-1, 2)

    window_days = rules.no_repeat_weeks * 7
    history_keys, history_age = _history_pairs(history, index, ids, ref, window_days, n)
    exclusion_keys = _exclusion_keys(exclusions, index, n)
    return Roster(
        ids=ids,
        index=index,
        team=team,
        manager=manager,
        manager_of=manager_of,
        start=span_array[:, 0].copy(),
        end=span_array[:, 1].copy(),
        level=level,
        location=location,
        interests=interests,
        priority=priority,
        history_keys=history_keys,
        history_age=history_age,
        exclusion_keys=exclusion_keys,
        rules=rules,
        reference_date=ref,
        window_days=window_days,
        min_overlap_minutes=round(rules.min_overlap_hours * 60),
        seed=seed,
    )


def _history_pairs(
    history: list[PastGroup] | HistoryTable,
    index: dict[str, int],
    ids: list[str],
    ref: dt.date,
    window_days: int,
    n: int,
) -> tuple[IntArray, IntArray]:
    """Sorted keys of the pairs met within the window, with the age of their latest meeting."""
    if isinstance(history, HistoryTable):
        flat, size_array, age_array = _table_members(history, index, ids, ref)
    else:
        flat, size_array, age_array = _group_members(history, index, ref)
    offsets = np.zeros(len(size_array), dtype=np.int64)
    np.cumsum(size_array[:-1], out=offsets[1:])
    recent = age_array < window_days
    key_parts: list[IntArray] = []
    age_parts: list[IntArray] = []
    for size in np.unique(size_array).tolist():
        if size < 2:
            continue
        chosen = np.flatnonzero(size_array == size)
        block = flat[offsets[chosen][:, None] + np.arange(size)[None, :]]
        for a in range(size):
            for b in range(a + 1, size):
                twice = block[:, a] == block[:, b]
                if twice.any():
                    row = int(chosen[np.argmax(twice)])
                    raise MatchingInputError("history", row, "members", "a person appears twice")
        keep = recent[chosen]
        chosen, block = chosen[keep], block[keep]
        for a in range(size):
            for b in range(a + 1, size):
                low = np.minimum(block[:, a], block[:, b])
                high = np.maximum(block[:, a], block[:, b])
                key_parts.append(low * n + high)
                age_parts.append(age_array[chosen])
    if not key_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    keys = np.concatenate(key_parts)
    pair_ages = np.concatenate(age_parts)
    del key_parts, age_parts
    span = max(1, window_days)
    if n * n < np.iinfo(np.int64).max // (span + 1):
        # One sort of key * span + age (ages are 0 .. span - 1): faster than a lexsort.
        packed = keys * span + pair_ages
        packed.sort()
        keys, pair_ages = packed // span, packed % span
    else:
        order = np.lexsort((pair_ages, keys))
        keys, pair_ages = keys[order], pair_ages[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    return keys[first], pair_ages[first]


def _group_members(
    history: list[PastGroup], index: dict[str, int], ref: dt.date
) -> tuple[IntArray, IntArray, IntArray]:
    """Members (flat, group after group), group sizes and ages in days of past groups."""
    members = list(map(attrgetter("members"), history))
    sizes = np.fromiter(map(len, members), dtype=np.int64, count=len(members))
    names = chain.from_iterable(members)
    try:
        flat = np.fromiter(map(index.__getitem__, names), dtype=np.int64, count=int(sizes.sum()))
    except KeyError as missing:
        row = next(r for r, g in enumerate(history) if missing.args[0] in g.members)
        raise MatchingInputError(
            "history", row, "members", f"unknown person {missing.args[0]!r}"
        ) from None
    dates = list(map(attrgetter("date"), history))
    age_of = {date: max(0, (ref - date).days) for date in set(dates)}
    ages = np.fromiter(map(age_of.__getitem__, dates), dtype=np.int64, count=len(dates))
    return flat, sizes, ages


def _table_members(
    table: HistoryTable, index: dict[str, int], ids: list[str], ref: dt.date
) -> tuple[IntArray, IntArray, IntArray]:
    """Members (flat, group after group), group sizes and ages in days of a history table."""
    person = np.asarray(table.person, dtype=np.int64)
    group = np.asarray(table.group, dtype=np.int64)
    groups = len(table.group_dates)
    if len(person) != len(group):
        raise MatchingInputError("history", None, "group", "person and group differ in length")
    if len(person) and (person.min() < 0 or person.max() >= len(table.ids)):
        raise MatchingInputError("history", None, "person", "index out of range of ids")
    if len(group) and (group.min() < 0 or group.max() >= groups):
        raise MatchingInputError("history", None, "group", "index out of range of group_dates")
    if table.ids is not ids and list(table.ids) != ids:
        translate = np.array([index.get(pid, -1) for pid in table.ids], dtype=np.int64)
        person = translate[person]
        unknown = np.flatnonzero(person < 0)
        if len(unknown):
            name = table.ids[int(table.person[unknown[0]])]
            row = int(group[unknown[0]])
            raise MatchingInputError("history", row, "members", f"unknown person {name!r}")
    order = np.argsort(group, kind="stable")
    sizes = np.bincount(group, minlength=groups).astype(np.int64)
    dates = np.asarray(table.group_dates, dtype="datetime64[D]")
    ages = (np.datetime64(ref, "D") - dates).astype(np.int64)
    return person[order], sizes, np.maximum(ages, 0)


def _exclusion_keys(
    exclusions: Iterable[tuple[str, str]], index: dict[str, int], n: int
) -> IntArray:
    keys = []
    for a, b in exclusions:
        i, j = index[a], index[b]
        keys.append(min(i, j) * n + max(i, j))
    return np.unique(np.array(keys, dtype=np.int64))
