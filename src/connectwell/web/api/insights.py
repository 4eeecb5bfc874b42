"""/api/v1/insights: the same stored, anonymity-checked figures as the pages."""

from __future__ import annotations

from fastapi import APIRouter

from connectwell.insights import service as insights
from connectwell.insights.schemas import InsightsOut, PracticeOut, Snapshot
from connectwell.people import service as people
from connectwell.web.deps import DB, ApiAdmin, ApiViewer

router = APIRouter()


def _out(payload: Snapshot) -> InsightsOut:
    weakest, practices = insights.what_to_try(payload)
    return InsightsOut(
        name=payload.name,
        since=payload.since,
        until=payload.until,
        computed_at=payload.computed_at,
        constructs=payload.constructs,
        check_ins=payload.check_ins,
        weakest_pathway=weakest,
        what_to_try=[
            PracticeOut(title=p.title, why=p.why, link=p.link, evidence=p.evidence.text)
            for p in practices
        ],
    )


def _read(session: DB, scope: str) -> InsightsOut:
    payload = insights.snapshot(session, scope)
    if payload is None:
        raise insights.InsightNotFound("scope", "insights have not been computed yet")
    return _out(payload)


@router.get("/org", response_model=InsightsOut)
def org(session: DB, viewer: ApiAdmin) -> InsightsOut:
    """Admins: the whole organisation."""
    return _read(session, "org")


@router.get("/teams/{team_id}", response_model=InsightsOut)
def team(session: DB, viewer: ApiViewer, team_id: int) -> InsightsOut:
    """A team and the teams nested under it: for its leads and admins."""
    insights.check_access(
        is_admin=viewer.is_admin, led_team_ids=viewer.led_team_ids, team_id=team_id
    )
    people.get_team(session, team_id)
    return _read(session, insights.scope_for(team_id))
