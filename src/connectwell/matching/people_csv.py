"""PEOPLE.csv in, :class:`~connectwell.matching.model.Participant` objects out, fast.

Read with ``pyarrow.csv`` (see :func:`connectwell.matching.csv_tables.arrow_columns`), each
column dictionary-encoded and checked once per distinct value, the participants made by one
``map``; a file with a fault is read again row by row with the :mod:`csv` module, which names
the line and field (:func:`_people`). A file with more than ``max_people`` rows is refused while
it is read, before anything is built.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from itertools import repeat
from pathlib import Path

import numpy as np
import numpy.typing as npt

from connectwell.matching.csv_tables import (
    arrow_columns,
    encoded,
    open_table,
    parse_cell,
    table_rows,
)
from connectwell.matching.model import FIVE_PM, NINE, MatchingInputError, Participant, zone

PEOPLE_COLUMNS = ("id", "team")
#: The optional columns of PEOPLE.csv; any other column is ignored.
PEOPLE_OPTIONAL = (
    "manager",
    "timezone",
    "work_start",
    "work_end",
    "level",
    "location",
    "interests",
    "joined",
)
#: The default of ``--max-people``: a roster larger than this is refused while it is read.
MAX_PEOPLE = 2_000_000


def _clock(text: str) -> dt.time:
    hours, minutes = text.split(":")
    if len(minutes) != 2:
        raise ValueError(text)
    if hours == "24" and minutes == "00":
        return dt.time(23, 59)
    return dt.time(int(hours), int(minutes))


def _too_many(name: str) -> Callable[[int], MatchingInputError]:
    def error(limit: int) -> MatchingInputError:
        return MatchingInputError(
            name,
            None,
            None,
            f"more than {limit:,} people (the limit of --max-people): is this the right file? "
            "If it is, raise the limit",
        )

    return error


def read_people(path: Path, *, max_people: int | None = MAX_PEOPLE) -> list[Participant]:
    """Read PEOPLE.csv; raise :class:`MatchingInputError` naming file, row and field.

    The file is read with pyarrow (one pass in C, refused as soon as it has more than
    ``max_people`` rows, before anything is built) and the people are built from its columns;
    a fault sends the file through the :mod:`csv` module, which names its line.
    """
    name = path.name
    handle, reader, columns = open_table(path, PEOPLE_COLUMNS)
    header_lines = reader.line_num
    handle.close()
    used = [c for c in (*PEOPLE_COLUMNS, *PEOPLE_OPTIONAL) if c in columns]
    at = [columns.index(c) for c in used]
    too_many = _too_many(name)
    if header_lines == 1:
        cells = arrow_columns(path, len(columns), at, max_rows=max_people, too_many=too_many)
        if cells is not None:
            found = _people_from_columns(dict(zip(used, map(encoded, cells), strict=True)))
            if found is not None:
                return found
            # A fault: read again below, row by row, to name its line.
    texts: dict[str, list[str]] = {c: [] for c in used}
    lines: list[int] = []
    _, rows = table_rows(path, PEOPLE_COLUMNS)
    for line, row in rows:
        if max_people is not None and len(lines) >= max_people:
            raise too_many(max_people)
        lines.append(line)
        for c, k in zip(used, at, strict=True):
            texts[c].append(row[k].strip())
    return _people(name, texts, lines)


Encoded = tuple[npt.NDArray[np.int64], list[str]]


def _people_from_columns(columns: dict[str, Encoded]) -> list[Participant] | None:
    """Participants from PEOPLE.csv's columns as codes and distinct values; ``None`` for a file
    with a fault (then :func:`_people` names its line). Every check is made once per distinct
    value, and the participants are made by one ``map``: no Python loop over the rows."""
    codes = {c: found[0] for c, found in columns.items()}
    values = {c: found[1] for c, found in columns.items()}
    blank = np.ones(len(codes["id"]), dtype=bool)
    for c in columns:
        blank &= np.array([not v for v in values[c]], dtype=bool)[codes[c]]
    if blank.any():
        codes = {c: code[~blank] for c, code in codes.items()}
    n = len(codes["id"])
    if n == 0 or len(np.unique(codes["id"])) != n:
        return None  # no people, or a duplicate id
    for c in ("id", "team"):
        if np.array([not v for v in values[c]], dtype=bool)[codes[c]].any():
            return None  # an empty id or team
    ids = values["id"]
    if not np.array_equal(codes["id"], np.arange(n)):
        ids = [ids[k] for k in codes["id"].tolist()]

    def parsed(column: str, parse: Callable[[str], object], default: object) -> list[object]:
        if column not in values:
            return [default] * n
        table = np.empty(len(values[column]), dtype=object)
        table[:] = [default if not v else parse(v) for v in values[column]]
        return list(table[codes[column]])

    try:
        for name in values.get("timezone", []):
            if name:
                zone(name)
        teams = parsed("team", str, "")
        managers = parsed("manager", str, None)
        zones = parsed("timezone", str, "UTC")
        starts = parsed("work_start", _clock, NINE)
        ends = parsed("work_end", _clock, FIVE_PM)
        levels = parsed("level", int, None)
        locations = parsed("location", str, None)
        interests = parsed("interests", _interests, frozenset())
        joined = parsed("joined", dt.date.fromisoformat, None)
    except (KeyError, ValueError):
        return None
    if any(map(operator.eq, starts, ends)):
        return None  # empty working hours
    return list(
        map(
            Participant,
            ids,
            teams,
            managers,
            zones,
            starts,
            ends,
            levels,
            locations,
            interests,
            joined,
        )
    )


def _interests(text: str) -> frozenset[str]:
    return frozenset(item.strip() for item in text.split(";") if item.strip())


def _people(
    name: str, texts: dict[str, list[str]], lines: Sequence[int] | None
) -> list[Participant]:
    """Participants from the stripped cells of PEOPLE.csv's columns; errors name ``lines[k]``
    for row ``k`` (``None``: the row's position, for a reading to be repeated)."""
    n = len(texts["id"])
    if not n:
        raise MatchingInputError(name, None, None, "empty file: no people")

    def column(c: str) -> Sequence[str]:
        return texts[c] if c in texts else list(repeat("", n))

    people: list[Participant] = []
    seen: set[str] = set()
    zones_ok: set[str] = set()
    clocks: dict[str, dt.time] = {}  # parsed once per distinct text
    interest_sets: dict[str, frozenset[str]] = {}
    rows = zip(
        range(n),
        texts["id"],
        texts["team"],
        column("manager"),
        column("timezone"),
        column("work_start"),
        column("work_end"),
        column("level"),
        column("location"),
        column("interests"),
        column("joined"),
        strict=True,
    )
    for (
        k,
        pid,
        team,
        manager,
        timezone,
        start,
        end,
        level_text,
        location,
        interests_text,
        joined_text,
    ) in rows:
        line = k if lines is None else lines[k]
        if not pid:
            raise MatchingInputError(name, line, "id", "empty id")
        if pid in seen:
            raise MatchingInputError(name, line, "id", f"duplicate id {pid!r}")
        seen.add(pid)
        if not team:
            raise MatchingInputError(name, line, "team", "empty team")
        timezone = timezone or "UTC"
        if timezone not in zones_ok:
            try:
                zone(timezone)
            except KeyError:
                raise MatchingInputError(
                    name, line, "timezone", f"unknown time zone {timezone!r}"
                ) from None
            zones_ok.add(timezone)
        start = start or "09:00"
        end = end or "17:00"
        work_start = clocks.get(start)
        if work_start is None:
            work_start = clocks[start] = parse_cell(  # type: ignore[assignment]
                name, line, "work_start", start, _clock, "a time HH:MM"
            )
        work_end = clocks.get(end)
        if work_end is None:
            work_end = clocks[end] = parse_cell(  # type: ignore[assignment]
                name, line, "work_end", end, _clock, "a time HH:MM"
            )
        if work_start == work_end:
            raise MatchingInputError(name, line, "work_end", "working hours are empty")
        level = (
            parse_cell(name, line, "level", level_text, int, "a whole number")
            if level_text
            else None
        )
        joined = (
            parse_cell(
                name, line, "joined", joined_text, dt.date.fromisoformat, "a date YYYY-MM-DD"
            )
            if joined_text
            else None
        )
        interests = interest_sets.get(interests_text)
        if interests is None:
            interests = interest_sets[interests_text] = frozenset(
                item.strip() for item in interests_text.split(";") if item.strip()
            )
        people.append(
            Participant(
                id=pid,
                team=team,
                manager=manager or None,
                timezone=timezone,
                work_start=work_start,  # type: ignore[arg-type]
                work_end=work_end,  # type: ignore[arg-type]
                level=level,  # type: ignore[arg-type]
                location=location or None,
                interests=interests,
                joined=joined,  # type: ignore[arg-type]
            )
        )
    return people
