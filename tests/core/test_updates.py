"""A change made once: the first conditional UPDATE wins, later ones see the stored row."""

from __future__ import annotations

from sqlalchemy.orm import Session

from connectwell.core.db.updates import update_once
from connectwell.shoutouts.models import Value


def test_it_makes_a_change_once_and_says_which_call_made_it(db: Session) -> None:
    value = Value(name="Candour", description="", is_active=True)
    db.add(value)
    db.flush()

    first, changed = update_once(db, Value, value.id, Value.is_active.is_(True), is_active=False)
    again, changed_again = update_once(
        db, Value, value.id, Value.is_active.is_(True), is_active=False
    )

    assert changed and not changed_again
    assert first is value and again is value and value.is_active is False


def test_it_finds_no_row_for_an_unknown_id(db: Session) -> None:
    row, changed = update_once(db, Value, 10_000, Value.is_active.is_(True), is_active=False)

    assert row is None and not changed
