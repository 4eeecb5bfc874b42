"""/admin/audit: every admin action, newest first, filterable, and the same as CSV."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from connectwell.core import audit
from connectwell.web.deps import DB, PageAdmin, StreamDB
from connectwell.web.templating import render

router = APIRouter(prefix="/admin")
PAGE_SIZE = 50


def _person(actor_id: str) -> int | None:
    """The "who" filter: a person's id, or everyone when empty (the form sends "")."""
    return int(actor_id) if actor_id.strip().isdigit() else None


def _filters(action: str, actor_id: int | None) -> dict[str, str | int]:
    found: dict[str, str | int] = {}
    if action:
        found["action"] = action
    if actor_id is not None:
        found["actor_id"] = actor_id
    return found


@router.get("/audit")
def audit_page(
    request: Request,
    session: DB,
    viewer: PageAdmin,
    action: str = "",
    actor_id: str = "",
    before_id: int | None = None,
) -> Response:
    action = action if action in audit.ACTIONS else ""
    person_id = _person(actor_id)
    found = audit.entries(
        session, action=action, actor_id=person_id, before_id=before_id, limit=PAGE_SIZE + 1
    )
    filters = _filters(action, person_id)
    older = None
    if len(found) > PAGE_SIZE:
        found = found[:PAGE_SIZE]
        older = "/admin/audit?" + urlencode({**filters, "before_id": found[-1].id})
    return render(
        request,
        "admin/audit.html",
        {
            "entries": [(entry, audit.describe_changes(entry)) for entry in found],
            "actions": audit.ACTIONS,
            "actors": audit.actors(session),
            "action": action,
            "actor_id": person_id,
            "older": older,
            "newest": "/admin/audit?" + urlencode(filters) if before_id is not None else None,
            "csv_url": "/admin/audit.csv" + ("?" + urlencode(filters) if filters else ""),
        },
        session=session,
    )


@router.get("/audit.csv")
def audit_csv(
    session: StreamDB, viewer: PageAdmin, action: str = "", actor_id: str = ""
) -> Response:
    """Every entry that matches, streamed a batch at a time (no cap, never all in memory)."""
    return StreamingResponse(
        audit.csv_lines(session, action=action or None, actor_id=_person(actor_id)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
