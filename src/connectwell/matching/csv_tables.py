"""Reading CSV tables with the :mod:`csv` module: a header with the required columns, then
numbered rows (line numbers of the file, the header being line 1) with clear errors.

Shared by the readers of :mod:`connectwell.matching.csv_io` (PEOPLE.csv, EXCL.csv) and
:mod:`connectwell.matching.history_csv` (HISTORY.csv, when a block is not plain).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from connectwell.matching.model import MatchingInputError

Row = tuple[int, list[str]]


def open_table(path: Path, required: tuple[str, ...]) -> tuple[TextIO, Any, list[str]]:
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


def numbered_cells(name: str, reader: Any, width: int, lines_before: int = 0) -> Iterator[Row]:
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


def table_rows(path: Path, required: tuple[str, ...]) -> tuple[list[str], Iterator[Row]]:
    """The columns of a CSV file and an iterator of (line number, cells), after checking that
    the file has a header with the required columns."""
    handle, reader, columns = open_table(path, required)

    def rows() -> Iterator[Row]:
        with handle:
            yield from numbered_cells(path.name, reader, len(columns))

    return columns, rows()


def dict_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row as a dict of stripped cells) of a CSV file."""
    columns, rows = table_rows(path, required)
    for line, cells in rows:
        yield line, dict(zip(columns, (cell.strip() for cell in cells), strict=True))


def parse_cell(
    name: str, line: int, column: str, text: str, parse: Callable[[str], object], what: str
) -> object:
    """``parse(text)``; a ``ValueError`` becomes an error naming the file, line and column."""
    try:
        return parse(text)
    except ValueError:
        raise MatchingInputError(name, line, column, f"{text!r} is not {what}") from None
