"""HISTORY.csv in, a :class:`~connectwell.matching.model.HistoryTable` out, fast.

HISTORY.csv (UTF-8, a header row, comma-separated) has the columns ``date, group, person``: one
row per member of a past group. Plain blocks of the file are parsed at the byte level, and the
rest row by row with the :mod:`csv` module (see :func:`read_history_table`); errors name the
file, the line and the field either way. Issue 11 replaces this hand-written parsing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from itertools import compress, count
from operator import itemgetter, ne
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from connectwell.matching.csv_tables import Row, numbered_cells, open_table, table_rows
from connectwell.matching.model import HistoryTable, MatchingInputError, PastGroup

HISTORY_COLUMNS = ("date", "group", "person")

#: HISTORY.csv is read in blocks of about this many bytes, cut at line ends.
CHUNK_BYTES = 1 << 18
#: ASCII characters that ``str.strip`` removes, besides the line ends.
_BLANKS = b" \t\x0b\x0c\x1c\x1d\x1e\x1f"

IntArray = npt.NDArray[np.int64]


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
    handle, reader, columns = open_table(path, HISTORY_COLUMNS)
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
        acc.exact_rows(numbered_cells(name, rows, width, lines_before), at)
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
    _, rows = table_rows(path, HISTORY_COLUMNS)
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
