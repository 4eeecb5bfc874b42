"""/api/v1/me/appreciation and /api/v1/teams/{id}/appreciation: breadth and team counts.

No ranks and no names, by design: a person sees their own breadth, a lead their team's counts.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from connectwell.people import service as people
from connectwell.shoutouts import stats
from connectwell.shoutouts.schemas import Breadth, TeamAppreciation
from connectwell.web.deps import DB, ApiViewer, PathId, require_team_lead

router = APIRouter()


@router.get("/me/appreciation", response_model=Breadth)
def my_appreciation(session: DB, viewer: ApiViewer) -> Breadth:
    """How many colleagues and teams you appreciated, and were appreciated by, this quarter."""
    return stats.breadth(session, viewer.person, dt.date.today())


@router.get("/teams/{team_id}/appreciation", response_model=TeamAppreciation)
def team_appreciation(session: DB, viewer: ApiViewer, team_id: PathId) -> TeamAppreciation:
    """The team's leads (or a parent team's) and admins: counts this quarter, and how many
    people have not been appreciated in 30 days (a number, never names)."""
    team = people.get_team(session, team_id)
    require_team_lead(viewer, team.id)
    return stats.team_appreciation(session, team.id, dt.date.today())
