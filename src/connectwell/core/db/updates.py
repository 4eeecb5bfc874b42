"""A change made once however many requests race to make it: one conditional UPDATE."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

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
