"""/api/v1/roster: import and export for admins and their tokens (web/api/roster.py)."""

from __future__ import annotations

import csv
import io

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.people.models import Person
from tests.conftest import Cast
from tests.web.conftest import HEADER, NEW_PEOPLE, AsPerson, Tokens, bearer, form_token


def _post(
    client: TestClient, content: str, headers: dict[str, str], **params: str
) -> httpx.Response:
    return client.post(
        "/api/v1/roster",
        params=params,
        files={"file": ("people.csv", content.encode(), "text/csv")},
        headers=headers,
    )


def _emails(db: Session) -> dict[str, bool]:
    db.expire_all()
    return {email: active for email, active in db.execute(select(Person.email, Person.is_active))}


def test_an_admins_token_imports_a_roster_and_gets_a_summary(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    response = _post(client, NEW_PEOPLE, bearer(tokens.admin))

    assert response.status_code == 200
    assert response.json() == {
        "created": 2, "updated": 0, "unchanged": 0, "deactivated": 0, "teams_created": 1
    }  # fmt: skip
    assert {"rita.new@example.org", "sam.new@example.org"} <= set(_emails(db))


def test_a_members_token_is_refused_and_nothing_is_written(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    before = _emails(db)

    imported = _post(client, NEW_PEOPLE, bearer(tokens.member))
    exported = client.get("/api/v1/roster", headers=bearer(tokens.member))

    assert imported.status_code == exported.status_code == 403
    assert imported.json() == {
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
        "detail": "admins only",
    }
    assert _emails(db) == before


def test_bad_rows_are_refused_with_every_row_and_field_and_nothing_is_written(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    before = _emails(db)
    bad = (
        HEADER
        + "good@example.org,Good,Engineering,,,,,,\n"
        + "bad-email,Bad,Engineering,,,,,,\n"
        + "x@example.org,,Engineering,,,Not/AZone,,2024-13-01,\n"
    )

    response = _post(client, bad, bearer(tokens.admin))

    assert response.status_code == 422
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert body["detail"] == "people.csv: nothing imported" and body["field"] == "file"
    assert [(p["row"], p["field"]) for p in body["problems"]] == [
        (3, "email"), (4, "name"), (4, "start_date"), (4, "timezone")
    ]  # fmt: skip
    assert _emails(db) == before


def test_deactivate_missing_is_a_query_parameter(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    roster = "email,name\nmia.member@example.org,Mia Member\n"

    response = _post(client, roster, bearer(tokens.admin), deactivate_missing="true")

    assert response.json()["deactivated"] == 2  # lead and other member; never the caller
    assert _emails(db) == {
        "ada.admin@example.org": True, "mia.member@example.org": True,
        "lee.lead@example.org": False, "noah.member@example.org": False,
    }  # fmt: skip


def test_the_export_is_csv_and_can_include_people_who_left(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    cast.other_member.is_active = False
    db.commit()

    active = client.get("/api/v1/roster", headers=bearer(tokens.admin))
    everyone = client.get(
        "/api/v1/roster", params={"include_inactive": "true"}, headers=bearer(tokens.admin)
    )

    assert active.status_code == 200
    assert active.headers["content-type"].startswith("text/csv")
    emails = [row["email"] for row in csv.DictReader(io.StringIO(active.text))]
    assert emails == ["ada.admin@example.org", "lee.lead@example.org", "mia.member@example.org"]
    assert "noah.member@example.org" in everyone.text


def test_an_admins_session_needs_the_csrf_header_to_import(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.admin)
    before = _emails(db)

    refused = _post(client, NEW_PEOPLE, {})
    assert refused.status_code == 403
    assert _emails(db) == before

    accepted = _post(client, NEW_PEOPLE, {"X-CSRF-Token": form_token(client)})
    assert accepted.status_code == 200 and accepted.json()["created"] == 2


def test_without_authentication_the_roster_is_401(client: TestClient, cast: Cast) -> None:
    assert client.get("/api/v1/roster").status_code == 401
    assert _post(client, NEW_PEOPLE, {}).status_code == 401


def test_a_150_character_team_and_a_nul_byte_are_refused_by_row_and_field_not_a_500(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    before = _emails(db)
    bad = (
        HEADER
        + f"long@example.org,Lon Gteam,{'T' * 150},,,,,,\n"
        + "nul@example.org,Nu\x00ll,Engineering,,,,,,\n"
    )

    response = _post(client, bad, bearer(tokens.admin))

    assert response.status_code == 422
    assert [(p["row"], p["field"]) for p in response.json()["problems"]] == [
        (2, "team"), (3, "name")
    ]  # fmt: skip
    assert _emails(db) == before
