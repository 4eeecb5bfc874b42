"""Team goals: each team's list with the form to set one, a goal's page with its progress."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response

from connectwell.goals import service as goals
from connectwell.goals.schemas import GoalIn, ProgressIn
from connectwell.people import service as people
from connectwell.web.deps import CSRF, DB, AppSettings, PageViewer
from connectwell.web.forms import PageForm, read_form
from connectwell.web.templating import render

router = APIRouter()


GOAL_LABELS = {"done_looks_like": "description of what done looks like", "due_on": "due date"}
PROGRESS_LABELS = {"amount": "amount"}


def _team_goals_page(
    request: Request,
    session: DB,
    viewer: PageViewer,
    team_id: int,
    *,
    status_code: int = 200,
    **extra: object,
) -> Response:
    team = people.get_team(session, team_id)
    found = goals.list_goals(session, team_id=team.id)
    return render(
        request,
        "goals.html",
        {
            "team": team,
            "path": people.team_paths(session)[team.id],
            "open_goals": [g for g in found if not g.is_reached],
            "reached_goals": [g for g in found if g.is_reached],
            "may_change": goals.may_change(session, viewer.person, team.id),
            "form": extra.pop("form", PageForm()),
            **extra,
        },
        session=session,
        status_code=status_code,
    )


@router.get("/goals")
def my_team_goals(viewer: PageViewer) -> Response:
    """The viewer's team's goals; without a team yet, the teams to choose from."""
    team_id = viewer.person.team_id
    target = f"/teams/{team_id}/goals" if team_id else "/teams"
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


@router.get("/teams/{team_id}/goals")
def team_goals(request: Request, session: DB, viewer: PageViewer, team_id: int) -> Response:
    return _team_goals_page(request, session, viewer, team_id)


@router.post("/teams/{team_id}/goals", dependencies=[CSRF])
async def create_goal(request: Request, session: DB, viewer: PageViewer, team_id: int) -> Response:
    form = await read_form(request, GoalIn, labels=GOAL_LABELS, team_id=team_id)
    if form.data is not None:
        goal = goals.create_goal(session, viewer.person, form.data)
        return RedirectResponse(f"/goals/{goal.id}?saved=created", status.HTTP_303_SEE_OTHER)
    return _team_goals_page(
        request, session, viewer, team_id, form=form, status_code=form.status_code
    )


def _goal_page(
    request: Request,
    session: DB,
    viewer: PageViewer,
    goal_id: int,
    *,
    status_code: int = 200,
    **extra: object,
) -> Response:
    goal = goals.get_goal(session, goal_id)
    return render(
        request,
        "goal.html",
        {
            "goal": goal,
            "path": people.team_paths(session)[goal.team_id],
            "contributors": goals.contributors(goal),
            "may_change": goals.may_change(session, viewer.person, goal.team_id),
            "number": goals.number,
            "form": extra.pop("form", PageForm()),
            **extra,
        },
        session=session,
        status_code=status_code,
    )


@router.get("/goals/{goal_id}")
def goal_page(request: Request, session: DB, viewer: PageViewer, goal_id: int) -> Response:
    return _goal_page(request, session, viewer, goal_id)


@router.post("/goals/{goal_id}/progress", dependencies=[CSRF])
async def record_progress(
    request: Request, session: DB, settings: AppSettings, viewer: PageViewer, goal_id: int
) -> Response:
    form = await read_form(request, ProgressIn, labels=PROGRESS_LABELS)
    if form.data is not None:
        try:
            goals.record_progress(session, goal_id, viewer.person, form.data, settings)
        except (goals.GoalNotFound, goals.GoalNotAllowed):
            raise
        except goals.GoalError as error:
            session.rollback()
            form.refuse(error)
        else:
            goal = goals.get_goal(session, goal_id)
            outcome = "reached" if goal.is_reached else "recorded"
            return RedirectResponse(f"/goals/{goal_id}?saved={outcome}", status.HTTP_303_SEE_OTHER)
    return _goal_page(request, session, viewer, goal_id, form=form, status_code=form.status_code)
