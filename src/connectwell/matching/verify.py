"""Check any result of the library, independently of the code that produced it.

:func:`verify` recomputes everything from the inputs with plain Python (sets, dicts and
:mod:`zoneinfo`), sharing no code with the solver but the dataclasses, so that a bug in the
solver's arrays cannot hide itself. Every test of the library calls it. A
:class:`~connectwell.matching.model.HistoryTable` (millions of memberships) is checked with one
sort of its memberships by (past group, group of the result), an algorithm of its own too: the
solver looks pairs up by key instead.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from connectwell.matching.model import (
    HistoryTable,
    InvalidResultError,
    Participant,
    PastGroup,
    Result,
    Rules,
    reference_date,
    zone,
)


@dataclass(frozen=True)
class Report:
    """What :func:`verify` found. ``problems`` lists every broken hard rule."""

    people: int
    groups: int
    sizes: dict[int, int]
    pairs: int
    dropped: tuple[str, ...]
    duplicated: tuple[str, ...]
    unknown: tuple[str, ...]
    excluded_pairs: int
    repeats: int
    repeat_ages_days: tuple[int, ...]
    same_team_pairs: int
    manager_pairs: int
    pairs_without_shared_hours: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


Span = tuple[dt.datetime, dt.datetime]


def utc_span(person: Participant, on: dt.date) -> Span:
    """The working hours of ``person`` on the date ``on``, in UTC."""
    tz = zone(person.timezone)
    begin = dt.datetime.combine(on, person.work_start, tzinfo=tz)
    finish_day = on + dt.timedelta(days=int(person.work_end <= person.work_start))
    finish = dt.datetime.combine(finish_day, person.work_end, tzinfo=tz)
    return begin.astimezone(dt.UTC), finish.astimezone(dt.UTC)


def overlap_minutes(first: Span, second: Span) -> int:
    """Minutes two working spans share, on the same day or across midnight."""
    (s1, e1), (s2, e2) = first, second
    best = dt.timedelta(0)
    for days in (-1, 0, 1):
        shift = dt.timedelta(days=days)
        best = max(best, min(e1, e2 + shift) - max(s1, s2 + shift))
    return int(best.total_seconds() // 60)


def shared_minutes(a: Participant, b: Participant, on: dt.date) -> int:
    """Working minutes ``a`` and ``b`` share on the date ``on`` (or across its midnights)."""
    return overlap_minutes(utc_span(a, on), utc_span(b, on))


def verify(
    result: Result | Sequence[Sequence[str]],
    participants: Sequence[Participant],
    *,
    history: Iterable[PastGroup] | HistoryTable = (),
    exclusions: Iterable[tuple[str, str]] = (),
    rules: Rules | None = None,
    strict: bool = True,
) -> Report:
    """Check a partition of ``participants`` into groups.

    Hard rules (listed in ``Report.problems``, raised when ``strict``): everyone placed exactly
    once, nobody unknown, every group of 2 to 5 people (one group of everyone when there are
    fewer than 2), no excluded pair in a group. Soft figures: repeats within the window and
    their ages, same-team pairs, manager pairs, pairs without the minimum shared hours.

    Parameters
    ----------
    result : Result or sequence of groups of ids
    participants, history, exclusions, rules
        The inputs of the round; ``history`` as past groups or a
        :class:`~connectwell.matching.model.HistoryTable`.
    strict : bool
        Raise :class:`InvalidResultError` when a hard rule is broken.

    Returns
    -------
    Report

    Complexity
    ----------
    O(n + h) time for n people and h history memberships (O(h log h) for a table); memory
    O(n + pairs in the result), plus O(h) for a table.
    """
    rules = rules or Rules()
    if not isinstance(history, HistoryTable):
        history = list(history)
    groups = result.groups if isinstance(result, Result) else tuple(map(tuple, result))
    people = {p.id: p for p in participants}
    placed = Counter(member for group in groups for member in group)
    dropped = tuple(sorted(pid for pid in people if pid not in placed))
    duplicated = tuple(sorted(pid for pid, times in placed.items() if times > 1))
    unknown = tuple(sorted(pid for pid in placed if pid not in people))
    sizes = Counter(len(group) for group in groups)
    problems = []
    if dropped:
        problems.append(f"{len(dropped)} people dropped, e.g. {dropped[0]!r}")
    if duplicated:
        problems.append(f"{len(duplicated)} people placed twice, e.g. {duplicated[0]!r}")
    if unknown:
        problems.append(f"{len(unknown)} unknown people, e.g. {unknown[0]!r}")
    if len(people) >= 2:
        bad = sorted(size for size in sizes if not 2 <= size <= 5)
        if bad:
            problems.append(f"groups of size {bad}")
    elif len(groups) > 1:
        problems.append("more than one group for fewer than two people")

    pairs = {
        frozenset(pair): group
        for group in groups
        for pair in combinations(group, 2)
        if pair[0] in people and pair[1] in people and pair[0] != pair[1]
    }
    grouped = sorted({tuple(sorted((a, b))) for a, b in exclusions if frozenset((a, b)) in pairs})
    excluded = len(grouped)
    if excluded:
        first, second = grouped[0]
        problems.append(f"{excluded} excluded pairs grouped, e.g. {first!r} and {second!r}")

    on = reference_date(rules, history)
    window = dt.timedelta(weeks=rules.no_repeat_weeks)
    last_met: dict[frozenset[str], int] = {}
    if isinstance(history, HistoryTable):
        last_met = _table_repeats(history, groups, people, on, window)
    for group in history if isinstance(history, list) else ():
        age = max(0, (on - group.date).days)
        if on - group.date >= window:
            continue
        for pair in combinations(group.members, 2):
            key = frozenset(pair)
            if key in pairs and age < last_met.get(key, age + 1):
                last_met[key] = age

    min_minutes = round(rules.min_overlap_hours * 60)
    same_team = manager_pairs = no_hours = 0
    spans: dict[tuple[str, dt.time, dt.time], Span] = {}

    def span(person: Participant) -> Span:
        key = (person.timezone, person.work_start, person.work_end)
        if key not in spans:
            spans[key] = utc_span(person, on)
        return spans[key]

    for key in pairs:
        a, b = (people[pid] for pid in sorted(key))
        same_team += a.team == b.team
        manager_pairs += bool(
            a.manager == b.id or b.manager == a.id or (a.manager and a.manager == b.manager)
        )
        if min_minutes and overlap_minutes(span(a), span(b)) < min_minutes:
            no_hours += 1
    report = Report(
        people=len(people),
        groups=len(groups),
        sizes=dict(sorted(sizes.items())),
        pairs=len(pairs),
        dropped=dropped,
        duplicated=duplicated,
        unknown=unknown,
        excluded_pairs=excluded,
        repeats=len(last_met),
        repeat_ages_days=tuple(sorted(last_met.values())),
        same_team_pairs=same_team,
        manager_pairs=manager_pairs,
        pairs_without_shared_hours=no_hours,
        problems=tuple(problems),
    )
    if strict and problems:
        raise InvalidResultError("; ".join(problems))
    return report


def _table_repeats(
    table: HistoryTable,
    groups: Sequence[Sequence[str]],
    people: dict[str, Participant],
    on: dt.date,
    window: dt.timedelta,
) -> dict[frozenset[str], int]:
    """The pairs of the result that met within ``window`` before ``on``, with the age in days of
    their latest meeting: members of one past group placed in one group of the result."""
    position = {pid: k for k, pid in enumerate(table.ids)}
    placements = [
        (position[pid], number)
        for number, group in enumerate(groups)
        for pid in group
        if pid in people and pid in position
    ]
    placed = np.array(placements, dtype=np.int64).reshape(-1, 2)
    placed = placed[np.argsort(placed[:, 0], kind="stable")]
    times = np.bincount(placed[:, 0], minlength=len(table.ids))  # usually 1; 2 if duplicated
    first = np.cumsum(times) - times
    days = (np.datetime64(on, "D") - np.asarray(table.group_dates, "datetime64[D]")).astype(
        np.int64
    )
    person = np.asarray(table.person, dtype=np.int64)
    past = np.asarray(table.group, dtype=np.int64)
    keep = (days < window.days)[past] & (times[person] > 0)
    person, past = person[keep], past[keep]
    # One row per (membership, group of the result that person is in).
    copies = times[person]
    row = np.repeat(np.arange(len(person)), copies)
    nth = np.arange(len(row)) - np.repeat(np.cumsum(copies) - copies, copies)
    now = placed[first[person[row]] + nth, 1]
    person, past = person[row], past[row]
    order = np.argsort(past * (len(groups) + 1) + now, kind="stable")
    person, past, now = person[order], past[order], now[order]
    same = (past[1:] == past[:-1]) & (now[1:] == now[:-1])
    last_met: dict[frozenset[str], int] = {}
    for k in np.flatnonzero(same & ~np.r_[False, same[:-1]]).tolist():  # start of each run
        end = k + 1
        while end < len(same) and same[end]:
            end += 1
        age = max(0, int(days[past[k]]))
        members = {table.ids[m] for m in person[k : end + 1].tolist()}
        for pair in combinations(sorted(members), 2):
            key = frozenset(pair)
            if age < last_met.get(key, age + 1):
                last_met[key] = age
    return last_met
