"""Sign-in under parallel requests, and the transaction committed before the response.

The slow-down races run 30 threads against the real app (each its own connection and
transaction, as a browser swarm would); the commit-before-response tests run the app under a
real uvicorn server on loopback, where the client gets the answer as soon as it is sent.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.accounts.models import Credential, LoginFailure, SignInSession
from connectwell.core.config import Settings
from connectwell.people.models import Person, Team
from connectwell.web.app import create_app
from connectwell.web.deps import DB
from tests.conftest import TEST_PASSWORD, Cast, sign_in
from tests.web.conftest import form_token

ATTEMPTS = 30
ROUNDS = 50


def _race(app: FastAPI, forms: list[dict[str, str]]) -> Counter[int]:
    """POST every form to /login at once, each from its own client; count the statuses."""
    with TestClient(app) as first:
        token = form_token(first)
        cookies = dict(first.cookies)
    statuses: Counter[int] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(len(forms))

    def attempt(form: dict[str, str]) -> None:
        client = TestClient(app, follow_redirects=False, cookies=cookies)
        try:
            start.wait()
            response = client.post("/login", data={"csrf_token": token, **form})
            with lock:
                statuses[response.status_code] += 1
        except BaseException as error:
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=attempt, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return statuses


def _failures(db: Session, key: str) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).where(LoginFailure.key == key)) or 0


def test_thirty_parallel_wrong_passwords_check_at_most_the_limit_and_then_the_right_one_waits(
    app: FastAPI, cast: Cast, db: Session, settings: Settings
) -> None:
    limit = settings.login_max_failures
    wrong = {"email": cast.member.email, "password": "not the password"}

    statuses = _race(app, [wrong] * ATTEMPTS)

    assert statuses[401] <= limit  # at most `limit` passwords were checked
    assert statuses[401] + statuses[429] == ATTEMPTS
    assert _failures(db, "email:" + cast.member.email) <= limit
    with TestClient(app, follow_redirects=False) as client:
        right = client.post(
            "/login",
            data={
                "csrf_token": form_token(client),
                "email": cast.member.email,
                "password": TEST_PASSWORD,
            },
        )
    assert right.status_code == 429
    assert int(right.headers["retry-after"]) > 0
    assert db.scalar(select(func.count()).select_from(SignInSession)) == 0


def test_thirty_parallel_sign_ins_from_one_address_check_at_most_its_limit(
    app: FastAPI, cast: Cast, db: Session, settings: Settings
) -> None:
    limit = settings.login_max_failures * 4  # an address carries many people: four times more
    forms = [
        {"email": f"nobody{k}@example.org", "password": "not the password"} for k in range(ATTEMPTS)
    ]

    statuses = _race(app, forms)

    assert statuses[401] <= limit
    assert statuses[401] + statuses[429] == ATTEMPTS
    assert _failures(db, "address:testclient") <= limit
    with TestClient(app, follow_redirects=False) as client:
        right = client.post(
            "/login",
            data={
                "csrf_token": form_token(client),
                "email": cast.lead.email,
                "password": TEST_PASSWORD,
            },
        )
    assert right.status_code == 429


# --- commit before the response ------------------------------------------------------------


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:
        pass


@pytest.fixture
def live(app: FastAPI) -> Iterator[str]:
    """The app under uvicorn on 127.0.0.1 and a free port: the client reads what is sent."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    server = _Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_a_request_right_after_signing_in_is_always_signed_in(live: str, cast: Cast) -> None:
    unauthorised = 0
    for _ in range(ROUNDS):
        with httpx.Client(base_url=live, follow_redirects=False) as browser:
            token = _CSRF.search(browser.get("/login").text)
            assert token
            signed_in = browser.post(
                "/login",
                data={
                    "csrf_token": token.group(1),
                    "email": cast.member.email,
                    "password": TEST_PASSWORD,
                },
            )
            assert signed_in.status_code == 303
            if browser.get("/api/v1/me").status_code == 401:
                unauthorised += 1
    assert unauthorised == 0


def test_a_read_right_after_a_change_sees_the_change(
    live: str, cast: Cast, factory: sessionmaker[Session], settings: Settings
) -> None:

    with TestClient(FastAPI()) as helper:
        sign_in(helper, factory, settings, cast.member)
        cookies = dict(helper.cookies)
    stale: list[int] = []
    with httpx.Client(base_url=live, cookies=cookies) as browser:
        token = _CSRF.search(browser.get("/me").text)
        assert token
        for k in range(ROUNDS):
            changed = browser.patch(
                "/api/v1/me", json={"bio": f"Version {k}"}, headers={"X-CSRF-Token": token.group(1)}
            )
            assert changed.status_code == 200
            if browser.get("/api/v1/me").json()["bio"] != f"Version {k}":
                stale.append(k)
    assert stale == []


def test_the_sign_in_session_is_committed_before_the_answer_starts(
    settings: Settings, factory: sessionmaker[Session], cast: Cast, db: Session
) -> None:
    """Deterministic: when the app starts its answer, another connection sees the session."""

    inner = create_app(settings, session_factory=factory)
    seen: list[int] = []

    async def watching(scope, receive, send):  # type: ignore[no-untyped-def]
        async def watch(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start" and scope["method"] == "POST":
                with factory() as other:
                    seen.append(other.scalar(select(func.count()).select_from(SignInSession)) or 0)
            await send(message)

        await inner(scope, receive, watch)

    with TestClient(watching, follow_redirects=False) as client:  # type: ignore[arg-type]
        response = client.post(
            "/login",
            data={
                "csrf_token": form_token(client),
                "email": cast.member.email,
                "password": TEST_PASSWORD,
            },
        )
    assert response.status_code == 303
    assert seen == [1]
    person = db.get(Person, cast.member.id)
    assert person is not None


def test_a_change_is_committed_before_its_answer_starts(
    settings: Settings, factory: sessionmaker[Session], cast: Cast
) -> None:
    """Deterministic: when the PATCH starts its answer, another connection reads the new bio."""

    inner = create_app(settings, session_factory=factory)
    seen: list[str | None] = []

    async def watching(scope, receive, send):  # type: ignore[no-untyped-def]
        async def watch(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start" and scope["method"] == "PATCH":
                with factory() as other:
                    person = other.get(Person, cast.member.id)
                    seen.append(person.bio if person else None)
            await send(message)

        await inner(scope, receive, watch)

    with TestClient(watching) as client:  # type: ignore[arg-type]
        sign_in(client, factory, settings, cast.member)
        token = _CSRF.search(client.get("/me").text)
        assert token
        response = client.patch(
            "/api/v1/me", json={"bio": "Committed first"}, headers={"X-CSRF-Token": token.group(1)}
        )
    assert response.status_code == 200
    assert seen == ["Committed first"]


def test_a_commit_that_fails_answers_with_an_error_and_keeps_nothing(
    settings: Settings, factory: sessionmaker[Session], cast: Cast, db: Session
) -> None:
    """A row the database refuses only at commit (a second password for one person) gives 409."""
    app = create_app(settings, session_factory=factory)

    @app.post("/api/v1/test-clash")
    def clash(session: DB) -> dict[str, str]:
        session.add(Team(name="Written before the clash"))
        session.add(Credential(person_id=cast.member.id, password_hash="x"))  # already has one
        return {"status": "ok"}

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/api/v1/test-clash")

    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "nothing was saved" in response.json()["detail"]
    assert response.headers["x-content-type-options"] == "nosniff"
    db.expire_all()
    assert db.scalar(select(func.count()).where(Team.name == "Written before the clash")) == 0
