"""A change made once however many requests race to make it: one conditional UPDATE."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, inspect, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.attributes import set_committed_value

from connectwell.core.db.base import Base

Row = TypeVar("Row", bound=Base)


def update_once(
    session: Session,
    model: type[Row],
    row_id: int,
    condition: ColumnElement[bool],
    **values: Any,
) -> tuple[Row | None, bool]:
    """Set ``values`` on the row ``row_id`` of ``model`` only where ``condition`` still holds.

    Returns the row as it is stored now (None when there is no such row) and whether this call
    made the change. Of several requests racing to make the same change, exactly one gets True,
    so only it records the change (an audit entry, a message). Flushes nothing else.
    """
    key = model.id  # type: ignore[attr-defined]
    result = session.execute(
        update(model)
        .where(key == row_id, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    row = session.scalars(
        select(model).where(key == row_id).execution_options(populate_existing=True)
    ).one_or_none()
    return row, getattr(result, "rowcount", 0) == 1


def mark_once(
    session: Session,
    row: Base,
    column: InstrumentedAttribute[Any],
    value: Any,
    *conditions: ColumnElement[bool],
) -> bool:
    """Set ``column`` of the loaded ``row`` to ``value`` only while it is still NULL (and
    ``conditions`` hold); whether this call did.

    For scheduled jobs that read due rows, then send a message for each and mark it: of several
    workers that read the same rows before any of them committed, exactly one marks each row and
    sends its message. The others' UPDATE waits for that commit (PostgreSQL re-checks the
    condition on the locked row; SQLite has one writer at a time) and then matches nothing.
    """
    mapper = inspect(row).mapper
    identity = mapper.primary_key_from_instance(row)
    key = [part == value_ for part, value_ in zip(mapper.primary_key, identity, strict=True)]
    result = session.execute(
        update(type(row))
        .where(*key, column.is_(None), *conditions)
        .values({column.key: value})
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    set_committed_value(row, column.key, value)
    return True
