"""The strict Content-Security-Policy holds in a real Chromium: no page breaks it.

The page listens for ``securitypolicyviolation`` events from before the page's own scripts
run (an init script goes through DevTools, so the page keeps its real policy); the ``page``
fixture also fails on any console error, which is where Chromium reports what it blocked.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import LiveApp, sign_in

pytestmark = pytest.mark.browser

LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} ` +
    `at ${event.sourceFile}:${event.lineNumber} (${event.sample})`);
}, true);
"""
MEMBER_PAGES = ["/", "/shoutouts", "/people", "/teams", "/pairings", "/programs", "/pulses",
                "/inbox", "/insights", "/me", "/me/appreciation", "/me/connections",
                "/me/never-pair", "/me/digest", "/api/docs"]  # fmt: skip
ADMIN_PAGES = ["/admin/roster", "/admin/audit", "/admin/bank", "/admin/programs",
               "/admin/pulses", "/admin/values", "/admin/tokens", "/admin/outbox"]  # fmt: skip


def _violations(page: Page) -> list[str]:
    return list(page.evaluate("() => window.__cspViolations || []"))


def test_the_main_pages_break_no_rule_of_the_content_security_policy(
    page: Page, live_app: LiveApp
) -> None:
    page.add_init_script(LISTEN)
    admin = live_app.sign_ins["admin"]
    page.goto("/login")
    assert _violations(page) == []
    sign_in(page, admin.email, admin.password)
    expect(page).not_to_have_url("/login")
    found: dict[str, list[str]] = {}
    for path in MEMBER_PAGES + ADMIN_PAGES:
        response = page.goto(path)
        assert response is not None and response.status < 500, path
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        page.wait_for_load_state("networkidle")
        if violations := _violations(page):
            found[path] = violations
    assert found == {}


def test_htmx_swaps_a_fragment_without_breaking_the_policy(page: Page, live_app: LiveApp) -> None:
    """htmx is configured not to inject its indicator style; a swap happens under the CSP."""
    page.add_init_script(LISTEN)
    member = live_app.sign_ins["member"]
    sign_in(page, member.email, member.password)
    page.goto("/shoutouts")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => htmx.config.includeIndicatorStyles") is False
    assert page.locator("style").count() == 0  # nothing injected a <style> element
    assert _violations(page) == []
