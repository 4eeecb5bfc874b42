"""A lead sets a team goal, the team reaches it, and the celebration shows: axe-core on every
page state, including the digest's settings."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from connectwell.goals.models import Celebration, Goal
from connectwell.people.models import Person
from tests.browser.support import Axe, LiveApp, sign_in

pytestmark = pytest.mark.browser


def _visit(page: Page, axe: Axe, path: str, label: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    axe.check(page, label)


def test_a_lead_sets_a_goal_the_team_reaches_it_and_the_team_page_celebrates(
    page: Page, axe: Axe, live_app: LiveApp
) -> None:
    lead = live_app.sign_ins["lead"]
    with live_app.factory() as session:
        person = session.scalar(select(Person).where(Person.email == lead.email))
        assert person is not None and person.team_id is not None
        team_id = person.team_id
    sign_in(page, lead.email, lead.password)

    _visit(page, axe, f"/teams/{team_id}/goals", "lead: team goals")
    page.get_by_role("button", name="Set the goal").click()  # empty: the browser refuses
    page.get_by_label("Title").fill("Two pairing sessions with Support")
    page.get_by_label("What done looks like").fill("Two sessions, notes shared")
    page.get_by_label("Target").fill("2")
    page.get_by_label("Unit").fill("sessions")
    page.get_by_role("button", name="Set the goal").click()
    expect(page.get_by_role("status")).to_contain_text("The goal is set")
    axe.check(page, "lead: a goal just set")

    page.get_by_label("How much (sessions)").fill("3")
    page.get_by_label("A note").fill("<b>both</b> sessions done")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text("Goal reached")
    axe.check(page, "lead: a goal reached")
    expect(page.get_by_role("cell", name="<b>both</b> sessions done")).to_be_visible()
    with live_app.factory() as session:
        goal = session.scalar(select(Goal).where(Goal.title == "Two pairing sessions with Support"))
        assert goal is not None and goal.status == "reached"
        assert session.scalar(select(Celebration).where(Celebration.goal_id == goal.id))

    _visit(page, axe, f"/teams/{team_id}", "lead: team page with a celebration")
    expect(page.get_by_text("Two pairing sessions with Support").first).to_be_visible()
    _visit(page, axe, f"/teams/{team_id}/digest", "lead: the team's digest day and hour")
    page.get_by_label("Day").select_option("Thursday")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    axe.check(page, "lead: digest day saved")
    _visit(page, axe, "/me/digest", "lead: my weekly digest")
