"""What the browser tests share: the live app, axe-core, keyboard moves, sign-in, screenshots."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page
from sqlalchemy.orm import Session, sessionmaker

from connectwell.demo.service import DemoSignIn

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS_VARIABLE = "CONNECTWELL_BROWSER_SCREENSHOTS"  # a folder: save screenshots there
INCOMPLETE_VARIABLE = "CONNECTWELL_AXE_INCOMPLETE"  # set: print what axe-core could not decide

PAGES_CHECKED: list[str] = []  # every page axe-core checked this session, for the summary


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """axe-core's violations as lines a person can act on: rule, help, where, what failed."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}\n"
            f"  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").strip()
            if summary:
                lines.append("      " + summary.replace("\n", "\n      "))
    return "\n".join(lines)


@dataclass
class LiveApp:
    """The running app: where it listens, its database, and the demo sign-ins by role."""

    base_url: str
    factory: sessionmaker[Session]
    sign_ins: dict[str, DemoSignIn]


@dataclass
class Axe:
    """Runs axe-core (WCAG 2.0 and 2.1, levels A and AA) on a page; fails on any violation."""

    source: str

    def check(self, page: Page, label: str) -> None:
        # Not add_script_tag: the app's Content-Security-Policy (script-src 'self') rightly
        # refuses an inline script. An evaluate goes through DevTools, so the page keeps its
        # real CSP and the tests still see anything the CSP would block.
        if page.evaluate("() => typeof axe === 'undefined'"):
            page.evaluate(self.source)
        results = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            WCAG_TAGS,
        )
        PAGES_CHECKED.append(label)
        assert results["passes"], f"axe-core checked nothing on {label}"
        if os.environ.get(INCOMPLETE_VARIABLE):  # run with -s to see it
            print(f"\n[{label}] needs review:\n" + describe_violations(results["incomplete"]))
        violations = results["violations"]
        assert not violations, (
            f"axe-core found {len(violations)} violation(s) on {label} ({page.url}):\n"
            + describe_violations(violations)
        )


def is_focused(page: Page, selector: str) -> bool:
    return bool(page.locator(selector).evaluate("element => element === document.activeElement"))


def focused_description(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement?.outerHTML.slice(0, 120) ?? 'nothing'"))


def tab_to(page: Page, selector: str, *, presses: int = 40) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if is_focused(page, selector):
            return
    raise AssertionError(f"{presses} presses of Tab never reached {selector}")


def replace_text(page: Page, text: str) -> None:
    """Type ``text`` over whatever the focused field holds."""
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def type_date(page: Page, date: dt.date) -> None:
    """Type a date into the focused date field, segment by segment, as a person would.

    The page runs with the en-US locale (see the ``page`` fixture), whose date fields read
    month/day/year; Debian's Chromium shows that order whatever the locale, so pin it.
    """
    page.keyboard.type(date.strftime("%m%d%Y"))
    value = page.evaluate("() => document.activeElement.value")
    assert value == date.isoformat(), f"typing {date} into the date field gave {value!r}"


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the form, typing like a person."""
    page.goto("/login")
    page.locator("#email").press_sequentially(email)
    page.locator("#password").press_sequentially(password)
    page.get_by_role("button", name="Sign in").click()


def screenshot(page: Page, name: str) -> None:
    """Save a full-page screenshot when CONNECTWELL_BROWSER_SCREENSHOTS names a folder."""
    folder = os.environ.get(SCREENSHOTS_VARIABLE)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
