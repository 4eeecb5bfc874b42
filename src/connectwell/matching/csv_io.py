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
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from connectwell.matching.model import MatchingInputError, Participant, PastGroup, Rules, zone
from connectwell.matching.rounds import pair_round
from connectwell.matching.verify import verify

PEOPLE_COLUMNS = ("id", "team")
HISTORY_COLUMNS = ("date", "group", "person")
EXCLUSION_COLUMNS = ("person_a", "person_b")


def _table(
    path: Path, required: tuple[str, ...]
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The columns of a CSV file and an iterator of (line number, cells), after checking that
    the file has a header with the required columns."""
    name = path.name
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise MatchingInputError(name, None, None, f"cannot read: {error.strerror}") from None
    reader = csv.reader(handle)
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as error:
        handle.close()
        raise MatchingInputError(name, 1, None, str(error)) from None
    if header is None or not any(cell.strip() for cell in header):
        handle.close()
        raise MatchingInputError(name, None, None, "empty file: no header row")
    columns = [cell.strip().lower() for cell in header]
    for column in required:
        if column not in columns:
            handle.close()
            raise MatchingInputError(name, 1, column, "missing column")
    width = len(columns)

    def rows() -> Iterator[tuple[int, list[str]]]:
        with handle:
            try:
                for cells in reader:
                    if len(cells) != width:
                        if not cells or not any(cell.strip() for cell in cells):
                            continue
                        if len(cells) > width:
                            raise MatchingInputError(
                                name,
                                reader.line_num,
                                None,
                                f"{len(cells)} cells for {width} columns",
                            )
                        cells = cells + [""] * (width - len(cells))
                    yield reader.line_num, cells
            except (csv.Error, UnicodeDecodeError) as error:
                raise MatchingInputError(name, reader.line_num, None, str(error)) from None

    return columns, rows()


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row as a dict of stripped cells) of a CSV file."""
    columns, rows = _table(path, required)
    for line, cells in rows:
        yield line, dict(zip(columns, (cell.strip() for cell in cells), strict=True))


def _parse(
    name: str, line: int, column: str, text: str, parse: Callable[[str], object], what: str
) -> object:
    try:
        return parse(text)
    except ValueError:
        raise MatchingInputError(name, line, column, f"{text!r} is not {what}") from None


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
    for line, row in _rows(path, PEOPLE_COLUMNS):
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
        work_start = _parse(name, line, "work_start", start, _clock, "a time HH:MM")
        work_end = _parse(name, line, "work_end", end, _clock, "a time HH:MM")
        if work_start == work_end:
            raise MatchingInputError(name, line, "work_end", "working hours are empty")
        level_text = row.get("level") or ""
        level = (
            _parse(name, line, "level", level_text, int, "a whole number") if level_text else None
        )
        joined_text = row.get("joined") or ""
        joined = (
            _parse(name, line, "joined", joined_text, dt.date.fromisoformat, "a date YYYY-MM-DD")
            if joined_text
            else None
        )
        interests = frozenset(
            item.strip() for item in (row.get("interests") or "").split(";") if item.strip()
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


def read_history(path: Path, known: set[str], since: dt.date | None = None) -> list[PastGroup]:
    """Read HISTORY.csv into past groups; every person must be in ``known``.

    Every row is checked, but only groups dated after ``since`` are kept (``run_pair`` passes
    the start of the no-repeat window: older meetings are not repeats), to save memory.

    Complexity: O(rows), one pass, positional access (the file can have millions of rows).
    """
    name = path.name
    columns, rows = _table(path, HISTORY_COLUMNS)
    at_date, at_group, at_person = (columns.index(c) for c in HISTORY_COLUMNS)
    dates: dict[str, dt.date] = {}
    members: dict[tuple[str, str], list[str]] = {}
    for line, cells in rows:
        text, group, person = cells[at_date].strip(), cells[at_group].strip(), cells[at_person]
        if person not in known:
            person = person.strip()
            if person not in known:
                raise MatchingInputError(name, line, "person", f"unknown person {person!r}")
        if text not in dates:
            try:
                dates[text] = dt.date.fromisoformat(text)
            except ValueError:
                raise MatchingInputError(
                    name, line, "date", f"{text!r} is not a date YYYY-MM-DD"
                ) from None
        if not group:
            raise MatchingInputError(name, line, "group", "empty group")
        if since is not None and dates[text] <= since:
            continue
        key = (text, group)
        bucket = members.get(key)
        if bucket is None:
            members[key] = [person]
        elif person in bucket:
            raise MatchingInputError(name, line, "person", f"{person!r} twice in one group")
        else:
            bucket.append(person)
    return [PastGroup(dates[text], tuple(people)) for (text, _), people in members.items()]


def read_exclusions(path: Path, known: set[str]) -> list[tuple[str, str]]:
    """Read EXCL.csv; both people must be in ``known`` and different."""
    name = path.name
    pairs = []
    for line, row in _rows(path, EXCLUSION_COLUMNS):
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
    known = {p.id for p in people}
    since = today - dt.timedelta(weeks=max(0, no_repeat_weeks))
    history = read_history(Path(history_path), known, since) if history_path else []
    exclusions = read_exclusions(Path(exclusions_path), known) if exclusions_path else []
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
