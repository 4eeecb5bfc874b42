"""/api/v1/audit: the audit log for admins, newest first, a page at a time."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from connectwell.core import audit
from connectwell.core.ids import MAX_ID
from connectwell.web.deps import DB, ApiAdmin, QueryId

router = APIRouter()


class AuditEntryOut(BaseModel):
    id: int
    created_at: dt.datetime
    actor_id: int | None
    actor: str
    action: str
    action_words: str
    target_type: str
    target_id: int | None
    target: str
    changes: dict[str, list[Any]]
    reason: str


@router.get("", response_model=list[AuditEntryOut])
def list_entries(
    session: DB,
    viewer: ApiAdmin,
    action: str | None = None,
    actor_id: QueryId = None,
    before_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="The last id seen, for older")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEntryOut]:
    """Every admin action with who, when, what and what changed (field: [before, after])."""
    found = audit.entries(
        session, action=action, actor_id=actor_id, before_id=before_id, limit=limit
    )
    return [
        AuditEntryOut(
            id=entry.id,
            created_at=entry.created_at,
            actor_id=entry.actor_id,
            actor=entry.actor_label,
            action=entry.action,
            action_words=entry.action_words,
            target_type=entry.target_type,
            target_id=entry.target_id,
            target=entry.target_label,
            changes=entry.changes or {},
            reason=entry.reason,
        )
        for entry in found
    ]
