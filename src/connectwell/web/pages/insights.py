"""Team insights for leads and admins: scores with a chart and the same numbers in a table."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from connectwell.core.db import utcnow
from connectwell.insights import compute, network
from connectwell.insights import service as insights
from connectwell.insights.schemas import Snapshot
from connectwell.people import service as people
from connectwell.web.deps import CSRF, DB, AppSettings, PageAdmin, PageViewer, Viewer
from connectwell.web.templating import render

router = APIRouter()
CHART_WIDTH = 300


def _payload(session: Session, viewer: Viewer, team_id: int | None) -> Snapshot:
    insights.check_access(
        is_admin=viewer.is_admin, led_team_ids=viewer.led_team_ids, team_id=team_id
    )
    if team_id is not None:
        people.get_team(session, team_id)
    payload = insights.snapshot(session, insights.scope_for(team_id))
    if payload is None:
        raise insights.InsightNotFound("scope", "insights have not been computed yet")
    return payload


@router.get("/insights")
def insights_home(session: DB, viewer: PageViewer) -> Response:
    if viewer.is_admin:
        return RedirectResponse("/insights/org", status.HTTP_303_SEE_OTHER)
    if viewer.led_team_ids:
        first = min(viewer.led_team_ids)
        return RedirectResponse(f"/insights/teams/{first}", status.HTTP_303_SEE_OTHER)
    raise insights.InsightNotAllowed("team", "insights are for team leads and admins")


def _page(request: Request, session: DB, viewer: Viewer, team_id: int | None) -> Response:
    try:
        payload = _payload(session, viewer, team_id)
    except insights.InsightNotAllowed:
        raise
    except insights.InsightError:
        payload = None
    paths = people.team_paths(session)
    led = sorted(viewer.led_team_ids, key=lambda t: paths.get(t, ""))
    rows = insights.rows(payload) if payload else []
    weakest, practices = insights.what_to_try(payload) if payload else (None, ())
    return render(
        request,
        "insights.html",
        {
            "payload": payload,
            "rows": rows,
            "team_id": team_id,
            "title": "The organisation" if team_id is None else paths.get(team_id, ""),
            "teams": [(t, paths[t]) for t in (paths if viewer.is_admin else led) if t in paths],
            "weakest": weakest,
            "practices": practices,
            "chart_width": CHART_WIDTH,
            "csv": "/insights/org.csv"
            if team_id is None
            else f"/insights/teams/{team_id}/export.csv",
        },
        session=session,
    )


@router.get("/insights/org")
def org_insights(request: Request, session: DB, viewer: PageAdmin) -> Response:
    return _page(request, session, viewer, None)


@router.get("/insights/teams/{team_id}")
def team_insights(request: Request, session: DB, viewer: PageViewer, team_id: int) -> Response:
    return _page(request, session, viewer, team_id)


def _csv(payload: Snapshot, name: str) -> Response:
    return Response(
        insights.export_csv(payload),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/insights/org.csv")
def org_csv(session: DB, viewer: PageAdmin) -> Response:
    return _csv(_payload(session, viewer, None), "insights-organisation.csv")


@router.get("/insights/teams/{team_id}/export.csv")
def team_csv(session: DB, viewer: PageViewer, team_id: int) -> Response:
    return _csv(_payload(session, viewer, team_id), f"insights-team-{team_id}.csv")


@router.post("/insights/refresh", dependencies=[CSRF])
def refresh(session: DB, settings: AppSettings, viewer: PageAdmin) -> Response:
    """Admins recompute now (the worker does it every night)."""
    compute.refresh(
        session, today=utcnow().date(), floor=settings.anonymity_floor, actor=viewer.person
    )
    return RedirectResponse("/insights/org?refreshed=1", status.HTTP_303_SEE_OTHER)


@router.get("/me/connections")
def my_connections(request: Request, session: DB, viewer: PageViewer) -> Response:
    """The viewer's own connections: nobody else sees this list."""
    found = network.my_connections(session, viewer.person, utcnow().date())
    return render(request, "my_connections.html", {"connections": found}, session=session)
