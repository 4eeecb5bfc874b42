"""Every e-mail's HTML part on a 390 px phone: nothing wider than the screen, and axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from connectwell.core.config import Settings
from tests.browser.support import Axe
from tests.core.test_notify import SAMPLES, _render

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_it_fits_each_email_on_a_390_px_phone_without_sideways_scrolling(
    kind: str, browser: Browser, axe: Axe
) -> None:
    settings = Settings(
        database_url="sqlite://",
        secret_key="x" * 40,
        base_url="http://testserver",
        organisation_name="Acme Research and Development International",
    )
    html = _render("email", kind, settings).html
    assert html is not None
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.set_content(html)

        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{kind}: {width} px wide"
        axe.check(page, f"e-mail {kind}")
    finally:
        context.close()
