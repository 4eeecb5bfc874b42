"""The demo's team goals: a reached (celebrated) and an open goal per team."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.demo.generator import generate_org
from connectwell.demo.service import roster_csv, seed_goals
from connectwell.goals.models import Celebration, Goal
from connectwell.people import roster
from connectwell.people.models import Person

TODAY = dt.date(2026, 12, 4)


def test_each_demo_team_has_a_reached_and_an_open_goal_with_contributions(db: Session) -> None:
    roster.import_roster(
        db, roster.parse_roster(roster_csv(generate_org(60, seed=3, today=TODAY))), actor=None
    )
    teams = db.execute(
        select(Person.team_id).where(Person.is_active).group_by(Person.team_id)
        .having(func.count() >= 2)
    ).scalars().all()  # fmt: skip

    assert seed_goals(db, today=TODAY, seed=3) == 2 * len(teams)

    for team_id in teams:
        found = db.scalars(select(Goal).where(Goal.team_id == team_id)).all()
        assert sorted(g.status for g in found) == ["open", "reached"]
        assert all(g.contributions for g in found)
    assert db.scalar(select(func.count()).select_from(Celebration)) == len(teams)
    this_week = db.scalar(
        select(func.count()).where(
            Celebration.created_at >= dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
        )
    )
    assert this_week  # the digest has celebrations to show
