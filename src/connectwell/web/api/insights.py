"""/api/v1/insights: the same published figures as the pages, at the same precision."""

from __future__ import annotations

from fastapi import APIRouter

from connectwell.insights import service as insights
from connectwell.insights.schemas import InsightsOut
from connectwell.web.deps import DB, ApiAdmin, ApiViewer, PathId, Viewer

router = APIRouter()


def _found(session: DB, viewer: Viewer, team_id: int | None) -> InsightsOut:
    view = insights.for_viewer(
        session, is_admin=viewer.is_admin, led_team_ids=viewer.led_team_ids, team_id=team_id
    )
    if view is None:
        raise insights.InsightNotFound("scope", "no results have been published yet")
    return view


@router.get("/org", response_model=InsightsOut)
def org(session: DB, viewer: ApiAdmin) -> InsightsOut:
    """Admins: the whole organisation."""
    return _found(session, viewer, None)


@router.get("/teams/{team_id}", response_model=InsightsOut)
def team(session: DB, viewer: ApiViewer, team_id: PathId) -> InsightsOut:
    """A team and the teams nested under it: for its leads and admins."""
    return _found(session, viewer, team_id)
