"""The home page: what is new for the viewer."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from connectwell.core import notify
from connectwell.people import service as people
from connectwell.web.deps import DB, PageViewer
from connectwell.web.templating import render

router = APIRouter()


@router.get("/")
def home(request: Request, session: DB, viewer: PageViewer) -> Response:
    person = viewer.person
    paths = people.team_paths(session)
    return render(
        request,
        "home.html",
        {
            "person": person,
            "team_path": paths.get(person.team_id) if person.team_id else None,
            "recent": notify.inbox(session, person.id, limit=5),
            "led_teams": sorted(paths[team_id] for team_id in viewer.led_team_ids),
        },
        session=session,
    )
