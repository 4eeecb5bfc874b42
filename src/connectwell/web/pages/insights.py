"""Team insights for leads and admins: published figures with a chart and a table beside it."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from connectwell.core.db import utcnow
from connectwell.insights import network, publish
from connectwell.insights import service as insights
from connectwell.insights.practices import PRACTICES
from connectwell.insights.schemas import Change, ConstructFigure, InsightsOut, RoundRef
from connectwell.people import service as people
from connectwell.web.deps import CSRF, DB, AppSettings, PageAdmin, PageViewer, Viewer
from connectwell.web.templating import render

router = APIRouter()
CHART_WIDTH = 300


def read(session: Session, viewer: Viewer, team_id: int | None) -> InsightsOut | None:
    """The scope's published figures, after the access check; ``None`` before any."""
    return insights.for_viewer(
        session, is_admin=viewer.is_admin, led_team_ids=viewer.led_team_ids, team_id=team_id
    )


@dataclass(frozen=True)
class Row:
    """A construct shown in its latest round: what the chart and the table beside it show."""

    key: str
    name: str
    lower_is_better: bool
    round: RoundRef
    figure: ConstructFigure
    change: Change


def _rows(view: InsightsOut) -> list[Row]:
    return [
        Row(key, entry.name, entry.lower_is_better, entry.round, entry.figure, entry.change)
        for key, entry in view.constructs.items()
        if entry.figure is not None
    ]


@router.get("/insights")
def insights_home(session: DB, viewer: PageViewer) -> Response:
    if viewer.is_admin:
        return RedirectResponse("/insights/org", status.HTTP_303_SEE_OTHER)
    if viewer.led_team_ids:
        first = min(viewer.led_team_ids)
        return RedirectResponse(f"/insights/teams/{first}", status.HTTP_303_SEE_OTHER)
    raise insights.InsightNotAllowed("team", "insights are for team leads and admins")


def _page(request: Request, session: DB, viewer: Viewer, team_id: int | None) -> Response:
    view = read(session, viewer, team_id)
    paths = people.team_paths(session)
    led = sorted(viewer.led_team_ids, key=lambda t: paths.get(t, ""))
    snapshot = insights.network(session, insights.scope_for(team_id))
    weakest = view.weakest.pathway if view else None
    return render(
        request,
        "insights.html",
        {
            "view": view,
            "rows": _rows(view) if view else [],
            "team_id": team_id,
            "title": "The organisation" if team_id is None else paths.get(team_id, ""),
            "teams": [(t, paths[t]) for t in (paths if viewer.is_admin else led) if t in paths],
            "weakest": weakest,
            "practices": PRACTICES.get(weakest or "", ()),
            "network": snapshot.network if snapshot else None,
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


def _csv(view: InsightsOut | None, name: str) -> Response:
    if view is None:
        raise insights.InsightNotFound("scope", "no results have been published yet")
    return Response(
        insights.export_csv(view),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/insights/org.csv")
def org_csv(session: DB, viewer: PageAdmin) -> Response:
    return _csv(read(session, viewer, None), "insights-organisation.csv")


@router.get("/insights/teams/{team_id}/export.csv")
def team_csv(session: DB, viewer: PageViewer, team_id: int) -> Response:
    return _csv(read(session, viewer, team_id), f"insights-team-{team_id}.csv")


@router.post("/insights/publish", dependencies=[CSRF])
def publish_now(session: DB, settings: AppSettings, viewer: PageAdmin) -> Response:
    """Admins publish every closed, counted round now (the worker does it every 15 minutes);
    nothing published is recomputed and no open round is shown."""
    done = publish.publish_now(
        session, floor=settings.anonymity_floor, now=utcnow(), actor=viewer.person
    )
    return RedirectResponse(f"/insights/org?published={len(done)}", status.HTTP_303_SEE_OTHER)


@router.get("/me/connections")
def my_connections(request: Request, session: DB, viewer: PageViewer) -> Response:
    """The viewer's own connections: nobody else sees this list."""
    found = network.my_connections(session, viewer.person, utcnow().date())
    return render(request, "my_connections.html", {"connections": found}, session=session)
