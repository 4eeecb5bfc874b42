"""/api/v1/me: the caller's own profile, pause, inbox and stored data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, status

from connectwell.accounts import service as accounts
from connectwell.core import notify
from connectwell.people import service as people
from connectwell.people.schemas import PauseIn, PersonPrivateOut, ProfileUpdate
from connectwell.web.api.presenters import person_out
from connectwell.web.deps import DB, ApiViewer

router = APIRouter()


def _me(session: DB, viewer: ApiViewer) -> PersonPrivateOut:
    out = person_out(
        viewer.person, people.team_paths(session), private=True, is_lead=viewer.is_lead
    )
    assert isinstance(out, PersonPrivateOut)
    return out


@router.get("", response_model=PersonPrivateOut)
def get_me(session: DB, viewer: ApiViewer) -> PersonPrivateOut:
    return _me(session, viewer)


@router.patch("", response_model=PersonPrivateOut)
def update_me(changes: ProfileUpdate, session: DB, viewer: ApiViewer) -> PersonPrivateOut:
    """Change your bio and interests."""
    people.update_profile(session, viewer.person, changes)
    return _me(session, viewer)


@router.put("/pause", response_model=PersonPrivateOut)
def pause(request: PauseIn, session: DB, viewer: ApiViewer) -> PersonPrivateOut:
    """Pause pairings, pulses and digests up to and including a date."""
    people.pause(session, viewer.person, request, today=dt.date.today())
    return _me(session, viewer)


@router.delete("/pause", response_model=PersonPrivateOut)
def resume(session: DB, viewer: ApiViewer) -> PersonPrivateOut:
    people.resume(session, viewer.person)
    return _me(session, viewer)


@router.get("/notifications")
def notifications(session: DB, viewer: ApiViewer, limit: int = 50) -> list[dict[str, Any]]:
    return [
        {
            "id": item.id,
            "kind": item.kind,
            "subject": item.subject,
            "body": item.body,
            "link": item.link,
            "created_at": item.created_at,
            "read": item.read_at is not None,
        }
        for item in notify.inbox(session, viewer.person.id, limit=min(max(limit, 1), 200))
    ]


@router.post("/notifications/read", status_code=status.HTTP_200_OK)
def read_notifications(session: DB, viewer: ApiViewer) -> dict[str, int]:
    return {"marked_read": notify.mark_read(session, viewer.person.id)}


@router.get("/data")
def stored_data(session: DB, viewer: ApiViewer) -> dict[str, Any]:
    """Everything connectwell stores about you."""
    person = viewer.person
    return {
        "profile": people.stored_about(session, person),
        "sign_in_sessions": [
            {"created_at": s.created_at, "expires_at": s.expires_at, "user_agent": s.user_agent}
            for s in accounts.sessions_of(session, person.id)
        ],
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "revoked": t.revoked_at is not None,
            }
            for t in accounts.list_api_tokens(session, person_id=person.id)
        ],
        "notifications": [
            {
                "kind": n.kind,
                "subject": n.subject,
                "created_at": n.created_at,
                "read": n.read_at is not None,
            }
            for n in notify.inbox(session, person.id, limit=10_000)
        ],
    }
