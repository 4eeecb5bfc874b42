"""Shared fixtures: a database on each backend, the app, and the fixed cast of test users.

Every test that takes ``db`` (or anything built on it) runs twice: on SQLite and on
PostgreSQL. PostgreSQL comes from ``CONNECTWELL_TEST_POSTGRES_URL``; without it the PostgreSQL
variants skip, except in CI (``CI=true``), where a missing server is a failure.
"""

from __future__ import annotations

import io
import logging
import os
import re
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import connectwell.models  # noqa: F401 - every table
from connectwell.accounts import service as accounts
from connectwell.accounts.models import ApiToken
from connectwell.core.config import Settings
from connectwell.core.db import Base, make_engine, make_session_factory, transaction
from connectwell.core.db.migrate import upgrade
from connectwell.core.logs import json_handler
from connectwell.people.models import Person, Role, Team, TeamLead
from connectwell.web.app import create_app
from connectwell.web.deps import SESSION_COOKIE

POSTGRES_URL_VARIABLE = "CONNECTWELL_TEST_POSTGRES_URL"
TEST_PASSWORD = "correct horse battery"
_PASSWORD_HASH = accounts.hash_password(TEST_PASSWORD)  # hashed once: argon2 is slow on purpose


def _postgres_url() -> str | None:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"CI must test PostgreSQL: set {POSTGRES_URL_VARIABLE}", pytrace=False)
    return None


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A freshly migrated database of each kind, for the whole test session."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "test.db"
        url = f"sqlite:///{path}"
        upgrade(make_engine(url))
        yield url
        return
    server_url = _postgres_url()
    if server_url is None:
        pytest.skip(f"PostgreSQL not configured ({POSTGRES_URL_VARIABLE})")
    server = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"connectwell_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        pytest.fail(f"PostgreSQL at {server.render_as_string()} is not usable: {error}")
    url = server.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _empty_all_tables(engine: Engine) -> None:
    """DELETE every row, children first: on tables this small about 3 ms, where PostgreSQL's
    TRUNCATE takes 100-350 ms a test."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """A session factory on an empty database; emptied again after the test."""
    _empty_all_tables(engine)
    yield make_session_factory(engine)
    _empty_all_tables(engine)


@pytest.fixture
def db(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for arranging and checking; the test commits what it arranges."""
    session = factory()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        instance_path=tmp_path,
        database_url=database_url,
        secret_key=secrets.token_urlsafe(40),
        base_url="http://testserver",
        login_max_failures=3,
    )


@dataclass
class Cast:
    """The people every permission test uses."""

    admin: Person
    lead: Person  # leads Engineering > Platform (and so nothing else)
    member: Person  # in Engineering > Platform, managed by the lead
    other_member: Person  # in Customer > Support: a different team
    platform: Team
    support: Team


@pytest.fixture
def cast(db: Session) -> Cast:
    engineering = Team(name="Engineering")
    platform = Team(name="Platform", parent=engineering)
    customer = Team(name="Customer")
    support = Team(name="Support", parent=customer)
    admin = Person(
        email="ada.admin@example.org",
        name="Ada Admin",
        role=Role.admin.value,
        team=engineering,
        timezone="Europe/London",
        title="People team",
    )
    lead = Person(
        email="lee.lead@example.org",
        name="Lee Lead",
        team=platform,
        timezone="Europe/Berlin",
        title="Head of Platform",
        manager=admin,
    )
    member = Person(
        email="mia.member@example.org",
        name="Mia Member",
        team=platform,
        timezone="Europe/Berlin",
        title="Engineer",
        manager=lead,
    )
    other = Person(
        email="noah.member@example.org",
        name="Noah Member",
        team=support,
        timezone="America/New_York",
        title="Support specialist",
    )
    db.add_all([engineering, platform, customer, support, admin, lead, member, other])
    db.flush()
    db.add(TeamLead(team_id=platform.id, person_id=lead.id))
    for person in (admin, lead, member, other):
        accounts.set_password(db, person, TEST_PASSWORD, password_hash=_PASSWORD_HASH)
    db.commit()
    return Cast(admin, lead, member, other, platform, support)


@pytest.fixture
def app(settings: Settings, factory: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    return create_app(settings, session_factory=factory)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as test_client:
        yield test_client


def api_token_for(db: Session, person: Person, name: str = "script") -> accounts.NewToken:
    """A live API token that acts as ``person``, written as its row (flushed, not committed).

    Tokens are personal: through the service an admin makes one only for themselves, and
    members make none. Tests of what a member's token may do start from the row such a
    token would be; the service's own rules are tested in tests/accounts.
    """
    secret = accounts.TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        prefix=secret[:10],
        token_hash=accounts.token_hash(secret),
        person_id=person.id,
        created_by_id=person.id,
    )
    db.add(token)
    db.flush()
    return accounts.NewToken(token=token, secret=secret)


def sign_in(
    client: TestClient, factory: sessionmaker[Session], settings: Settings, person: Person
) -> None:
    """Give ``client`` a sign-in cookie for ``person`` (the sign-in form has its own tests)."""
    with transaction(factory) as session:
        token = accounts.start_session(session, session.merge(person), settings)
    client.cookies.set(SESSION_COOKIE, token)


@pytest.fixture
def as_person(client: TestClient, factory: sessionmaker[Session], settings: Settings):  # type: ignore[no-untyped-def]
    """``as_person(cast.member)`` signs the test client in as that person."""

    def _sign_in(person: Person) -> TestClient:
        client.cookies.clear()
        sign_in(client, factory, settings, person)
        return client

    return _sign_in


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(client: TestClient, path: str = "/login") -> str:
    """The CSRF token a page of ``path`` carries for this client's cookies."""
    response = client.get(path)
    match = _CSRF.search(response.text)
    assert match, f"no CSRF token on {path} ({response.status_code})"
    return match.group(1)


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Every log line written during the test, as the JSON handler writes them in production."""
    stream = io.StringIO()
    handler = json_handler(stream)
    root, ours = logging.getLogger(), logging.getLogger("connectwell")
    levels = root.level, ours.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    ours.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(levels[0])
    ours.setLevel(levels[1])
