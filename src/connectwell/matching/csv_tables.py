"""Reading CSV tables: a header with the required columns, then rows with clear errors.

Two readers, one meaning. :func:`arrow_columns` reads a whole file's cells as string columns
with ``pyarrow.csv`` (fast: no Python object per cell), and answers ``None`` for any row it
cannot take as it is (another number of cells, bytes that are not UTF-8). The :mod:`csv` module
(:func:`table_rows`, :func:`dict_rows`) reads row by row with the line number of each row (the
header is line 1), so the readers of :mod:`connectwell.matching.csv_io` and
:mod:`connectwell.matching.history_csv` use it to name the line of a fault, and to read the
files pyarrow refused. Both skip blank lines and rows of blank cells; a row with more or fewer
cells than the header is an error naming its line.

pyarrow is imported only when a file is read, so importing the library does not load it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np
import numpy.typing as npt

from connectwell.matching.model import MatchingInputError

if TYPE_CHECKING:
    import pyarrow as pa

Row = tuple[int, list[str]]
#: pyarrow reads the file in blocks of this many bytes (several blocks use both cores).
ARROW_BLOCK_BYTES = 1 << 22


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
    """Yield (line number, cells) of a CSV reader: blank lines and rows of blank cells skipped,
    a row with another number of cells than ``width`` an error naming its line.
    ``lines_before`` is added to the reader's line numbers."""
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != width:
                raise MatchingInputError(
                    name,
                    reader.line_num + lines_before,
                    None,
                    f"{len(cells)} cells for {width} columns",
                )
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


def arrow_columns(
    path: Path,
    width: int,
    wanted: Sequence[int],
    *,
    max_rows: int | None = None,
    too_many: Callable[[int], MatchingInputError] | None = None,
) -> list[pa.ChunkedArray] | None:
    """The cells of the columns ``wanted`` (positions in a header of ``width`` columns) as
    pyarrow string arrays, as written (see :func:`encoded`), one entry per row after the header.

    Blank lines are skipped; rows whose wanted cells are all blank are kept (as empty strings)
    for the caller to skip. Returns ``None`` when the file is not plain enough for pyarrow: a
    header over several lines, a row with another number of cells, bytes that are not UTF-8; the
    caller then reads it with the :mod:`csv` module, which names the line of a fault.

    With ``max_rows``, the file is read in blocks and ``too_many(max_rows)`` is raised as soon
    as it has more rows, before the rest is read: a huge file costs one block of memory.

    Complexity: O(bytes) time, in C; memory O(bytes of the wanted columns).
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    faults: list[int] = []

    def note(row: Any) -> str:
        faults.append(1)
        return "skip"

    names = [f"c{k}" for k in range(width)]
    options = {
        "read_options": pcsv.ReadOptions(
            skip_rows=1, column_names=names, block_size=ARROW_BLOCK_BYTES
        ),
        "parse_options": pcsv.ParseOptions(newlines_in_values=True, invalid_row_handler=note),
        "convert_options": pcsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            include_columns=[names[k] for k in wanted],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    }
    try:
        if max_rows is None:
            table = pcsv.read_csv(path, **options)
        else:
            batches = []
            rows = 0
            with pcsv.open_csv(path, **options) as reader:
                for batch in reader:
                    rows += batch.num_rows
                    if rows > max_rows and too_many is not None:
                        raise too_many(max_rows)
                    batches.append(batch)
            table = pa.Table.from_batches(batches, schema=reader.schema)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if faults:
        return None
    return [table.column(names[k]) for k in wanted]


def encoded(column: pa.ChunkedArray) -> tuple[npt.NDArray[np.int64], list[str]]:
    """A column of cells as codes and distinct values, stripped of surrounding blanks:
    ``values[codes[k]]`` is the cell of row ``k``, stripped. Codes follow the order in which
    values first appear, so a column of distinct cells has the codes 0, 1, 2, ...

    Complexity: one hashing pass over the column (in C), then O(distinct values) in Python.
    """
    import pyarrow.compute as pc

    found = pc.dictionary_encode(column)  # one hash table for all chunks
    chunks = found.chunks
    dictionary = chunks[-1].dictionary if chunks else None
    if dictionary is None or any(len(chunk.dictionary) != len(dictionary) for chunk in chunks):
        found = pc.dictionary_encode(column.combine_chunks())
        chunks, dictionary = [found], found.dictionary
    raw: list[str] = dictionary.to_pylist()
    codes = np.zeros(0, dtype=np.int64)
    if chunks:
        codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in chunks])
    codes = codes.astype(np.int64)
    stripped = [value.strip() for value in raw]
    if stripped == raw:
        return codes, raw
    first: dict[str, int] = {}
    merged = np.array([first.setdefault(value, len(first)) for value in stripped], np.int64)
    return merged[codes], list(first)
