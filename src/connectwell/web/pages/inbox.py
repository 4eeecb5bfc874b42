"""The in-app inbox."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response

from connectwell.core import notify
from connectwell.web.deps import CSRF, DB, PageViewer
from connectwell.web.templating import render

router = APIRouter()


@router.get("/inbox")
def inbox(request: Request, session: DB, viewer: PageViewer) -> Response:
    items = notify.inbox(session, viewer.person.id, limit=100)
    return render(request, "inbox.html", {"items": items}, session=session)


@router.post("/inbox/read", dependencies=[CSRF])
def read_all(session: DB, viewer: PageViewer) -> Response:
    notify.mark_read(session, viewer.person.id)
    return RedirectResponse("/inbox", status.HTTP_303_SEE_OTHER)


@router.post("/inbox/{notification_id}/read", dependencies=[CSRF])
def read_one(request: Request, session: DB, viewer: PageViewer, notification_id: int) -> Response:
    # Only the viewer's own notifications match: another person's id changes nothing.
    notify.mark_read(session, viewer.person.id, notification_id)
    if request.headers.get("hx-request"):
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return RedirectResponse("/inbox", status.HTTP_303_SEE_OTHER)
