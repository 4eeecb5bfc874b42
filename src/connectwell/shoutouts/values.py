"""The organisation's values that a shout-out may carry: listed, added and retired by admins."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectwell.core import audit
from connectwell.core.db.updates import update_once
from connectwell.shoutouts.models import Value
from connectwell.shoutouts.service import ShoutOutConflict, ShoutOutError, ShoutOutNotFound


def list_values(session: Session, *, active_only: bool = True) -> list[Value]:
    statement = select(Value).order_by(Value.name)
    if active_only:
        statement = statement.where(Value.is_active)
    return list(session.scalars(statement))


def add_value(session: Session, name: str, description: str = "", *, actor: audit.Actor) -> Value:
    """Add a value; a name taken already (even by a request racing this one) is a conflict."""
    name = name.strip()
    if not 1 <= len(name) <= 60:
        raise ShoutOutError("name", "1 to 60 characters")
    if session.scalar(select(Value.id).where(func.lower(Value.name) == name.lower())):
        raise _value_taken(name)
    value = Value(name=name, description=description.strip()[:1000], is_active=True)
    try:
        with session.begin_nested():
            session.add(value)
            session.flush()
    except IntegrityError:  # the same name, added at the same moment
        raise _value_taken(name) from None
    after = {"name": value.name, "description": value.description}
    audit.record(
        session, actor, "value.add", "value", value.id, name, changes=audit.changes({}, after)
    )
    return value


def _value_taken(name: str) -> ShoutOutConflict:
    return ShoutOutConflict("name", f"the value {name!r} exists already")


def retire_value(session: Session, value_id: int, *, actor: audit.Actor) -> Value:
    """Retire a value (its shout-outs keep it); admins racing each other write one entry."""
    value, retired = update_once(
        session, Value, value_id, Value.is_active.is_(True), is_active=False
    )
    if value is None:
        raise ShoutOutNotFound("value", f"no value {value_id}")
    if retired:
        change = {"is_active": [True, False]}
        audit.record(session, actor, "value.retire", "value", value.id, value.name, changes=change)
    session.flush()
    return value
