"""Team goals: set, move, reach, celebrate. Plain functions, the session first; never commit.

Only the team's members (people in the team or a team nested under it), its leads and admins
change a team's goals. A goal is reached when its progress meets the target, or when someone
of the team says it is done. Reaching it is a conditional update, so two people pushing it
over the line at once celebrate it once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from connectwell.core import errors
from connectwell.core.config import Settings
from connectwell.core.db import utcnow
from connectwell.core.notify import tell
from connectwell.goals.models import Celebration, Contribution, Goal, Status
from connectwell.goals.schemas import GoalIn, ProgressIn
from connectwell.people import service as people
from connectwell.people.models import Person, Team, TeamLead

REWARD_IDEAS = (
    "a team lunch or coffee, on the team budget",
    "a team event the team chooses (a game afternoon, a walk, a workshop)",
    "a shout-out round in your next team meeting: each person thanks someone who helped them",
    "a short note to the people in other teams who helped along the way",
)


class GoalError(errors.Invalid):
    """A goal that cannot be set or moved; ``field`` names the culprit."""


class GoalNotFound(errors.NotFound, GoalError):
    """No such goal or team."""


class GoalNotAllowed(errors.NotAllowed, GoalError):
    """The person is not of the team (nor its lead, nor an admin)."""


class GoalReached(errors.Conflict, GoalError):
    """The goal was reached already (perhaps a moment ago, by someone else)."""


# --- who may change a team's goals ---------------------------------------------------------


def may_change(session: Session, person: Person, team_id: int) -> bool:
    """Admins, the team's leads (also of a parent team) and its members (also of teams
    nested under it)."""
    if person.is_admin:
        return True
    if team_id in people.led_team_ids(session, person.id):
        return True
    return person.team_id is not None and person.team_id in people.descendant_team_ids(
        session, [team_id]
    )


def _require(session: Session, person: Person, team_id: int) -> None:
    if not may_change(session, person, team_id):
        raise GoalNotAllowed("team_id", "only the team's members, its leads and admins do that")


# --- setting and reading goals -------------------------------------------------------------


def create_goal(
    session: Session, creator: Person, data: GoalIn, *, now: dt.datetime | None = None
) -> Goal:
    team = session.get(Team, data.team_id)
    if team is None:
        raise GoalNotFound("team_id", f"no team {data.team_id}")
    _require(session, creator, team.id)
    goal = Goal(
        team_id=team.id,
        title=data.title,
        done_looks_like=data.done_looks_like,
        target=data.target,
        unit=data.unit,
        progress=0.0,
        due_on=data.due_on,
        status=Status.open.value,
        created_by_id=creator.id,
        created_at=now or utcnow(),
    )
    session.add(goal)
    session.flush()
    return goal


def get_goal(session: Session, goal_id: int) -> Goal:
    goal = session.get(Goal, goal_id)
    if goal is None:
        raise GoalNotFound("goal", f"no goal {goal_id}")
    return goal


def list_goals(
    session: Session, *, team_id: int | None = None, status: str | None = None, limit: int = 200
) -> list[Goal]:
    """Goals, open ones first, newest first; with their contributions (one query each)."""
    statement = (
        select(Goal)
        .options(
            selectinload(Goal.team),
            selectinload(Goal.celebration),
            selectinload(Goal.contributions).selectinload(Contribution.person),
        )
        .order_by(Goal.status, Goal.id.desc())
        .limit(limit)
    )
    if team_id is not None:
        statement = statement.where(Goal.team_id == team_id)
    if status is not None:
        if status not in {s.value for s in Status}:
            raise GoalError("status", "open or reached")
        statement = statement.where(Goal.status == status)
    return list(session.scalars(statement))


def contributors(goal: Goal) -> list[Person]:
    """Everyone who recorded progress on the goal, in the order they first did."""
    seen: dict[int, Person] = {}
    for contribution in goal.contributions:
        if contribution.person is not None:
            seen.setdefault(contribution.person.id, contribution.person)
    return list(seen.values())


def number(value: float) -> str:
    """20.0 as "20", 2.5 as "2.5"."""
    return f"{value:g}"


# --- moving a goal -------------------------------------------------------------------------


def record_progress(
    session: Session,
    goal_id: int,
    person: Person,
    data: ProgressIn,
    settings: Settings,
    *,
    now: dt.datetime | None = None,
) -> Contribution:
    """Record a contribution; when it reaches the goal, celebrate (see :func:`celebrate`).

    Raises
    ------
    GoalNotFound
        No such goal.
    GoalNotAllowed
        The person is not of the team.
    GoalReached
        The goal was reached already (field ``goal``): a conflict.
    GoalError
        An amount on a goal without a number (field ``amount``).
    """
    now = now or utcnow()
    goal = get_goal(session, goal_id)
    _require(session, person, goal.team_id)
    if goal.target is None and data.amount:
        raise GoalError("amount", "this goal has no number to count towards: add a note")
    # Atomic on both databases: progress only moves while the goal is open.
    moved = session.execute(
        update(Goal)
        .where(Goal.id == goal.id, Goal.status == Status.open.value)
        .values(progress=Goal.progress + data.amount)
        .execution_options(synchronize_session=False)
    )
    if not getattr(moved, "rowcount", 0):
        raise GoalReached("goal", "this goal was reached already: set the team a new one")
    contribution = Contribution(
        goal_id=goal.id, person_id=person.id, amount=data.amount, note=data.note, created_at=now
    )
    session.add(contribution)
    session.flush()
    session.expire(goal)
    reached = data.done or (goal.target is not None and goal.progress >= goal.target)
    if reached:
        celebrate(session, goal, settings, now=now)
    return contribution


def celebrate(
    session: Session, goal: Goal, settings: Settings, *, now: dt.datetime | None = None
) -> Celebration | None:
    """Mark the goal reached, post the celebration, thank every contributor together and give
    the team's leads ideas for a team-level reward. None when it was reached already."""
    now = now or utcnow()
    won = session.execute(
        update(Goal)
        .where(Goal.id == goal.id, Goal.status == Status.open.value)
        .values(status=Status.reached.value, reached_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(won, "rowcount", 0):
        return None
    session.expire(goal)
    helpers = contributors(goal)
    names = _and([p.name for p in helpers]) or "the team"
    unit = f" {goal.unit}" if goal.unit else ""
    amount = f" ({number(goal.progress)}{unit})" if goal.target is not None else ""
    post = (
        f"{goal.team.name} reached “{goal.title}”{amount}. Thank you, {names}: you did it together."
    )
    celebration = Celebration(goal_id=goal.id, team_id=goal.team_id, text=post, created_at=now)
    session.add(celebration)
    session.flush()
    link = f"/goals/{goal.id}"
    about: dict[str, Any] = {
        "team": goal.team.name,
        "goal": goal.title,
        "celebration": post,
        "helpers": [p.name for p in helpers],
    }
    if helpers:
        tell(
            session,
            [p for p in helpers if p.is_active],
            "goal-reached",
            settings=settings,
            link=link,
            done_looks_like=goal.done_looks_like,
            **about,
        )
    leads = team_leads(session, goal.team)
    if leads:
        tell(
            session,
            leads,
            "goal-reward-ideas",
            settings=settings,
            link=link,
            ideas=list(REWARD_IDEAS),
            **about,
        )
    return celebration


def team_leads(session: Session, team: Team) -> list[Person]:
    """The team's own leads or, without any, those of the nearest parent team that has some."""
    current: Team | None = team
    seen: set[int] = set()
    while current is not None and current.id not in seen:
        seen.add(current.id)
        found = list(
            session.scalars(
                select(Person)
                .join(TeamLead, TeamLead.person_id == Person.id)
                .where(TeamLead.team_id == current.id, Person.is_active)
                .order_by(Person.name)
            )
        )
        if found:
            return found
        current = current.parent
    return []


def _and(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# --- celebrations --------------------------------------------------------------------------


def celebrations(
    session: Session,
    *,
    team_ids: list[int] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 50,
) -> list[Celebration]:
    """Celebration posts, newest first, for some teams and/or a time window."""
    statement = (
        select(Celebration)
        .options(selectinload(Celebration.goal).selectinload(Goal.team))
        .order_by(Celebration.created_at.desc(), Celebration.id.desc())
        .limit(limit)
    )
    if team_ids is not None:
        statement = statement.where(Celebration.team_id.in_(team_ids))
    if since is not None:
        statement = statement.where(Celebration.created_at >= since)
    if until is not None:
        statement = statement.where(Celebration.created_at < until)
    return list(session.scalars(statement))
