"""Teams: the nested list and each team's page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from connectwell.digests import service as digests
from connectwell.goals import service as goals
from connectwell.people import service as people
from connectwell.web.deps import CSRF, DB, PageAdmin, PageViewer
from connectwell.web.forms import PageForm, read_form
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


class LeadsForm(BaseModel):
    emails: Annotated[str, Field(max_length=5000, title="leads' e-mails")] = ""


@router.post("/teams/{team_id}/leads", dependencies=[CSRF])
async def set_leads(request: Request, session: DB, viewer: PageAdmin, team_id: int) -> Response:
    """Admins name a team's leads by e-mail (comma-separated)."""
    found = people.get_team(session, team_id)
    form = await read_form(request, LeadsForm)
    if form.data is not None:
        emails = form.data.emails.replace(";", ",").split(",")
        try:
            wanted = [e.strip() for e in emails if e.strip()]
            people.set_team_leads_by_email(session, found, wanted, actor=viewer.person)
        except people.PeopleError as error:
            session.rollback()
            form.refuse(error)
        else:
            return RedirectResponse(f"/teams/{team_id}?saved=leads", status.HTTP_303_SEE_OTHER)
    return _team_page(request, session, team_id, form=form, status_code=form.status_code)


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
            "form": extra.pop("form", PageForm()),
            **extra,
        },
        session=session,
        status_code=status_code,
    )
