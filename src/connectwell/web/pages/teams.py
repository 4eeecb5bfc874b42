"""Teams: the nested list and each team's page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response

from connectwell.digests import service as digests
from connectwell.goals import service as goals
from connectwell.people import service as people
from connectwell.web.deps import CSRF, DB, PageAdmin, PageViewer
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
    return _team_page(request, session, team_id)


@router.post("/teams/{team_id}/leads", dependencies=[CSRF])
def set_leads(
    request: Request,
    session: DB,
    viewer: PageAdmin,
    team_id: int,
    emails: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Admins name a team's leads by e-mail (comma-separated)."""
    found = people.get_team(session, team_id)
    wanted = [email.strip() for email in emails.replace(";", ",").split(",") if email.strip()]
    try:
        people.set_team_leads_by_email(session, found, wanted, actor=viewer.person)
    except people.PeopleError as error:
        session.rollback()
        return _team_page(
            request,
            session,
            team_id,
            error=error,
            emails=emails,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return RedirectResponse(f"/teams/{team_id}?saved=leads", status.HTTP_303_SEE_OTHER)


def _team_page(
    request: Request, session: DB, team_id: int, *, status_code: int = 200, **extra: object
) -> Response:
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
            "celebrations": goals.celebrations(session, team_ids=[found.id], limit=5),
            "open_goals": goals.list_goals(session, team_id=found.id, status="open", limit=5),
            "digest_schedule": digests.schedule_for(session, found.id),
            **extra,
        },
        session=session,
        status_code=status_code,
    )
