"""What the web tests share: a client that does not follow redirects, forms, tokens.

The root conftest gives the database, the app, the cast and ``as_person``. Its ``client`` is
replaced here by one that leaves redirects alone, so every test sees the exact status and
``Location`` the browser would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.accounts import service as accounts
from connectwell.core.db import utcnow
from connectwell.core.notify import Notification, OutboxEmail
from connectwell.people.models import Person, Team
from tests.conftest import Cast, api_token_for, csrf_from

HEADER = "email,name,team,manager_email,title,timezone,location,start_date,role\n"
NEW_PEOPLE = HEADER + (  # two new people in a new team, one managed by the other
    "rita.new@example.org,Rita New,Engineering > Data,lee.lead@example.org,Analyst,"
    "Asia/Singapore,Singapore,2026-01-05,member\n"
    "sam.new@example.org,Sam New,Engineering > Data,rita.new@example.org,Engineer,"
    "Europe/Berlin,Berlin,,\n"
)
PUBLIC_FIELDS = {"id", "name", "email", "title", "team_id", "team", "manager_id", "timezone",
                 "location", "work_start", "work_end", "bio", "interests", "paused"}  # fmt: skip
PRIVATE_FIELDS = PUBLIC_FIELDS | {"role", "is_lead", "start_date", "paused_until", "pause_reason",
                                  "active"}  # fmt: skip

AsPerson = Callable[[Person], TestClient]  # the root ``as_person`` fixture: sign in as someone


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """The app's test client; redirects are answered, not followed."""
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def form_token(client: TestClient) -> str:
    """The CSRF token a form carries for this client's cookies (signed in or not)."""
    return csrf_from(client, "/password/forgot")


def post_form(
    client: TestClient, path: str, data: dict[str, str] | None = None, **kwargs: Any
) -> httpx.Response:
    """POST a form the way the browser does: with the page's CSRF token."""
    return client.post(path, data={"csrf_token": form_token(client), **(data or {})}, **kwargs)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@dataclass
class Tokens:
    """A live API token of the member and one of the admin (the secrets are shown once)."""

    member: str
    admin: str
    member_id: int
    admin_id: int


@pytest.fixture
def tokens(db: Session, cast: Cast) -> Tokens:
    member = api_token_for(db, cast.member, "member script")
    admin = accounts.create_api_token(
        db, owner=cast.admin, name="admin sync", created_by=cast.admin
    )
    db.commit()
    return Tokens(member.secret, admin.secret, member.token.id, admin.token.id)


def send(db: Session, person: Person, subject: str, body: str = "Hello.", link: str = "") -> int:
    """Put a message with these very words in ``person``'s inbox and outbox (the rows the
    message port writes; the port itself, with its templates, is tested in tests/core)."""
    db.add(Notification(person_id=person.id, kind="test", subject=subject, body=body, link=link))
    db.add(
        OutboxEmail(
            person_id=person.id,
            to_address=person.email,
            to_name=person.name,
            kind="test",
            link=link,
            subject=subject,
            text_body=body,
            html_body=None,
        )
    )
    db.commit()
    found = db.scalar(
        select(Notification.id)
        .where(Notification.person_id == person.id, Notification.subject == subject)
        .order_by(Notification.id.desc())
    )
    assert found is not None
    return found


def add_people(db: Session, team: Team, count: int, *, prefix: str = "colleague") -> list[Person]:
    people = [
        Person(email=f"{prefix}{n:03d}@example.org", name=f"{prefix.title()} {n:03d}", team=team)
        for n in range(count)
    ]
    db.add_all(people)
    db.commit()
    return people


def outbox(db: Session) -> list[OutboxEmail]:
    db.expire_all()
    return list(db.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def fresh(db: Session, person: Person) -> Person:
    """``person`` as the database has it now (after the app's own transaction)."""
    db.expire_all()
    found = db.get(Person, person.id)
    assert found is not None
    return found


def today() -> dt.date:
    return dt.date.today()


def now() -> dt.datetime:
    return utcnow()
