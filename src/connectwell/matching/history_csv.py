"""HISTORY.csv in, a :class:`~connectwell.matching.model.HistoryTable` out, fast.

HISTORY.csv (UTF-8, a header row, comma-separated) has the columns ``date, group, person``: one
row per member of a past group, in any order, other columns ignored. History is kept the way
people keep it: rows of people who are no longer in PEOPLE.csv (leavers, mistyped ids) are
skipped and counted (:attr:`HistoryFile.skipped_rows`), or refused with ``strict``; the others
in their group still met. Rows dated on or after the round date are not counted: a round does
not see itself or the future, so an old round can be replayed from a whole history file.

The file is read with ``pyarrow.csv`` and checked with a few vectorised passes (see
:func:`read_history_file`); a file pyarrow cannot take as it is, or one with a fault, is read
again row by row with the :mod:`csv` module, which reads the same and names the line and field
of the first fault.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from connectwell.matching.csv_tables import Row, arrow_columns, encoded, open_table, table_rows
from connectwell.matching.model import HistoryTable, MatchingInputError, PastGroup

HISTORY_COLUMNS = ("date", "group", "person")

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class HistoryFile:
    """What :func:`read_history_file` read.

    Parameters
    ----------
    table : HistoryTable
        The groups that count for the round: dated after ``since`` and before ``until``,
        their members who are in the round.
    rows : int
        Rows of the file (blank lines not counted).
    skipped_rows : int
        Rows naming a person who is not in the round (skipped, their group kept).
    skipped_people : tuple of str
        Those people, sorted.
    later_rows : int
        Rows dated on or after ``until`` (the round date), not counted.
    """

    table: HistoryTable
    rows: int
    skipped_rows: int
    skipped_people: tuple[str, ...]
    later_rows: int


def read_history_file(
    path: Path,
    ids: Sequence[str],
    since: dt.date | None = None,
    until: dt.date | None = None,
    *,
    strict: bool = False,
) -> HistoryFile:
    """Read HISTORY.csv for a round of the people ``ids``.

    Parameters
    ----------
    path : Path
        HISTORY.csv.
    ids : sequence of str
        The people of the round; the table refers to them by position.
    since, until : date, optional
        Keep the groups dated after ``since`` (``run_pair`` passes the start of the no-repeat
        window: a meeting on that day or before is not a repeat) and before ``until`` (the
        round date).
    strict : bool
        Refuse a row naming a person who is not in ``ids`` instead of skipping it.

    Returns
    -------
    HistoryFile

    Raises
    ------
    MatchingInputError
        Naming the file, the line and the field: a date that is not YYYY-MM-DD, an empty group
        or person, a row with another number of cells than the header, a person twice in one
        kept group, and with ``strict`` a person not in ``ids``.

    Every row is checked, whatever its date. A group is a (date, group) pair of cells.

    Complexity: O(rows) time (hashing in pyarrow, one sort in numpy); O(rows) memory.
    """
    handle, reader, columns = open_table(path, HISTORY_COLUMNS)
    header_lines = reader.line_num
    handle.close()
    at = tuple(columns.index(c) for c in HISTORY_COLUMNS)
    if header_lines == 1:
        found = _read_with_arrow(path, len(columns), at, ids, since, until, strict)
        if found is not None:
            return found
    return _read_row_by_row(path, at, ids, since, until, strict)


def _read_with_arrow(
    path: Path,
    width: int,
    at: tuple[int, ...],
    ids: Sequence[str],
    since: dt.date | None,
    until: dt.date | None,
    strict: bool,
) -> HistoryFile | None:
    """The fast reading; ``None`` for a file with anything the row-by-row reader must name."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = arrow_columns(path, width, at)
    if cells is None:
        return None
    (date_code, date_texts), (group_code, group_texts), (person_code, person_texts) = (
        encoded(column) for column in cells
    )
    # Most files have no empty cell: then no row is blank and nothing is looked at row by row.
    columns = ((date_code, date_texts), (group_code, group_texts), (person_code, person_texts))
    empty = [
        np.array([not text for text in texts], dtype=bool)[codes] if "" in texts else None
        for codes, texts in columns
    ]
    blank = np.zeros(len(date_code), dtype=bool)
    if all(column is not None for column in empty):
        blank = empty[0] & empty[1] & empty[2]  # type: ignore[operator]
    if any(column is not None and (column & ~blank).any() for column in empty):
        return None  # an empty date, group or person
    days = [_day(text) for text in date_texts]
    if any(day is None for day in days):
        return None  # a cell that is not a date
    day_numbers = np.array([_number(d) if d is not False else 0 for d in days], dtype=np.int64)
    row_day = day_numbers[date_code]
    where = pc.index_in(pa.array(person_texts, pa.string()), value_set=pa.array(ids, pa.string()))
    position = pc.fill_null(where, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    person = position[person_code]
    unknown = (person < 0) & ~blank
    if strict and unknown.any():
        return None
    later = ~blank & ~unknown & _on_or_after(row_day, until)
    keep = ~blank & ~unknown & ~later & _after(row_day, since)
    groups = max(1, len(group_texts))
    key = date_code[keep] * groups + group_code[keep]
    table = _table(ids, key, person[keep], day_numbers[key // groups])
    if table is None:
        return None  # a person twice in one group
    skipped = sorted(person_texts[k] for k in np.unique(person_code[unknown]).tolist())
    return HistoryFile(
        table=table,
        rows=int((~blank).sum()),
        skipped_rows=int(unknown.sum()),
        skipped_people=tuple(skipped),
        later_rows=int(later.sum()),
    )


def _day(text: str) -> dt.date | bool | None:
    """The date of a cell; ``False`` for an empty cell (a blank row), ``None`` for a bad one."""
    if not text:
        return False
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


EPOCH = dt.date(1970, 1, 1)


def _number(day: dt.date | bool | None) -> int:
    assert isinstance(day, dt.date)
    return (day - EPOCH).days


def _after(row_day: IntArray, since: dt.date | None) -> npt.NDArray[np.bool_]:
    if since is None:
        return np.ones(len(row_day), dtype=bool)
    return row_day > _number(since)


def _on_or_after(row_day: IntArray, until: dt.date | None) -> npt.NDArray[np.bool_]:
    if until is None:
        return np.zeros(len(row_day), dtype=bool)
    return row_day >= _number(until)


def _table(
    ids: Sequence[str], key: IntArray, person: IntArray, key_day: IntArray
) -> HistoryTable | None:
    """The table of memberships (``person`` in the group ``key`` met on day ``key_day``);
    ``None`` if a person is twice in one group."""
    people = max(1, len(ids))
    if len(key) and int(key.max()) >= np.iinfo(np.int64).max // people:
        order = np.lexsort((person, key))
        key, person, key_day = key[order], person[order], key_day[order]
        twice = bool(((key[1:] == key[:-1]) & (person[1:] == person[:-1])).any())
    else:
        packed = key * people + person
        order = np.argsort(packed, kind="stable")
        packed, key_day = packed[order], key_day[order]
        twice = bool((packed[1:] == packed[:-1]).any())
        key, person = np.divmod(packed, people)
    if twice:
        return None
    new = np.r_[True, key[1:] != key[:-1]] if len(key) else np.zeros(0, dtype=bool)
    number = np.cumsum(new) - 1
    return HistoryTable(
        ids=ids,
        person=person.astype(np.int64),
        group=number.astype(np.int64),
        group_dates=(key_day[new] + np.datetime64(EPOCH, "D")).astype("datetime64[D]"),
    )


def _read_row_by_row(
    path: Path,
    at: tuple[int, ...],
    ids: Sequence[str],
    since: dt.date | None,
    until: dt.date | None,
    strict: bool,
) -> HistoryFile:
    """The same reading with the :mod:`csv` module, raising at the first fault with its line."""
    name = path.name
    index = {pid: k for k, pid in enumerate(ids)}
    since_day = None if since is None else _number(since)
    until_day = None if until is None else _number(until)
    days: dict[str, int] = {}
    groups: dict[tuple[str, str], int] = {}
    members: dict[int, set[int]] = {}
    keys: list[int] = []
    persons: list[int] = []
    key_days: list[int] = []
    rows = later = 0
    skipped: dict[str, int] = {}
    _, numbered = table_rows(path, HISTORY_COLUMNS)
    for line, date, group, person in _cells(numbered, at):
        rows += 1
        day = days.get(date)
        if day is None:
            found = _day(date)
            if not isinstance(found, dt.date):
                raise MatchingInputError(name, line, "date", f"{date!r} is not a date YYYY-MM-DD")
            day = days[date] = _number(found)
        if not group:
            raise MatchingInputError(name, line, "group", "empty group")
        if not person:
            raise MatchingInputError(name, line, "person", "empty person")
        position = index.get(person)
        if position is None:
            if strict:
                raise MatchingInputError(
                    name, line, "person", f"unknown person {person!r}: not in the people file"
                )
            skipped[person] = skipped.get(person, 0) + 1
            continue
        if until_day is not None and day >= until_day:
            later += 1
            continue
        if since_day is not None and day <= since_day:
            continue
        key = groups.setdefault((date, group), len(groups))
        bucket = members.setdefault(key, set())
        if position in bucket:
            raise MatchingInputError(name, line, "person", f"{person!r} twice in one group")
        bucket.add(position)
        keys.append(key)
        persons.append(position)
        key_days.append(day)
    table = _table(
        ids,
        np.array(keys, dtype=np.int64),
        np.array(persons, dtype=np.int64),
        np.array(key_days, dtype=np.int64),
    )
    assert table is not None  # a person twice in one group was raised above
    return HistoryFile(
        table=table,
        rows=rows,
        skipped_rows=sum(skipped.values()),
        skipped_people=tuple(sorted(skipped)),
        later_rows=later,
    )


def _cells(numbered: Iterator[Row], at: tuple[int, ...]) -> Iterator[tuple[int, str, str, str]]:
    """(line, date, group, person) of every row whose three cells are not all blank."""
    at_date, at_group, at_person = at
    for line, cells in numbered:
        date, group, person = (
            cells[at_date].strip(),
            cells[at_group].strip(),
            cells[at_person].strip(),
        )
        if date or group or person:
            yield line, date, group, person


def read_history_table(
    path: Path, ids: Sequence[str], since: dt.date | None = None, until: dt.date | None = None
) -> HistoryTable:
    """The table of :func:`read_history_file` (people not in ``ids`` skipped)."""
    return read_history_file(path, ids, since, until).table


def read_history(
    path: Path, known: set[str], since: dt.date | None = None, until: dt.date | None = None
) -> list[PastGroup]:
    """Read HISTORY.csv into past groups of the people ``known`` (others skipped)."""
    return read_history_table(path, sorted(known), since, until).groups()
