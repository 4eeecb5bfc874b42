"""/teams/{id}/goals and /goals/{id}: set a team goal, record progress, celebrate."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.goals.models import Celebration, Contribution, Goal
from tests.conftest import Cast
from tests.web.conftest import post_form

GOAL = {"title": "20 help sessions across teams", "done_looks_like": "Twenty sessions given",
        "target": "20", "unit": "help sessions", "due_on": "2026-12-31"}  # fmt: skip


def _goals(db: Session) -> list[Goal]:
    db.expire_all()
    return list(db.scalars(select(Goal)))


def test_a_member_sets_a_goal_from_the_teams_goals_page(db: Session, cast: Cast, as_person) -> None:  # type: ignore[no-untyped-def]
    client = as_person(cast.member)
    page = client.get(f"/teams/{cast.platform.id}/goals")
    assert page.status_code == 200 and "Set a new goal" in page.text

    response = post_form(client, f"/teams/{cast.platform.id}/goals", GOAL)

    [goal] = _goals(db)
    assert response.status_code == 303 and response.headers["location"] == (
        f"/goals/{goal.id}?saved=created"
    )
    assert (goal.team_id, goal.target, goal.unit, str(goal.due_on)) == (
        cast.platform.id, 20, "help sessions", "2026-12-31",
    )  # fmt: skip
    listed = client.get(f"/teams/{cast.platform.id}/goals").text
    assert "20 help sessions across teams" in listed and "0 of 20 help sessions (0%)" in listed


def test_goals_leads_to_the_viewers_team_goals(cast: Cast, as_person) -> None:  # type: ignore[no-untyped-def]
    response = as_person(cast.member).get("/goals", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == f"/teams/{cast.platform.id}/goals"


def test_goals_leads_someone_without_a_team_to_the_teams(
    db: Session, cast: Cast, as_person
) -> None:  # type: ignore[no-untyped-def]
    cast.admin.team = None
    db.commit()

    response = as_person(cast.admin).get("/goals", follow_redirects=False)

    assert response.status_code == 303 and response.headers["location"] == "/teams"


def test_someone_of_another_team_sees_the_goals_but_cannot_set_one(
    db: Session, cast: Cast, as_person
) -> None:  # type: ignore[no-untyped-def]
    client = as_person(cast.other_member)

    page = client.get(f"/teams/{cast.platform.id}/goals")
    refused = post_form(client, f"/teams/{cast.platform.id}/goals", GOAL)

    assert page.status_code == 200 and "Set a new goal" not in page.text
    assert refused.status_code == 403
    assert _goals(db) == []


def test_a_bad_goal_names_the_field_and_keeps_what_was_typed(
    db: Session, cast: Cast, as_person
) -> None:  # type: ignore[no-untyped-def]
    response = post_form(
        as_person(cast.member), f"/teams/{cast.platform.id}/goals", {**GOAL, "target": ""}
    )

    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert '<p class="field-error" id="unit-error">a unit goes with a numeric target</p>' in (
        response.text
    )
    assert "unit: " not in response.text
    assert 'value="20 help sessions across teams"' in response.text
    assert _goals(db) == []


def test_recording_progress_to_the_target_celebrates_on_the_goal_and_team_pages(
    db: Session, cast: Cast, as_person
) -> None:  # type: ignore[no-untyped-def]
    client = as_person(cast.member)
    post_form(client, f"/teams/{cast.platform.id}/goals", {**GOAL, "target": "3"})
    [goal] = _goals(db)

    first = post_form(client, f"/goals/{goal.id}/progress", {"amount": "2", "note": "With Ops"})
    assert first.headers["location"] == f"/goals/{goal.id}?saved=recorded"
    lead = as_person(cast.lead)
    reached = post_form(lead, f"/goals/{goal.id}/progress", {"amount": "1"})

    assert reached.headers["location"] == f"/goals/{goal.id}?saved=reached"
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Contribution)) == 2
    assert db.scalar(select(Goal.status)) == "reached"
    assert db.scalar(select(func.count()).select_from(Celebration)) == 1
    page = lead.get(f"/goals/{goal.id}").text
    assert "Thank you, Mia Member and Lee Lead" in page and "Record progress" not in page
    assert "<caption>Who moved" in page and "With Ops" in page
    team_page = lead.get(f"/teams/{cast.platform.id}").text
    assert "Celebrations" in team_page and "Thank you, Mia Member and Lee Lead" in team_page


def test_progress_refused_names_the_field_and_writes_nothing(
    db: Session, cast: Cast, as_person
) -> None:  # type: ignore[no-untyped-def]
    client = as_person(cast.member)
    post_form(client, f"/teams/{cast.platform.id}/goals", {**GOAL, "target": "", "unit": ""})
    [goal] = _goals(db)

    nothing = post_form(client, f"/goals/{goal.id}/progress", {"note": ""})
    amount = post_form(client, f"/goals/{goal.id}/progress", {"amount": "3"})
    outsider = post_form(as_person(cast.other_member), f"/goals/{goal.id}/progress",
                         {"note": "me too"})  # fmt: skip

    assert nothing.status_code == 422 and "record an amount, a note" in nothing.text
    assert amount.status_code == 422 and "this goal has no number" in amount.text
    assert outsider.status_code == 403
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Contribution)) == 0


def test_a_goal_title_with_html_is_shown_as_text(db: Session, cast: Cast, as_person) -> None:  # type: ignore[no-untyped-def]
    client = as_person(cast.member)
    post_form(client, f"/teams/{cast.platform.id}/goals", {**GOAL, "title": "<b>Bold</b> goal"})
    [goal] = _goals(db)

    page = client.get(f"/goals/{goal.id}").text

    assert "&lt;b&gt;Bold&lt;/b&gt; goal" in page and "<b>Bold</b>" not in page


def test_an_unknown_goal_is_not_found(cast: Cast, as_person) -> None:  # type: ignore[no-untyped-def]
    assert as_person(cast.member).get("/goals/987654").status_code == 404
