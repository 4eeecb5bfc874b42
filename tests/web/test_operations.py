"""Health checks for a load balancer, request ids, and logs that say nothing about anyone."""

from __future__ import annotations

import io
import json
import threading
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from connectwell.accounts import service as accounts
from connectwell.core.config import Settings
from connectwell.core.db import make_engine, make_session_factory
from connectwell.core.db.health import head_revision
from connectwell.core.db.migrate import current_revision, upgrade
from connectwell.people.models import Person
from connectwell.web.app import create_app
from tests.conftest import TEST_PASSWORD, Cast, api_token_for, sign_in
from tests.web.conftest import form_token, post_form
from tests.web.pulses_setup import count_as_closed, open_round

FIELDS = {"time", "level", "logger", "message", "request_id"}


def test_healthz_answers_without_a_sign_in_or_the_database(settings: Settings) -> None:
    nowhere = make_session_factory(create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    with TestClient(create_app(settings, session_factory=nowhere)) as client:
        health = client.get("/healthz")
        ready = client.get("/readyz")

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "unavailable",
        "reason": "database unreachable (OperationalError)",
    }
    assert "nobody" not in ready.text and "127.0.0.1" not in ready.text


def test_readyz_is_ready_on_a_migrated_database(client: TestClient) -> None:
    ready = client.get("/readyz")

    assert (ready.status_code, ready.json()) == (200, {"status": "ok"})


def test_readyz_is_503_until_the_database_is_migrated(settings: Settings, tmp_path: Path) -> None:
    bare = make_engine(f"sqlite:///{tmp_path / 'never-migrated.db'}")
    app = create_app(settings, session_factory=make_session_factory(bare))
    with TestClient(app) as client:
        ready = client.get("/readyz")

    assert ready.status_code == 503
    assert ready.json()["reason"] == (
        "database schema is not at the newest migration: run connectwell migrate"
    )


def test_a_sane_request_id_is_echoed_and_any_other_is_replaced(client: TestClient) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.2"})
    odd = client.get("/healthz", headers={"X-Request-ID": "a b\x7f<script>"})
    none = client.get("/healthz")

    assert given.headers["X-Request-ID"] == "lb-7f3a.2"
    assert len(odd.headers["X-Request-ID"]) == 32 and "<" not in odd.headers["X-Request-ID"]
    assert len(none.headers["X-Request-ID"]) == 32
    assert none.headers["X-Request-ID"] != odd.headers["X-Request-ID"]


def test_each_request_logs_one_json_line_by_route_template_with_its_request_id(
    client: TestClient, captured_logs: io.StringIO, cast: Cast
) -> None:
    client.get(f"/people/{cast.member.id}", headers={"X-Request-ID": "req-42"})

    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines()]
    [line] = [x for x in lines if x["logger"] == "connectwell.web.requests"]
    assert line.keys() >= FIELDS
    assert line["request_id"] == "req-42"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/people/{person_id}", 303)
    assert line["message"] == "GET /people/{person_id} 303"


def test_answering_a_pulse_logs_nothing_of_the_person_or_their_answers(
    client: TestClient, db: Session, cast: Cast, settings: Settings, captured_logs: io.StringIO
) -> None:
    zelda = Person(id=987654, email="zelda.quokka@example.org", name="Zelda Quokka",
                   team_id=cast.platform.id, title="Cartographer")  # fmt: skip
    db.add(zelda)
    db.flush()
    accounts.set_password(db, zelda, TEST_PASSWORD)
    db.commit()
    row = open_round(db)
    comment = "Our standups drag on; xyzzy-plugh"
    answers = {f"item-{item_id}": "2" for item_id in row.item_ids}

    form = {"csrf_token": form_token(client), "email": zelda.email, "password": TEST_PASSWORD}
    signed_in = client.post("/login", data=form)
    page = client.get(f"/pulses/{row.id}")
    sent = post_form(client, f"/pulses/{row.id}", answers | {"comment": comment})
    client.get(f"/people/{zelda.id}")
    client.get("/api/v1/me")
    count_as_closed(db, settings, row)

    assert signed_in.status_code == 303 and page.status_code == 200 and sent.status_code == 303
    every = [json.loads(line) for line in captured_logs.getvalue().splitlines()]
    lines = [x for x in every if x["logger"] != "httpx"]  # the test's client, not the app
    text = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines)
    assert len([x for x in lines if x["logger"] == "connectwell.web.requests"]) >= 5
    assert all(line.keys() >= FIELDS for line in lines)
    for said in ("zelda", "quokka", "Cartographer", "987654", "xyzzy", "standups", "item-"):
        assert said.lower() not in text.lower(), said
    routes = {x.get("route") for x in lines if x["logger"] == "connectwell.web.requests"}
    assert "/pulses/{round_id}" in routes and "/people/{person_id}" in routes
    for line in lines:  # no field carries an answer, a comment or a form
        assert not {"answer", "answers", "comment", "form", "email", "name"} & line.keys()


def test_a_request_that_finds_no_free_database_connection_gets_503_with_retry_after(
    database_url: str, settings: Settings, cast: Cast, db: Session, factory: sessionmaker[Session]
) -> None:
    token = api_token_for(db, cast.member)
    db.commit()
    engine = make_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    app = create_app(settings, session_factory=make_session_factory(engine))
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            held = engine.connect()  # the pool's one connection is taken
            try:
                busy = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.secret}"})
                sign_in(client, factory, settings, cast.member)  # through the test's own pool
                page = client.get("/people")
            finally:
                held.close()
            after = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.secret}"})
    finally:
        engine.dispose()

    assert busy.status_code == 503 and busy.headers["retry-after"] == "5"
    assert busy.headers["content-type"].startswith("application/problem+json")
    assert "busy" in busy.json()["detail"]
    assert page.status_code == 503 and "busy" in page.text
    assert after.status_code == 200 and after.json()["email"] == cast.member.email


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_instances_starting_together_on_an_empty_database_migrate_it_once(
    database_url: str,
) -> None:
    server = make_url(database_url)
    name = f"connectwell_race_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def instance() -> None:
        engine = make_engine(url)
        try:
            start.wait()
            upgrade(engine)
        except BaseException as error:
            errors.append(error)
        finally:
            engine.dispose()

    try:
        threads = [threading.Thread(target=instance) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "the migrations deadlocked"
        assert errors == []
        engine = make_engine(url)
        assert current_revision(engine) == head_revision()
        engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
