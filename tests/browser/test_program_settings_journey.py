"""An admin on a phone (390 px): a refused programme keeps every choice, the change form and
the list of new hires without a buddy fit the screen, and axe-core passes on each."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.support import Axe, LiveApp, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _fits(page: Page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what} scrolls sideways on a phone: {width}px wide"


def test_a_refused_programme_keeps_every_choice_on_a_phone(
    page: Page, axe: Axe, live_app: LiveApp
) -> None:
    page.set_viewport_size(PHONE)
    admin = live_app.sign_ins["admin"]
    sign_in(page, admin.email, admin.password)
    page.goto("/admin/programs")

    page.get_by_label("Name", exact=True).fill("Lunch groups")
    page.get_by_label("Kind", exact=True).select_option("groups")
    page.locator("#group_size").fill("4")
    page.get_by_label("Audience", exact=True).select_option("teams")
    page.get_by_label("How often").select_option("monthly")
    page.get_by_label("Day the intros go out").select_option("3")
    page.get_by_label("Who meets whom").select_option("within")
    page.get_by_label("People in different places").check()
    page.get_by_role("button", name="Create programme").click()

    expect(page.get_by_role("alert")).to_contain_text("choose at least one team")
    expect(page.locator("#team_ids-error")).to_be_visible()
    expect(page.locator("#kind")).to_have_value("groups")
    expect(page.locator("#group_size")).to_have_value("4")
    expect(page.locator("#audience")).to_have_value("teams")
    expect(page.locator("#cadence")).to_have_value("monthly")
    expect(page.locator("#weekday")).to_have_value("3")
    expect(page.locator("#team_mix")).to_have_value("within")
    expect(page.locator("#mix_locations")).to_be_checked()
    expect(page.locator("#mix_levels")).not_to_be_checked()
    _fits(page, "the refused programme form")
    axe.check(page, "admin: a refused programme, on a phone")


def test_the_change_form_and_the_hires_without_a_buddy_fit_a_phone(
    page: Page, axe: Axe, live_app: LiveApp
) -> None:
    from connectwell.people.models import Person
    from connectwell.programs.models import BuddyShortage, Program, Round

    with live_app.factory() as session:
        coffee = session.scalar(select(Program).where(Program.name == "Coffee across teams"))
        buddies = session.scalar(select(Program).where(Program.kind == "buddies"))
        assert coffee is not None and buddies is not None
        hires = session.scalars(
            select(Person).where(Person.is_active).order_by(Person.start_date.desc()).limit(2)
        ).all()
        row = session.scalar(select(Round).where(Round.program_id == buddies.id))
        if row is None:
            row = Round(program_id=buddies.id, round_on=dt.date.today() - dt.timedelta(days=1))
            row.buddy_shortages = [BuddyShortage(person_id=hire.id) for hire in hires]
            session.add(row)
            session.commit()
        coffee_id, buddies_id, names = coffee.id, buddies.id, [h.name for h in hires]
    page.set_viewport_size(PHONE)
    admin = live_app.sign_ins["admin"]
    sign_in(page, admin.email, admin.password)

    page.goto(f"/admin/programs/{coffee_id}")
    page.get_by_role("link", name="Change the programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change Coffee across teams")
    _fits(page, "the change form")
    axe.check(page, "admin: change a programme, on a phone")
    page.locator("#group_size").fill("3")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.locator("#group_size-error")).to_have_text("coffee pairs have a group size of 2")
    _fits(page, "the refused change")
    axe.check(page, "admin: a refused change, on a phone")

    page.goto(f"/admin/programs/{buddies_id}")
    shortage = page.get_by_role("region", name="New hires without a buddy")
    expect(shortage).to_contain_text("Ask more people to volunteer as buddies")
    for name in names:
        expect(shortage).to_contain_text(name)
    _fits(page, "the buddies programme page")
    axe.check(page, "admin: new hires without a buddy, on a phone")
