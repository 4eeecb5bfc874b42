"""CSV in and out: the engine of ``connectwell pair``.

Formats (UTF-8, a header row, comma-separated):

- PEOPLE.csv: ``id, team`` required; optional ``manager, timezone`` (IANA, default UTC),
  ``work_start, work_end`` (HH:MM local, default 09:00-17:00), ``level`` (integer),
  ``location``, ``interests`` (separated by ``;``), ``joined`` (YYYY-MM-DD).
- HISTORY.csv: ``date, group, person``: one row per member of a past group.
- EXCL.csv: ``person_a, person_b``: never in the same group.
- GROUPS.csv (written): ``group, person``.

Row numbers in errors are line numbers of the file (the header is row 1), as a spreadsheet
shows them. Nothing is written on error: the output goes to a temporary file in the same folder,
renamed over ``out_path`` only when the round is complete and verified.

HISTORY.csv is read by :mod:`connectwell.matching.history_csv` (re-exported here), the header
and numbered rows of every file by :mod:`connectwell.matching.csv_tables`.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from connectwell.matching.csv_tables import dict_rows, parse_cell
from connectwell.matching.history_csv import (
    CHUNK_BYTES,
    HISTORY_COLUMNS,
    read_history,
    read_history_table,
)
from connectwell.matching.model import (
    HistoryTable,
    MatchingInputError,
    Participant,
    PastGroup,
    Rules,
    zone,
)
from connectwell.matching.rounds import pair_round
from connectwell.matching.verify import verify

__all__ = [
    "CHUNK_BYTES",
    "EXCLUSION_COLUMNS",
    "HISTORY_COLUMNS",
    "PEOPLE_COLUMNS",
    "PairSummary",
    "read_exclusions",
    "read_history",
    "read_history_table",
    "read_people",
    "run_pair",
]

PEOPLE_COLUMNS = ("id", "team")
EXCLUSION_COLUMNS = ("person_a", "person_b")


def _clock(text: str) -> dt.time:
    hours, minutes = text.split(":")
    if len(minutes) != 2:
        raise ValueError(text)
    if hours == "24" and minutes == "00":
        return dt.time(23, 59)
    return dt.time(int(hours), int(minutes))


def read_people(path: Path) -> list[Participant]:
    """Read PEOPLE.csv; raise :class:`MatchingInputError` naming file, row and field."""
    name = path.name
    people: list[Participant] = []
    seen: set[str] = set()
    zones_ok: set[str] = set()
    clocks: dict[str, object] = {}  # parsed once per distinct text
    interest_sets: dict[str, frozenset[str]] = {}
    for line, row in dict_rows(path, PEOPLE_COLUMNS):
        pid = row.get("id", "")
        if not pid:
            raise MatchingInputError(name, line, "id", "empty id")
        if pid in seen:
            raise MatchingInputError(name, line, "id", f"duplicate id {pid!r}")
        seen.add(pid)
        team = row.get("team", "")
        if not team:
            raise MatchingInputError(name, line, "team", "empty team")
        timezone = row.get("timezone") or "UTC"
        if timezone not in zones_ok:
            try:
                zone(timezone)
            except KeyError:
                raise MatchingInputError(
                    name, line, "timezone", f"unknown time zone {timezone!r}"
                ) from None
            zones_ok.add(timezone)
        start = row.get("work_start") or "09:00"
        end = row.get("work_end") or "17:00"
        work_start = clocks.get(start)
        if work_start is None:
            work_start = clocks[start] = parse_cell(
                name, line, "work_start", start, _clock, "a time HH:MM"
            )
        work_end = clocks.get(end)
        if work_end is None:
            work_end = clocks[end] = parse_cell(name, line, "work_end", end, _clock, "a time HH:MM")
        if work_start == work_end:
            raise MatchingInputError(name, line, "work_end", "working hours are empty")
        level_text = row.get("level") or ""
        level = (
            parse_cell(name, line, "level", level_text, int, "a whole number")
            if level_text
            else None
        )
        joined_text = row.get("joined") or ""
        joined = (
            parse_cell(
                name, line, "joined", joined_text, dt.date.fromisoformat, "a date YYYY-MM-DD"
            )
            if joined_text
            else None
        )
        interests_text = row.get("interests") or ""
        interests = interest_sets.get(interests_text)
        if interests is None:
            interests = interest_sets[interests_text] = frozenset(
                item.strip() for item in interests_text.split(";") if item.strip()
            )
        people.append(
            Participant(
                id=pid,
                team=team,
                manager=row.get("manager") or None,
                timezone=timezone,
                work_start=work_start,  # type: ignore[arg-type]
                work_end=work_end,  # type: ignore[arg-type]
                level=level,  # type: ignore[arg-type]
                location=row.get("location") or None,
                interests=interests,
                joined=joined,  # type: ignore[arg-type]
            )
        )
    if not people:
        raise MatchingInputError(name, None, None, "empty file: no people")
    return people


def read_exclusions(path: Path, known: set[str]) -> list[tuple[str, str]]:
    """Read EXCL.csv; both people must be in ``known`` and different."""
    name = path.name
    pairs = []
    for line, row in dict_rows(path, EXCLUSION_COLUMNS):
        a, b = row.get("person_a", ""), row.get("person_b", "")
        for column, person in (("person_a", a), ("person_b", b)):
            if person not in known:
                raise MatchingInputError(name, line, column, f"unknown person {person!r}")
        if a == b:
            raise MatchingInputError(name, line, "person_b", "a person cannot exclude themself")
        pairs.append((a, b))
    return pairs


@dataclass(frozen=True)
class PairSummary:
    """The figures ``connectwell pair`` prints."""

    people: int
    groups: int
    sizes: dict[int, int]
    repeats: int
    repeat_ages_days: tuple[int, ...]
    no_repeat_weeks: int
    same_team_pairs: int
    pairs_without_shared_hours: int
    min_overlap_hours: float
    weight: int
    matching_weight: int
    upper_bound: float | None
    certified_ratio: float | None
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)
    out_path: str = ""

    def lines(self) -> list[str]:
        """The human summary, one line per figure."""
        sizes = ", ".join(f"{count} of {size}" for size, count in self.sizes.items())
        out = [
            f"people: {self.people}",
            f"groups: {self.groups} ({sizes})",
        ]
        if self.repeats:
            youngest = self.repeat_ages_days[0] / 7
            oldest = self.repeat_ages_days[-1] / 7
            out.append(
                f"repeats within {self.no_repeat_weeks} weeks: {self.repeats} "
                f"(met {youngest:.1f} to {oldest:.1f} weeks ago)"
            )
        else:
            out.append(f"repeats within {self.no_repeat_weeks} weeks: 0")
        out.append(f"same-team pairs: {self.same_team_pairs}")
        out.append(
            f"pairs without {self.min_overlap_hours:g} shared working hour(s): "
            f"{self.pairs_without_shared_hours}"
        )
        if self.certified_ratio is not None and self.upper_bound is not None:
            out.append(
                f"weight: {self.weight}; matching {self.matching_weight} of a certified upper "
                f"bound {self.upper_bound:.1f} (ratio {self.certified_ratio:.5f})"
            )
        else:
            out.append(f"weight: {self.weight}")
        phases = ", ".join(f"{name} {value:.2f}" for name, value in self.phases.items())
        out.append(f"seconds: {self.seconds:.2f} ({phases})")
        out.append(f"wrote {self.out_path}")
        return out


def run_pair(
    people_path: Path,
    out_path: Path,
    *,
    history_path: Path | None = None,
    exclusions_path: Path | None = None,
    group_size: int = 2,
    no_repeat_weeks: int = 26,
    min_overlap_hours: float = 1.0,
    seed: int = 0,
    today: dt.date | None = None,
) -> PairSummary:
    """Read the CSV files, run one round, verify it and write GROUPS.csv atomically.

    Parameters
    ----------
    people_path, history_path, exclusions_path : Path
        The input files (history and exclusions optional).
    out_path : Path
        GROUPS.csv, written only if everything succeeds.
    group_size, no_repeat_weeks, min_overlap_hours, seed
        As in :class:`~connectwell.matching.model.Rules` and
        :func:`~connectwell.matching.rounds.pair_round`.
    today : date, optional
        The round date (repeat ages, daylight saving); defaults to today's date.

    Returns
    -------
    PairSummary

    Raises
    ------
    MatchingInputError
        Bad input, naming the file, row and field; ``out_path`` is left untouched.
    """
    started = time.perf_counter()
    phases: dict[str, float] = {}
    today = today or dt.date.today()
    people = read_people(Path(people_path))
    ids = [p.id for p in people]
    since = today - dt.timedelta(weeks=max(0, no_repeat_weeks))
    history: HistoryTable | list[PastGroup] = (
        read_history_table(Path(history_path), ids, since) if history_path else []
    )
    exclusions = read_exclusions(Path(exclusions_path), set(ids)) if exclusions_path else []
    phases["read"] = time.perf_counter() - started
    rules = Rules(
        group_size=group_size,
        no_repeat_weeks=no_repeat_weeks,
        min_overlap_hours=min_overlap_hours,
        reference_date=today,
    )
    clock = time.perf_counter()
    result = pair_round(people, history=history, exclusions=exclusions, rules=rules, seed=seed)
    phases["solve"] = time.perf_counter() - clock
    clock = time.perf_counter()
    report = verify(result, people, history=history, exclusions=exclusions, rules=rules)
    phases["verify"] = time.perf_counter() - clock
    clock = time.perf_counter()
    _write_groups(Path(out_path), result.groups)
    phases["write"] = time.perf_counter() - clock
    return PairSummary(
        people=report.people,
        groups=report.groups,
        sizes=report.sizes,
        repeats=report.repeats,
        repeat_ages_days=report.repeat_ages_days,
        no_repeat_weeks=no_repeat_weeks,
        same_team_pairs=report.same_team_pairs,
        pairs_without_shared_hours=report.pairs_without_shared_hours,
        min_overlap_hours=min_overlap_hours,
        weight=result.weight,
        matching_weight=result.matching_weight,
        upper_bound=result.upper_bound,
        certified_ratio=result.certified_ratio,
        seconds=time.perf_counter() - started,
        phases=phases,
        out_path=str(out_path),
    )


def _write_groups(out_path: Path, groups: tuple[tuple[str, ...], ...]) -> None:
    folder = out_path.parent if str(out_path.parent) else Path(".")
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed after writing
        "w", newline="", encoding="utf-8", dir=folder, prefix=f".{out_path.name}.", delete=False
    )
    try:
        with handle:
            writer = csv.writer(handle)
            writer.writerow(("group", "person"))
            for number, group in enumerate(groups, start=1):
                writer.writerows((number, person) for person in group)
        os.replace(handle.name, out_path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
