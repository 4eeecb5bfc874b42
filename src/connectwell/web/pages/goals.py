"""Team goals: each team's list with the form to set one, a goal's page with its progress."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from connectwell.goals import service as goals
from connectwell.goals.schemas import GoalIn, ProgressIn
from connectwell.people import service as people
from connectwell.web.deps import CSRF, DB, AppSettings, PageViewer
from connectwell.web.templating import render

router = APIRouter()


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    """Pydantic's errors as (field, message); a model-level message names its field itself."""
    problems = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        field = ".".join(str(part) for part in item["loc"])
        if not field and ": " in message:
            field, message = message.split(": ", 1)
        problems.append((field or "goal", message))
    return problems


def _form_values(form: Mapping[str, object], names: tuple[str, ...]) -> dict[str, object]:
    return {name: form[name] for name in names if form.get(name) not in (None, "")}


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
            "form": extra.pop("form", {}),
            **extra,
        },
        session=session,
        status_code=status_code,
    )


@router.get("/teams/{team_id}/goals")
def team_goals(request: Request, session: DB, viewer: PageViewer, team_id: int) -> Response:
    return _team_goals_page(request, session, viewer, team_id)


@router.post("/teams/{team_id}/goals", dependencies=[CSRF])
async def create_goal(request: Request, session: DB, viewer: PageViewer, team_id: int) -> Response:
    form = dict((await request.form()).items())
    values = _form_values(form, ("title", "done_looks_like", "target", "unit", "due_on"))
    try:
        data = GoalIn.model_validate({**values, "team_id": team_id})
        goal = goals.create_goal(session, viewer.person, data)
    except ValidationError as error:
        return _team_goals_page(
            request,
            session,
            viewer,
            team_id,
            problems=_problems(error),
            form=values,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return RedirectResponse(f"/goals/{goal.id}?saved=created", status.HTTP_303_SEE_OTHER)


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
            "form": extra.pop("form", {}),
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
    form = dict((await request.form()).items())
    values = _form_values(form, ("amount", "note"))
    values["done"] = form.get("done") in ("on", "true", "yes")
    try:
        data = ProgressIn.model_validate(values)
        goals.record_progress(session, goal_id, viewer.person, data, settings)
    except ValidationError as error:
        problems = _problems(error)
    except goals.GoalError as error:
        if isinstance(error, goals.GoalNotFound | goals.GoalNotAllowed):
            raise
        session.rollback()
        problems = [(error.field, error.message)]
    else:
        goal = goals.get_goal(session, goal_id)
        outcome = "reached" if goal.is_reached else "recorded"
        return RedirectResponse(f"/goals/{goal_id}?saved={outcome}", status.HTTP_303_SEE_OTHER)
    return _goal_page(
        request,
        session,
        viewer,
        goal_id,
        problems=problems,
        form=values,
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )
