"""/api/v1/values: the organisation's values a shout-out may name (admins add and retire)."""

from __future__ import annotations

from fastapi import APIRouter, status

from connectwell.shoutouts import values
from connectwell.shoutouts.models import Value
from connectwell.shoutouts.schemas import ValueIn, ValueOut
from connectwell.web.deps import DB, ApiAdmin, ApiViewer, PathId

router = APIRouter()


def value_out(value: Value) -> ValueOut:
    return ValueOut(
        id=value.id, name=value.name, description=value.description, is_active=value.is_active
    )


@router.get("", response_model=list[ValueOut])
def list_values(session: DB, viewer: ApiViewer, include_retired: bool = False) -> list[ValueOut]:
    """The values people can choose; admins may ask for the retired ones too."""
    active_only = not (include_retired and viewer.is_admin)
    return [value_out(v) for v in values.list_values(session, active_only=active_only)]


@router.post("", response_model=ValueOut, status_code=status.HTTP_201_CREATED)
def add_value(body: ValueIn, session: DB, viewer: ApiAdmin) -> ValueOut:
    return value_out(values.add_value(session, body.name, body.description, actor=viewer.person))


@router.post("/{value_id}/retire", response_model=ValueOut)
def retire_value(session: DB, viewer: ApiAdmin, value_id: PathId) -> ValueOut:
    """Nobody can choose it any more; the shout-outs that named it keep it."""
    return value_out(values.retire_value(session, value_id, actor=viewer.person))
