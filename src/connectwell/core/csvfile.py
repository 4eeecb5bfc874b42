"""The one CSV writer for every export: `csv.DictWriter` with spreadsheet formulas escaped.

A cell that a spreadsheet would run as a formula (one starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is written with a leading apostrophe, as OWASP advises
for CSV injection; numbers are written as they are.

>>> print(to_csv(["name", "note"], [{"name": "Ada", "note": "=HYPERLINK(1)"}]), end="")
name,note
Ada,'=HYPERLINK(1)
>>> print(to_csv(["n", "delta"], [{"n": 3, "delta": -0.5}]), end="")
n,delta
3,-0.5
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet may read it safely: text that starts a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def write_csv(
    out: io.TextIOBase | io.StringIO,
    fieldnames: Sequence[str],
    rows: Iterable[Mapping[str, object]],
) -> None:
    """Write ``rows`` (mappings by column name; a missing column stays empty) to ``out``.

    A key that is not a column is an error (``ValueError``): a row never shifts silently.
    """
    writer = csv.DictWriter(out, fieldnames=list(fieldnames), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: safe_cell(value) for key, value in row.items()})


def to_csv(fieldnames: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """The CSV text of ``rows`` under ``fieldnames`` (see :func:`write_csv`)."""
    out = io.StringIO()
    write_csv(out, fieldnames, rows)
    return out.getvalue()
