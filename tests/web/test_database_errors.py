"""Database errors as the web answers them (web/errors.py, web/deps.py): a busy or lost
database is a 503 with Retry-After; anything else is a 500 whose log holds no parameter."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy.exc
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.config import Settings
from connectwell.core.db import make_session_factory
from connectwell.web.app import create_app
from connectwell.web.deps import DB
from tests.conftest import Cast, api_token_for, sign_in
from tests.web.conftest import bearer

SECRET_EMAIL = "zelda.quokka@example.org"


def _errors(logs: io.StringIO) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in logs.getvalue().splitlines()]
    return [x for x in lines if x["level"] == "ERROR"]


@pytest.fixture
def quiet_client(app: FastAPI) -> Iterator[TestClient]:
    """A client that gets the 500 page instead of the server's exception."""
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
        yield client


def test_a_failed_statement_is_a_500_whose_log_holds_no_parameter(
    app: FastAPI, quiet_client: TestClient, captured_logs: io.StringIO
) -> None:
    def broken(session: DB) -> None:
        session.execute(
            text("SELECT id FROM people WHERE email = :email AND no_such_column = 1"),
            {"email": SECRET_EMAIL},
        )

    app.add_api_route("/broken", broken)

    response = quiet_client.get("/broken")

    assert response.status_code == 500 and "retry-after" not in response.headers
    [line] = _errors(captured_logs)
    assert line["route"] == "/broken" and line["status"] == 500
    assert "no_such_column" in line["exception"].lower().replace(" ", "_")  # the cause's words
    assert "parameters hidden" in line["exception"]
    assert "zelda" not in captured_logs.getvalue()


def test_a_missing_table_is_a_500_not_a_busy_503(
    quiet_client: TestClient,
    db: Session,
    cast: Cast,
    factory: sessionmaker[Session],
    settings: Settings,
    captured_logs: io.StringIO,
) -> None:
    sign_in(quiet_client, factory, settings, cast.member)
    db.execute(text("ALTER TABLE notifications RENAME TO gone"))
    db.commit()
    try:
        response = quiet_client.get("/shoutouts")
    finally:
        db.rollback()
        db.execute(text("ALTER TABLE gone RENAME TO notifications"))
        db.commit()

    assert response.status_code == 500 and "retry-after" not in response.headers
    [line] = _errors(captured_logs)
    assert line["route"] == "/shoutouts" and "notifications" in line["exception"]
    assert "database busy" not in captured_logs.getvalue()


def _failing_commits(engine: Any, cause: Exception) -> sessionmaker[Session]:
    """Sessions whose every commit fails with ``cause``, as the database driver raised it."""
    factory = make_session_factory(engine)

    def refuse(_session: Session) -> None:
        raise sqlalchemy.exc.OperationalError("COMMIT", {}, cause)

    event.listen(factory, "before_commit", refuse)
    return factory


def test_a_commit_refused_because_the_database_is_locked_gets_503_with_retry_after(
    db: Session, cast: Cast, settings: Settings, factory: sessionmaker[Session]
) -> None:
    token = api_token_for(db, cast.member)
    db.commit()
    locked = _failing_commits(factory.kw["bind"], sqlite3.OperationalError("database is locked"))
    with TestClient(create_app(settings, session_factory=locked)) as client:
        response = client.get("/api/v1/me", headers=bearer(token.secret))

    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert "Try again" in response.json()["detail"]


def test_a_commit_failing_for_any_other_reason_is_a_500(
    db: Session, cast: Cast, settings: Settings, factory: sessionmaker[Session]
) -> None:
    token = api_token_for(db, cast.member)
    db.commit()
    broken = _failing_commits(factory.kw["bind"], sqlite3.OperationalError("disk I/O error"))
    app = create_app(settings, session_factory=broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/me", headers=bearer(token.secret))

    assert response.status_code == 500 and "retry-after" not in response.headers
