"""Teams: the nested list and each team's page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from connectwell.people import service as people
from connectwell.web.deps import DB, PageViewer
from connectwell.web.templating import render

router = APIRouter()


@router.get("/teams")
def teams(request: Request, session: DB, viewer: PageViewer) -> Response:
    rows = [
        {"team": team, "path": path, "depth": path.count(people.TEAM_SEPARATOR), "members": n}
        for team, path, n in people.list_teams(session)
    ]
    return render(request, "teams.html", {"rows": rows}, session=session)


@router.get("/teams/{team_id}")
def team(request: Request, session: DB, viewer: PageViewer, team_id: int) -> Response:
    found = people.get_team(session, team_id)
    paths = people.team_paths(session)
    return render(
        request,
        "team.html",
        {
            "team": found,
            "path": paths[found.id],
            "members": people.team_members(session, found.id),
            "leads": [lead.person for lead in found.leads],
            "children": sorted(found.children, key=lambda child: child.name),
            "paths": paths,
        },
        session=session,
    )
