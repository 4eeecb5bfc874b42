"""Data in and out of the matching library: plain, frozen dataclasses.

Everything here is validated at the boundary (:func:`validate_inputs`), so the algorithms behind
it can trust their input. Errors name the source, the row and the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

TeamMix = Literal["across", "within", "any"]

NINE = dt.time(9, 0)
FIVE_PM = dt.time(17, 0)


class MatchingInputError(ValueError):
    """Bad input, naming where it is: the file (or source), the row and the field.

    Parameters
    ----------
    file : str
        The file name, or for library input the source: ``participants``, ``history``,
        ``exclusions`` or ``rules``.
    row : int or None
        For a CSV file the line number (the header is line 1); for a sequence its index.
    field : str or None
        The column or attribute at fault.
    message : str
        What is wrong, in words a person can act on.
    """

    def __init__(self, file: str, row: int | None, field: str | None, message: str) -> None:
        self.file = file
        self.row = row
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"

    def __reduce__(self) -> tuple[type, tuple[str, int | None, str | None, str]]:
        return (type(self), (self.file, self.row, self.field, self.message))


class InvalidResultError(AssertionError):
    """Raised by :func:`~connectwell.matching.verify` when a result breaks a hard rule."""


@dataclass(frozen=True, slots=True)
class Participant:
    """One person who takes part in a round.

    Only ``id`` and ``team`` are required. Working hours are local to ``timezone`` (IANA name);
    a shift that ends before it starts runs past midnight. ``recent_connections`` is the number
    of connections the person made recently (from the connection network), when known: people
    with few get their best candidates first.
    """

    id: str
    team: str
    manager: str | None = None
    timezone: str = "UTC"
    work_start: dt.time = NINE
    work_end: dt.time = FIVE_PM
    level: int | None = None
    location: str | None = None
    interests: frozenset[str] = field(default_factory=frozenset)
    joined: dt.date | None = None
    recent_connections: int | None = None


@dataclass(frozen=True, slots=True)
class PastGroup:
    """A group that met (or was introduced) on ``date``."""

    date: dt.date
    members: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class HistoryTable:
    """Past groups as columns: the compact form of a long history (millions of memberships).

    It says the same as a list of :class:`PastGroup` in a few arrays, so that a history of
    millions of rows costs megabytes and no Python object per group. ``connectwell pair`` reads
    HISTORY.csv into one; :func:`~connectwell.matching.pair_round` and
    :func:`~connectwell.matching.verify` take either form.

    Parameters
    ----------
    ids : sequence of str
        The people the table refers to by position, usually the round's participant ids in
        order (then nothing is translated).
    person : int array, shape (m,)
        Membership ``k`` is the person ``ids[person[k]]`` ...
    group : int array, shape (m,)
        ... in the group ``group[k]``, a number from 0 to ``len(group_dates) - 1``.
    group_dates : datetime64[D] array, shape (g,)
        The date each group met.

    Complexity: O(m + g) memory; :meth:`from_groups` and :meth:`groups` are O(m).
    """

    ids: Sequence[str]
    person: npt.NDArray[np.int64]
    group: npt.NDArray[np.int64]
    group_dates: npt.NDArray[np.datetime64]

    def __len__(self) -> int:
        """The number of groups."""
        return len(self.group_dates)

    @classmethod
    def from_groups(cls, groups: Iterable[PastGroup], ids: Sequence[str]) -> HistoryTable:
        """The table of ``groups``; every member must be in ``ids``.

        Raises :class:`MatchingInputError` (source ``history``, the group's index, field
        ``members``) for an unknown member.
        """
        groups = list(groups)
        index = {pid: k for k, pid in enumerate(ids)}
        person: list[int] = []
        group: list[int] = []
        for row, past in enumerate(groups):
            for member in past.members:
                found = index.get(member)
                if found is None:
                    raise MatchingInputError(
                        "history", row, "members", f"unknown person {member!r}"
                    )
                person.append(found)
                group.append(row)
        return cls(
            ids=ids,
            person=np.array(person, dtype=np.int64),
            group=np.array(group, dtype=np.int64),
            group_dates=np.array([g.date for g in groups], dtype="datetime64[D]"),
        )

    def groups(self) -> list[PastGroup]:
        """The same history as :class:`PastGroup` objects, members in table order."""
        order = np.argsort(self.group, kind="stable")
        cuts = np.searchsorted(self.group[order], np.arange(len(self) + 1))
        names = [self.ids[k] for k in self.person[order].tolist()]
        dates = self.group_dates.astype("datetime64[D]").tolist()  # datetime.date objects
        return [PastGroup(dates[g], tuple(names[cuts[g] : cuts[g + 1]])) for g in range(len(self))]

    def latest_date(self) -> dt.date | None:
        """The date of the latest group, or ``None`` for an empty table."""
        if len(self) == 0:
            return None
        latest: dt.date = self.group_dates.astype("datetime64[D]").max().tolist()
        return latest


#: History as either form: past groups, or a :class:`HistoryTable`.
History: TypeAlias = Iterable[PastGroup] | HistoryTable


@dataclass(frozen=True, slots=True)
class Rules:
    """The rules of a programme.

    Parameters
    ----------
    group_size : int
        2 for pairs (the default), 3 to 5 for small groups.
    no_repeat_weeks : int
        Two people who met within this many weeks before ``reference_date`` should not meet again.
    min_overlap_hours : float
        Every pair should share at least this many working hours (0 turns the rule off).
    team_mix : {"across", "within", "any"}
        Prefer pairs across teams (default), within a team, or do not care.
    mix_managers : bool
        Avoid pairing someone with their manager, their report or a peer with the same manager.
    mix_levels, mix_locations, match_interests : bool
        Prefer different levels, different locations, shared interests.
    candidates_per_person : int
        Size of the sparse candidate graph: about this many candidates per person.
    reference_date : date or None
        The date of the round: repeat ages and daylight-saving offsets are taken on it.
        ``None`` means the latest history date, or 2000-01-03 with no history, so that results
        never depend on the wall clock.
    """

    group_size: int = 2
    no_repeat_weeks: int = 26
    min_overlap_hours: float = 1.0
    team_mix: TeamMix = "across"
    mix_managers: bool = True
    mix_levels: bool = False
    mix_locations: bool = False
    match_interests: bool = False
    candidates_per_person: int = 20
    reference_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Result:
    """The groups of one round, with the figures that describe them.

    ``matching_weight`` and ``upper_bound`` are for the pair matching *on the candidate graph*
    (the sparse graph of the few partners each person may meet): ``upper_bound`` is the value of
    the fractional-matching linear programme on that graph, so ``matching_weight /
    upper_bound`` (:attr:`certified_ratio`) says how close the matching is to the best one of
    that graph, not of every pair (``None`` where no bound is computed); for a large roster
    they are the matching of the blocks, before the people a block left alone are paired
    across blocks (which only adds pairs). ``weight`` sums the pair weights of every pair
    inside every group. ``all_pairs_bound`` is at least the ``weight`` of the best round over
    *all* pairs of the roster with the same weights, rules and group shape
    (:func:`~connectwell.matching.bound.all_pairs_upper_bound`), so :attr:`all_pairs_ratio` is
    a share of the best possible. ``seconds`` maps phase names to wall-clock seconds.

    ``size_plan`` maps each planned group size to its number of groups (the requested size,
    the remainder one size up or down: :mod:`connectwell.matching.group_plan`), and
    ``size_rule`` says the plan in plain words (e.g. "500 people in groups of 3: 166 groups of
    3 and one group of 2 (500 is not a multiple of 3)"). ``forced`` lists, in plain sentences
    naming people, why the groups differ from the plan: a group of three on an even roster of
    pairs, other sizes when the exclusions or working hours made the plan impossible or worse.
    Empty when the groups follow the plan.
    """

    groups: tuple[tuple[str, ...], ...]
    weight: int
    matching_weight: int
    upper_bound: float | None
    candidate_edges: int
    seconds: dict[str, float] = field(default_factory=dict)
    all_pairs_bound: float | None = None
    size_plan: dict[int, int] = field(default_factory=dict)
    size_rule: str = ""
    forced: tuple[str, ...] = ()

    @property
    def certified_ratio(self) -> float | None:
        """``matching_weight / upper_bound`` on the candidate graph, or ``None`` without one."""
        if self.upper_bound is None or self.upper_bound <= 0:
            return None
        return min(1.0, self.matching_weight / self.upper_bound)

    @property
    def all_pairs_ratio(self) -> float | None:
        """``weight / all_pairs_bound``: the share of the best possible round over all pairs
        that this round reaches (at most 1), or ``None`` without the bound."""
        if self.all_pairs_bound is None or self.all_pairs_bound <= 0:
            return None
        return min(1.0, self.weight / self.all_pairs_bound)


DEFAULT_REFERENCE_DATE = dt.date(2000, 1, 3)


def reference_date(rules: Rules, history: Sequence[PastGroup] | HistoryTable) -> dt.date:
    """The round date: the rules' date, else the latest history date, else a fixed date."""
    if rules.reference_date is not None:
        return rules.reference_date
    if isinstance(history, HistoryTable):
        return history.latest_date() or DEFAULT_REFERENCE_DATE
    if history:
        return max(group.date for group in history)
    return DEFAULT_REFERENCE_DATE


_ZONES: dict[str, ZoneInfo] = {}


def zone(name: str) -> ZoneInfo:
    """A cached :class:`ZoneInfo`; raises ``KeyError`` for an unknown name."""
    found = _ZONES.get(name)
    if found is None:
        try:
            found = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise KeyError(name) from error
        _ZONES[name] = found
    return found


def validate_rules(rules: Rules) -> None:
    """Raise :class:`MatchingInputError` if a rule is out of range."""

    def bad(field_name: str, message: str) -> MatchingInputError:
        return MatchingInputError("rules", None, field_name, message)

    if not 2 <= rules.group_size <= 5:
        raise bad("group_size", f"must be 2 to 5, not {rules.group_size}")
    if rules.no_repeat_weeks < 0:
        raise bad("no_repeat_weeks", f"must be 0 or more, not {rules.no_repeat_weeks}")
    if not 0 <= rules.min_overlap_hours <= 24:
        raise bad("min_overlap_hours", f"must be 0 to 24, not {rules.min_overlap_hours}")
    if rules.team_mix not in ("across", "within", "any"):
        raise bad("team_mix", f"must be across, within or any, not {rules.team_mix!r}")
    if not 2 <= rules.candidates_per_person <= 200:
        raise bad("candidates_per_person", "must be 2 to 200")


def validate_inputs(
    participants: Sequence[Participant],
    exclusions: Iterable[tuple[str, str]],
    rules: Rules,
) -> None:
    """Check every input of a round; raise :class:`MatchingInputError` naming the first fault.

    History is checked where it is read (:func:`connectwell.matching.roster.compile_roster`),
    in the same pass. Complexity: O(n + x) for n participants and x exclusions.
    """
    validate_rules(rules)
    seen: set[str] = set()
    for row, person in enumerate(participants):
        if not isinstance(person, Participant):
            raise MatchingInputError("participants", row, None, "not a Participant")
        if not person.id or not isinstance(person.id, str):
            raise MatchingInputError("participants", row, "id", "must be a non-empty string")
        if person.id in seen:
            raise MatchingInputError("participants", row, "id", f"duplicate id {person.id!r}")
        seen.add(person.id)
        if not isinstance(person.team, str):
            raise MatchingInputError("participants", row, "team", "must be a string")
        try:
            zone(person.timezone)
        except KeyError:
            raise MatchingInputError(
                "participants", row, "timezone", f"unknown time zone {person.timezone!r}"
            ) from None
        if person.work_start == person.work_end:
            raise MatchingInputError(
                "participants", row, "work_end", "working hours must not be empty"
            )
        if person.recent_connections is not None and person.recent_connections < 0:
            raise MatchingInputError("participants", row, "recent_connections", "must be >= 0")
    for row, pair in enumerate(exclusions):
        if len(pair) != 2:
            raise MatchingInputError("exclusions", row, None, "must be a pair of ids")
        for index, member in enumerate(pair):
            if member not in seen:
                name = "person_a" if index == 0 else "person_b"
                raise MatchingInputError("exclusions", row, name, f"unknown person {member!r}")
        if pair[0] == pair[1]:
            raise MatchingInputError("exclusions", row, "person_b", "a person excludes themself")
