"""A live connectwell for the browser tests: uvicorn in a thread, Chromium, and axe-core.

The browser tests run on SQLite only: one server for the whole session, on a fresh file
database seeded with the demo organisation. Debian's Chromium (``/usr/bin/chromium``) drives
the pages; axe-core comes from the npm package (``npm ci`` at the repository root). Either
missing skips these tests on a laptop and fails them in CI (``CI`` set).

    CONNECTWELL_BROWSER_SCREENSHOTS=/tmp/shots .venv/bin/pytest tests/browser  # keep screenshots
    CONNECTWELL_AXE_INCOMPLETE=1 .venv/bin/pytest tests/browser -s  # what axe could not decide
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from connectwell.core.config import Settings
from connectwell.core.db import make_engine, make_session_factory, transaction
from connectwell.core.db.migrate import upgrade
from connectwell.demo.service import seed_demo
from connectwell.web.app import create_app
from tests.browser.support import (
    AXE_SCRIPT,
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGES_CHECKED,
    REPO_ROOT,
    Axe,
    LiveApp,
)

# Chromium logs every 4xx/5xx answer; the tests that expect one check the status themselves.
HTTP_STATUS_MESSAGE = "Failed to load resource: the server responded with a status of"


def _missing(reason: str) -> None:
    """A missing tool fails the run in CI and skips the browser tests elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {reason}", pytrace=False)
    pytest.skip(reason)


class _ThreadedServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # Ctrl+C stays with pytest, in the main thread
        pass


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """connectwell on 127.0.0.1 and a free port, on a fresh SQLite file with the demo org."""
    instance = tmp_path_factory.mktemp("browser-instance")
    database_url = f"sqlite:///{instance / 'connectwell.db'}"
    engine = make_engine(database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        sign_ins = seed_demo(session)
    assert sign_ins, "the demo organisation was not seeded"

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))  # the port is ours from here: no race with other processes
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings = Settings(
        instance_path=instance,
        database_url=database_url,
        secret_key=secrets.token_urlsafe(40),
        base_url=base_url,
    )
    app = create_app(settings, session_factory=factory)
    server = _ThreadedServer(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="uvicorn", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the app server did not start", pytrace=False)
        time.sleep(0.02)
    try:
        yield LiveApp(base_url, factory, {sign_in.role: sign_in for sign_in in sign_ins})
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
        engine.dispose()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SCRIPT.is_file():
        _missing(f"{AXE_SCRIPT} is missing: run `npm ci` in {REPO_ROOT}")
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source: str) -> Axe:
    return Axe(axe_source)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium)")
    chromium = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser, live_app: LiveApp) -> Iterator[Page]:
    """A fresh browser (no cookies), US English, on the live app; fails on script errors."""
    context = browser.new_context(base_url=live_app.base_url, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []  # script errors and what the Content-Security-Policy blocked
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and not message.text.startswith(HTTP_STATUS_MESSAGE)
            else None
        ),
    )
    yield page
    context.close()
    if problems:
        pytest.fail("the browser reported errors:\n" + "\n".join(problems), pytrace=False)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if PAGES_CHECKED:
        terminalreporter.write_line(
            f"axe-core (WCAG 2.1 A/AA): {len(PAGES_CHECKED)} page states checked"
        )
