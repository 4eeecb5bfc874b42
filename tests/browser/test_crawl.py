"""Everything reachable, nothing too wide: a crawler follows every link from the home page.

As an admin, a lead, a member and a new hire (added today, with nothing yet), on a laptop
(1366 px) and a phone (390 px), the crawler signs in and follows every same-origin link it
finds, breadth-first from ``/``: no page answers 404 or 500, none is wider than the screen
(``document.documentElement.scrollWidth > window.innerWidth``), each role finds the pages it
may use (:data:`REACHABLE`), and axe-core finds nothing on the first page of each route
(``/people/{id}``, ``/goals/{id}``...) at each width, and on each role's home page. A
full-page screenshot of each of those goes to ``artifacts/screenshots/crawl/`` (or the folder
that ``CONNECTWELL_BROWSER_SCREENSHOTS`` names), for reviewers to look at.
"""

from __future__ import annotations

import os
import re
from collections import Counter, deque
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from connectwell.accounts import service as accounts
from connectwell.core.db import utcnow
from connectwell.demo.service import DemoSignIn
from connectwell.people.models import Person
from tests.browser.conftest import HTTP_STATUS_MESSAGE
from tests.browser.support import (
    REPO_ROOT,
    SCREENSHOTS_VARIABLE,
    Axe,
    LiveApp,
    sign_in,
    tab_to,
)

pytestmark = pytest.mark.browser

WIDTHS = {"laptop": (1366, 768), "phone": (390, 844)}
ROLES = ("admin", "lead", "member", "new hire")
SKIPPED = ("/logout", "/static/", "/api/")  # signs out; files; the JSON API and its docs
DOWNLOADS = (".csv", ".ics", ".json")  # fetched for their status, not opened as pages
MAX_PAGES = 70  # per role and width: enough for every route, bounded for CI's time
MAX_PER_ROUTE = 2  # concrete pages of one route (two profiles, two goals...)
NUMBER = re.compile(r"/[0-9]+(?=/|$)")
EVERYONE = {"/", "/people", "/teams", "/pairings", "/programs", "/shoutouts", "/pulses", "/inbox",
            "/me", "/me/data"}  # fmt: skip
ADMIN_PAGES = {"/admin", "/admin/roster", "/admin/programs", "/admin/programs/{id}",
               "/admin/pulses", "/admin/bank", "/admin/values", "/admin/audit", "/admin/tokens",
               "/admin/outbox", "/admin/people/{id}/erase"}  # fmt: skip
REACHABLE = {  # routes each role must find by following links from the home page
    "admin": EVERYONE | ADMIN_PAGES | {"/insights", "/teams/{id}/goals"},
    "lead": EVERYONE | {"/insights", "/teams/{id}/goals"},
    "member": EVERYONE | {"/teams/{id}/goals"},
    "new hire": EVERYONE | {"/teams/{id}/goals"},
}
# (route, width, role for the home page): axe-core and a screenshot once each per session. A
# route looks the same to each role but for what they may do, and the admin, crawling first,
# reaches nearly all; each home page is a role's own, so each is checked.
LOOKED_AT: set[tuple[str, int, str]] = set()
NEW_HIRE_EMAIL = "nia.newcomer@example.org"


def route_of(path: str) -> str:
    """The route a path belongs to: ``/people/17`` is ``/people/{id}``."""
    return NUMBER.sub("/{id}", path)


def _screenshot_name(route: str, width: int, role: str) -> str:
    """``390-people-id.png``, ``390-home-new-hire.png``: the route, and whose home it is."""
    words = re.findall(r"[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*", route) or ["home", *role.split()]
    return f"{width}-{'-'.join(words)}.png"


def _screenshot_folder() -> Path:
    base = os.environ.get(SCREENSHOTS_VARIABLE)
    return (Path(base) if base else REPO_ROOT / "artifacts" / "screenshots") / "crawl"


@pytest.fixture(scope="module")
def new_hire(live_app: LiveApp) -> DemoSignIn:
    """A member of the demo member's team who joined today: no pairing, shout-out or pulse."""
    member = live_app.sign_ins["member"]
    password = member.password
    with live_app.factory() as session:
        colleague = session.scalar(select(Person).where(Person.email == member.email))
        assert colleague is not None
        person = Person(
            email=NEW_HIRE_EMAIL,
            name="Nia Newcomer",
            title="Analyst",
            team_id=colleague.team_id,
            manager_id=colleague.manager_id,
            timezone="Europe/Lisbon",
            start_date=utcnow().date(),
        )
        session.add(person)
        session.flush()
        accounts.set_password(session, person, password)
        session.commit()
    return DemoSignIn("new hire", NEW_HIRE_EMAIL, password, "Nia Newcomer", member.team)


@pytest.fixture
def phone_or_laptop(
    request: pytest.FixtureRequest, browser: Browser, live_app: LiveApp
) -> Iterator[tuple[BrowserContext, list[str]]]:
    """A fresh browser at the width of ``request.param``, and the script errors it reports."""
    width, height = WIDTHS[request.param]
    context = browser.new_context(
        base_url=live_app.base_url, locale="en-US", viewport={"width": width, "height": height}
    )
    context.set_default_timeout(10_000)
    problems: list[str] = []
    context.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and not message.text.startswith(HTTP_STATUS_MESSAGE)
            else None
        ),
    )
    yield context, problems
    context.close()


def _links(page: Page, origin: str) -> list[str]:
    """Every same-origin link of the page, without its #fragment."""
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        url, _ = urldefrag(href)
        if url.startswith(origin + "/"):
            found.append(url[len(origin) :])
    return found


def _overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") or 0)


@pytest.mark.parametrize("phone_or_laptop", list(WIDTHS), indirect=True)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_reachable_from_home_is_found_fits_the_screen_and_passes_axe(
    role: str,
    phone_or_laptop: tuple[BrowserContext, list[str]],
    axe: Axe,
    live_app: LiveApp,
    new_hire: DemoSignIn,
) -> None:
    context, script_problems = phone_or_laptop
    page = context.new_page()
    page.on("pageerror", lambda error: script_problems.append(f"script error: {error}"))
    width = (page.viewport_size or {"width": 0})["width"]
    who = new_hire if role == "new hire" else live_app.sign_ins[role]
    sign_in(page, who.email, who.password)
    page.wait_for_url(live_app.base_url + "/")

    folder = _screenshot_folder()
    folder.mkdir(parents=True, exist_ok=True)
    queue: deque[tuple[str, str]] = deque([("/", "the sign-in")])
    seen = {"/"}
    per_route: Counter[str] = Counter()  # pages of each route visited
    queued: Counter[str] = Counter({"/": 1})  # ... and queued
    broken: list[str] = []
    too_wide: list[str] = []
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        path, found_on = queue.popleft()
        route = route_of(urlsplit(path).path)
        if urlsplit(path).path.endswith(DOWNLOADS):
            answer = context.request.get(path, max_redirects=0)
            if answer.status >= 400:
                broken.append(f"{path} answered {answer.status} (linked from {found_on})")
            continue
        response = page.goto(path)
        visited.append(path)
        status = response.status if response else 0
        if status >= 400 or status == 0:
            broken.append(f"{path} answered {status} (linked from {found_on})")
            continue
        if urlsplit(page.url).path == "/login":
            broken.append(f"{path} sent {role} to sign in (linked from {found_on})")
            continue
        wider = _overflow(page)
        if wider > 0:
            too_wide.append(f"{path} is {wider} px wider than the {width} px window")
        looked_at = (route, width, role if route == "/" else "")  # home: each role's own
        if looked_at not in LOOKED_AT:
            LOOKED_AT.add(looked_at)
            axe.check(page, f"crawl: {route} ({role}, {width} px)")
            page.screenshot(path=str(folder / _screenshot_name(route, width, role)), full_page=True)
        per_route[route] += 1
        for link in _links(page, live_app.base_url):
            if link in seen or link.startswith(SKIPPED):
                continue
            seen.add(link)
            link_route = route_of(urlsplit(link).path)
            if queued[link_route] < MAX_PER_ROUTE:
                queued[link_route] += 1
                queue.append((link, path))

    assert not broken, f"{role} at {width} px followed broken links:\n" + "\n".join(broken)
    assert not too_wide, f"{role} at {width} px: pages wider than the screen:\n" + "\n".join(
        too_wide
    )
    assert not script_problems, "the browser reported errors:\n" + "\n".join(script_problems)
    missing = REACHABLE[role] - set(per_route)
    assert not missing, f"{role} at {width} px found no link to {sorted(missing)}"


@pytest.mark.parametrize("phone_or_laptop", ["phone"], indirect=True)
def test_on_a_phone_the_menu_is_one_line_that_opens_and_is_followed_by_keyboard(
    phone_or_laptop: tuple[BrowserContext, list[str]], axe: Axe, live_app: LiveApp
) -> None:
    context, script_problems = phone_or_laptop
    page = context.new_page()
    member = live_app.sign_ins["member"]
    sign_in(page, member.email, member.password)
    page.wait_for_url(live_app.base_url + "/")

    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 80, f"the header is {header} on a phone"
    expect(page.get_by_role("link", name="Pulses")).to_be_hidden()
    tab_to(page, ".menu-narrow summary")
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(1)
    axe.check(page, "the menu open on a phone")
    tab_to(page, 'nav a[href="/pulses"]:visible')
    page.keyboard.press("Enter")

    page.wait_for_url(live_app.base_url + "/pulses")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pulses")
    assert not script_problems, "the browser reported errors:\n" + "\n".join(script_problems)
