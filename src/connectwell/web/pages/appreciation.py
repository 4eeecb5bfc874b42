"""Appreciation without a leaderboard: your own breadth, and a lead's team-level counts."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from connectwell.people import service as people
from connectwell.shoutouts import stats
from connectwell.web.deps import DB, PageViewer, require_team_lead
from connectwell.web.templating import render

router = APIRouter()


@router.get("/me/appreciation")
def my_appreciation(request: Request, session: DB, viewer: PageViewer) -> Response:
    breadth = stats.breadth(session, viewer.person, dt.date.today())
    return render(request, "my_appreciation.html", {"breadth": breadth}, session=session)


@router.get("/teams/{team_id}/appreciation")
def team_appreciation(request: Request, session: DB, viewer: PageViewer, team_id: int) -> Response:
    team = people.get_team(session, team_id)
    require_team_lead(viewer, team.id)
    counts = stats.team_appreciation(session, team.id, dt.date.today())
    return render(
        request,
        "team_appreciation.html",
        {"team": team, "path": people.team_paths(session)[team.id], "counts": counts},
        session=session,
    )
