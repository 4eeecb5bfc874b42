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
import io
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress, count
from operator import itemgetter, ne
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import numpy as np
import numpy.typing as npt

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

PEOPLE_COLUMNS = ("id", "team")
HISTORY_COLUMNS = ("date", "group", "person")
EXCLUSION_COLUMNS = ("person_a", "person_b")

#: HISTORY.csv is read in blocks of about this many bytes, cut at line ends.
CHUNK_BYTES = 1 << 18
#: ASCII characters that ``str.strip`` removes, besides the line ends.
_BLANKS = b" \t\x0b\x0c\x1c\x1d\x1e\x1f"

Row = tuple[int, list[str]]
IntArray = npt.NDArray[np.int64]


def _open_table(path: Path, required: tuple[str, ...]) -> tuple[TextIO, Any, list[str]]:
    """Open a CSV file and read its header: the handle, the reader after the header and the
    columns (stripped, lower case). Raises if the header lacks a required column."""
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
    return handle, reader, columns


def _cells(name: str, reader: Any, width: int, lines_before: int = 0) -> Iterator[Row]:
    """Yield (line number, cells) of a CSV reader: blank lines skipped, short rows padded,
    long rows an error. ``lines_before`` is added to the reader's line numbers."""
    try:
        for cells in reader:
            if len(cells) != width:
                if not cells or not any(cell.strip() for cell in cells):
                    continue
                if len(cells) > width:
                    raise MatchingInputError(
                        name,
                        reader.line_num + lines_before,
                        None,
                        f"{len(cells)} cells for {width} columns",
                    )
                cells = cells + [""] * (width - len(cells))
            yield reader.line_num + lines_before, cells
    except (csv.Error, UnicodeDecodeError) as error:
        raise MatchingInputError(name, reader.line_num + lines_before, None, str(error)) from None


def _table(path: Path, required: tuple[str, ...]) -> tuple[list[str], Iterator[Row]]:
    """The columns of a CSV file and an iterator of (line number, cells), after checking that
    the file has a header with the required columns."""
    handle, reader, columns = _open_table(path, required)

    def rows() -> Iterator[Row]:
        with handle:
            yield from _cells(path.name, reader, len(columns))

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
    clocks: dict[str, object] = {}  # parsed once per distinct text
    interest_sets: dict[str, frozenset[str]] = {}
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
        work_start = clocks.get(start)
        if work_start is None:
            work_start = clocks[start] = _parse(
                name, line, "work_start", start, _clock, "a time HH:MM"
            )
        work_end = clocks.get(end)
        if work_end is None:
            work_end = clocks[end] = _parse(name, line, "work_end", end, _clock, "a time HH:MM")
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


def read_history_table(
    path: Path,
    ids: Sequence[str],
    since: dt.date | None = None,
    *,
    chunk_bytes: int = CHUNK_BYTES,
) -> HistoryTable:
    """Read HISTORY.csv into a :class:`~connectwell.matching.model.HistoryTable` over ``ids``.

    Every row is checked (a known person, a date, a group), but only the groups dated after
    ``since`` are kept (``run_pair`` passes the start of the no-repeat window: older meetings
    are not repeats). A group is a (date, group) pair of cells; a person twice in one group is
    an error. Errors name the file, the line and the field, and are the same as those of a
    row-by-row reading with the :mod:`csv` module.

    The file is read in blocks of ``chunk_bytes``. A block of plain rows (no quotes, lines
    ending in LF or CRLF, the header's number of cells on every line) is split with ``str``
    methods and its cells turned into codes with dictionaries, a few C loops and no Python
    object per row; any other block, and every block after it, is read row by row with the
    :mod:`csv` module, which also finds the exact line of a fault.

    Complexity: O(rows) time, O(kept rows) memory (16 bytes each) plus one block.
    """
    name = path.name
    handle, reader, columns = _open_table(path, HISTORY_COLUMNS)
    header_lines = reader.line_num
    handle.close()
    at = tuple(columns.index(c) for c in HISTORY_COLUMNS)
    width = len(columns)
    acc = _HistoryColumns(name, _compact_index(ids), since)
    offset = lines_before = 0  # where the exact reader starts, if it has to
    if header_lines == 1:
        with path.open("rb") as raw_file:
            head = raw_file.readline()
            if b"\r" not in head.rstrip(b"\r\n"):
                taken, lines, finished = _read_plain_chunks(raw_file, acc, at, width, chunk_bytes)
                if finished:
                    return acc.table(ids, path, at, width)
                offset, lines_before = len(head) + taken, 1 + lines
    # Row by row with the csv module, from the first block the fast reader did not take.
    with path.open("rb") as raw_file:
        raw_file.seek(offset)
        encoding = "utf-8-sig" if offset == 0 else "utf-8"
        text = io.TextIOWrapper(raw_file, encoding=encoding, newline="")
        rows = csv.reader(text)
        if offset == 0:
            next(rows, None)
        acc.exact_rows(_cells(name, rows, width, lines_before), at)
    return acc.table(ids, path, at, width)


def _read_plain_chunks(
    raw_file: BinaryIO, acc: _HistoryColumns, at: tuple[int, ...], width: int, chunk_bytes: int
) -> tuple[int, int, bool]:
    """Feed ``acc`` blocks of whole lines while they are plain: the bytes and lines taken, and
    whether the file is finished."""
    taken = lines = 0
    while True:
        chunk = raw_file.read(chunk_bytes)
        if not chunk:
            return taken, lines, True
        if not chunk.endswith(b"\n"):
            chunk += raw_file.readline()  # up to the end of the line
        size = len(chunk)
        if not chunk.endswith(b"\n"):
            chunk += b"\n"  # the last line of a file without a final line end
        count_of_lines = acc.plain_chunk(chunk, at, width)
        if count_of_lines is None:
            return taken, lines, False
        taken += size
        lines += count_of_lines


class _HistoryColumns:
    """The kept memberships of HISTORY.csv as codes, filled by the fast and the exact reader."""

    def __init__(self, name: str, index: dict[str, int], since: dt.date | None) -> None:
        self.name = name
        self.index = index
        self.since = since
        self.date_code: dict[str, int] = {}  # a date cell (as written) -> its date's code
        self.code_of_date: dict[str, int] = {}  # a stripped date cell -> code
        self.dates: list[dt.date] = []
        self.kept_dates = np.zeros(0, dtype=bool)
        self.group_code: dict[str, int] = {}  # a stripped group cell -> code
        self.counter = count()
        self.persons: list[IntArray] = []
        self.date_codes: list[IntArray] = []
        self.group_codes: list[IntArray] = []

    def date(self, text: str) -> int | None:
        """The code of a date cell, or ``None`` if it is not a date."""
        code = self.date_code.get(text)
        if code is None:
            stripped = text.strip()
            code = self.code_of_date.get(stripped)
            if code is None:
                try:
                    day = dt.date.fromisoformat(stripped)
                except ValueError:
                    return None
                code = self.code_of_date[stripped] = len(self.dates)
                self.dates.append(day)
                kept = self.since is None or day > self.since
                self.kept_dates = np.r_[self.kept_dates, kept]
            self.date_code[text] = code
        return code

    def plain_chunk(self, chunk: bytes, at: tuple[int, ...], width: int) -> int | None:
        """Take a block of whole lines if it is plain and faultless and return its number of
        lines; ``None`` leaves it to the exact reader (and changes nothing it would see)."""
        if b'"' in chunk or b"\0" in chunk:
            return None
        lines = chunk.count(b"\n")
        returns = chunk.count(b"\r")
        if returns and (returns != lines or chunk.count(b"\r\n") != lines):
            return None  # only LF or only CRLF line ends: a lone carriage return is not plain
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if chunk.isascii() and len(chunk.translate(None, _BLANKS)) == len(chunk):
            # No blank but the line ends: split at commas and line ends in one go (an empty
            # cell would vanish, and the count below would catch it).
            cells = text.replace(",", " ").split()
        else:
            end = "\r\n" if returns else "\n"
            cells = [cell.strip() for cell in text[: -len(end)].replace(end, ",").split(",")]
        if len(cells) != width * lines:
            return None
        if width > 1:
            # With that many cells, every line has width - 1 commas iff every width-th
            # separator is a line end.
            codes = np.frombuffer(chunk, dtype=np.uint8)
            separators = codes[np.flatnonzero((codes == ord(",")) | (codes == ord("\n")))]
            if not (separators.reshape(lines, width)[:, -1] == ord("\n")).all():
                return None
        at_date, at_group, at_person = at
        try:
            person = _looked_up(self.index, cells[at_person::width])
        except KeyError:
            return None
        days = cells[at_date::width]
        try:
            code = _looked_up(self.date_code, days)
        except KeyError:
            for text_of_date in set(days) - self.date_code.keys():
                if self.date(text_of_date) is None:
                    return None
            code = _looked_up(self.date_code, days)
        groups = cells[at_group::width]
        if "" in groups:
            return None
        keep = self.kept_dates[code]
        if not keep.all():
            groups = list(compress(groups, keep.tolist()))
            person, code = person[keep], code[keep]
        self.persons.append(person)
        self.date_codes.append(code)
        # The members of a group are usually on consecutive lines: code the first of each run.
        first = [True, *map(ne, groups[1:], groups[:-1])] if groups else []
        heads = list(compress(groups, first))
        head_code = np.fromiter(
            map(self.group_code.setdefault, heads, self.counter), np.int64, count=len(heads)
        )
        self.group_codes.append(head_code[np.cumsum(np.array(first, dtype=bool)) - 1])
        return lines

    def exact_rows(self, rows: Iterator[Row], at: tuple[int, ...]) -> None:
        """Take rows one by one, raising at the first fault."""
        name = self.name
        at_date, at_group, at_person = at
        persons: list[int] = []
        codes: list[int] = []
        groups: list[int] = []
        for line, cells in rows:
            text, group, person = cells[at_date].strip(), cells[at_group].strip(), cells[at_person]
            found = self.index.get(person)
            if found is None:
                person = person.strip()
                found = self.index.get(person)
                if found is None:
                    raise MatchingInputError(name, line, "person", f"unknown person {person!r}")
            code = self.date(text)
            if code is None:
                raise MatchingInputError(
                    name, line, "date", f"{text!r} is not a date YYYY-MM-DD"
                ) from None
            if not group:
                raise MatchingInputError(name, line, "group", "empty group")
            if not self.kept_dates[code]:
                continue
            persons.append(found)
            codes.append(code)
            groups.append(self.group_code.setdefault(group, next(self.counter)))
        self.persons.append(np.array(persons, dtype=np.int64))
        self.date_codes.append(np.array(codes, dtype=np.int64))
        self.group_codes.append(np.array(groups, dtype=np.int64))

    def table(
        self, ids: Sequence[str], path: Path, at: tuple[int, ...], width: int
    ) -> HistoryTable:
        """The table of the kept memberships; a person twice in one group is an error."""
        person = np.concatenate([np.zeros(0, np.int64), *self.persons])
        code = np.concatenate([np.zeros(0, np.int64), *self.date_codes])
        group = np.concatenate([np.zeros(0, np.int64), *self.group_codes])
        self.persons, self.date_codes, self.group_codes = [], [], []
        people = max(1, len(ids))
        groups = int(group.max()) + 1 if len(group) else 1
        if len(self.dates) * groups < np.iinfo(np.int64).max // people:
            packed = (code * groups + group) * people + person
            packed.sort()
            twice = bool(len(packed)) and bool((packed[1:] == packed[:-1]).any())
            key, person = np.divmod(packed, people)
            del packed
        else:
            order = np.lexsort((person, group, code))
            key = code[order] * groups + group[order]
            person = person[order]
            twice = bool(((key[1:] == key[:-1]) & (person[1:] == person[:-1])).any())
        if twice:
            _raise_person_twice(path, self.index, self.since, at, width)
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key
        number = np.cumsum(np.r_[False, key[1:] != key[:-1]]) if len(key) else key
        all_dates = np.array(self.dates, dtype="datetime64[D]")
        return HistoryTable(
            ids=ids,
            person=person,
            group=number.astype(np.int64),
            group_dates=all_dates[key[starts] // groups] if len(key) else all_dates[:0],
        )


def _compact_index(ids: Sequence[str]) -> dict[str, int]:
    """``{id: position}`` with fresh keys made one after the other, so that they sit together in
    memory: looking millions of cells up in it then misses the processor's caches less."""
    joined = "\n".join(ids)
    if joined.count("\n") != max(0, len(ids) - 1):  # an id with a line end: keep it simple
        return {pid: k for k, pid in enumerate(ids)}
    return dict(zip(joined.split("\n") if ids else [], range(len(ids)), strict=True))


def _looked_up(mapping: dict[str, int], keys: list[str]) -> IntArray:
    """``mapping[key]`` for every key, as an array (one C loop); ``KeyError`` if one is absent."""
    if len(keys) < 2:
        return np.array([mapping[key] for key in keys], dtype=np.int64)
    return np.fromiter(itemgetter(*keys)(mapping), dtype=np.int64, count=len(keys))


def _raise_person_twice(
    path: Path, index: dict[str, int], since: dt.date | None, at: tuple[int, ...], width: int
) -> None:
    """Find, row by row, the line where a person is in a kept group a second time; raise."""
    at_date, at_group, at_person = at
    members: dict[tuple[str, str], set[int]] = {}
    _, rows = _table(path, HISTORY_COLUMNS)
    for line, cells in rows:
        text, group, person = cells[at_date].strip(), cells[at_group].strip(), cells[at_person]
        if since is not None and dt.date.fromisoformat(text) <= since:
            continue
        found = index.get(person)
        if found is None:
            person = person.strip()
            found = index[person]
        bucket = members.setdefault((text, group), set())
        if found in bucket:
            raise MatchingInputError(path.name, line, "person", f"{person!r} twice in one group")
        bucket.add(found)
    raise MatchingInputError(path.name, None, "person", "a person twice in one group")


def read_history(path: Path, known: set[str], since: dt.date | None = None) -> list[PastGroup]:
    """Read HISTORY.csv into past groups; every person must be in ``known``.

    The same reading as :func:`read_history_table` (which ``run_pair`` uses: it keeps no
    Python object per group), as :class:`~connectwell.matching.model.PastGroup` objects.
    """
    return read_history_table(path, sorted(known), since).groups()


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
