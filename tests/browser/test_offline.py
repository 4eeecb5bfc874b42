"""Installable on a phone: in a real Chromium the service worker registers under the strict
Content-Security-Policy, and a page that cannot be loaded shows the offline page instead."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import Axe, LiveApp, sign_in
from tests.browser.test_content_security_policy import LISTEN

pytestmark = pytest.mark.browser

CACHED_PATHS = """
async () => {
  const paths = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) paths.push(new URL(request.url).pathname);
  }
  return paths;
}
"""


def test_the_worker_registers_and_a_failed_page_shows_the_offline_page(
    page: Page, axe: Axe, live_app: LiveApp
) -> None:
    page.add_init_script(LISTEN)
    member = live_app.sign_ins["member"]
    sign_in(page, member.email, member.password)
    expect(page).not_to_have_url("/login")
    page.goto("/")

    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    assert scope == live_app.base_url + "/"
    assert page.evaluate("() => window.__cspViolations") == []
    page.goto("/people")  # a page with people's data, seen while online

    page.context.set_offline(True)
    try:
        response = page.goto("/people")
        assert response is not None and response.ok
        expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
        assert member.email not in page.content()
        axe.check(page, "offline page")
        cached = page.evaluate(CACHED_PATHS)
    finally:
        page.context.set_offline(False)

    assert "/offline" in cached
    assert all(path == "/offline" or path.startswith("/static/") for path in cached), cached
    assert urlsplit(page.url).path == "/people"  # the address stays: "try again" reloads it
