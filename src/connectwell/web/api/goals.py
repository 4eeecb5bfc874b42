"""/api/v1/goals: team goals, their progress and celebrations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from connectwell.core.ids import MAX_ID
from connectwell.goals import service as goals
from connectwell.goals.models import Goal, Status
from connectwell.goals.schemas import (
    CelebrationOut,
    ContributionOut,
    GoalDetailOut,
    GoalIn,
    GoalOut,
    ProgressIn,
)
from connectwell.people import service as people
from connectwell.web.deps import DB, ApiViewer, AppSettings, PathId

router = APIRouter()


def _out(goal: Goal, paths: dict[int, str]) -> GoalOut:
    celebration = goal.celebration
    return GoalOut(
        id=goal.id,
        team_id=goal.team_id,
        team=paths.get(goal.team_id, ""),
        title=goal.title,
        done_looks_like=goal.done_looks_like,
        target=goal.target,
        unit=goal.unit,
        progress=goal.progress,
        percent=goal.percent,
        due_on=goal.due_on,
        status=goal.status,
        created_at=goal.created_at,
        reached_at=goal.reached_at,
        contributors=[p.name for p in goals.contributors(goal)],
        celebration=(
            CelebrationOut(
                id=celebration.id,
                goal_id=celebration.goal_id,
                team_id=celebration.team_id,
                text=celebration.text,
                created_at=celebration.created_at,
            )
            if celebration is not None
            else None
        ),
    )


def _detail(session: DB, goal: Goal) -> GoalDetailOut:
    out = _out(goal, people.team_paths(session))
    return GoalDetailOut(
        **out.model_dump(),
        contributions=[
            ContributionOut(
                id=c.id,
                person_id=c.person_id,
                person=c.person.name if c.person else "",
                amount=c.amount,
                note=c.note,
                created_at=c.created_at,
            )
            for c in goal.contributions
        ],
    )


@router.get("", response_model=list[GoalOut])
def list_goals(
    session: DB,
    viewer: ApiViewer,
    team_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this team's goals")
    ] = None,
    goal_status: Annotated[Status | None, Query(alias="status")] = None,
) -> list[GoalOut]:
    """Goals, open ones first, newest first; every signed-in person may read them."""
    paths = people.team_paths(session)
    found = goals.list_goals(
        session, team_id=team_id, status=goal_status.value if goal_status else None
    )
    return [_out(goal, paths) for goal in found]


@router.post("", response_model=GoalDetailOut, status_code=status.HTTP_201_CREATED)
def create_goal(data: GoalIn, session: DB, viewer: ApiViewer) -> GoalDetailOut:
    """Set a goal for a team: its members, its leads and admins may."""
    return _detail(session, goals.create_goal(session, viewer.person, data))


@router.get("/{goal_id}", response_model=GoalDetailOut)
def get_goal(session: DB, viewer: ApiViewer, goal_id: PathId) -> GoalDetailOut:
    return _detail(session, goals.get_goal(session, goal_id))


@router.post("/{goal_id}/progress", response_model=GoalDetailOut)
def record_progress(
    data: ProgressIn, session: DB, settings: AppSettings, viewer: ApiViewer, goal_id: PathId
) -> GoalDetailOut:
    """Record a contribution; reaching the target (or ``done``) celebrates the goal."""
    goals.record_progress(session, goal_id, viewer.person, data, settings)
    return _detail(session, goals.get_goal(session, goal_id))
