"""A refused form on a phone (390 px): the summary links to the field, the message stands
beside it, what was typed stays, nothing scrolls sideways, and axe-core passes."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import Axe, LiveApp, sign_in

pytestmark = pytest.mark.browser


def test_it_shows_a_refused_profile_plainly_on_a_phone(
    page: Page, axe: Axe, live_app: LiveApp
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    member = live_app.sign_ins["member"]
    sign_in(page, member.email, member.password)
    page.goto("/me")

    page.get_by_label("A short bio").fill("Runs the book club.")
    page.locator("#work_end").fill("")
    page.get_by_role("button", name="Save").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("give the end of your working hours too")
    expect(page.locator("#work_end-error")).to_have_text("give the end of your working hours too")
    expect(page.locator("#work_end")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#bio")).to_have_value("Runs the book club.")
    summary.get_by_role("link").click()
    expect(page).to_have_url(live_app.base_url + "/me#work_end")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width}px wide"
    axe.check(page, "my profile refused, on a phone")
