"""Errors on the web: one status per kind, an error page for pages, an RFC 9457 problem for
the API (naming the field), and the same two shapes for HTTP and validation errors."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.core.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound
from connectwell.goals import service as goals
from connectwell.people import roster
from connectwell.shoutouts import service as shoutouts
from connectwell.shoutouts.models import Value
from connectwell.web import errors as web_errors
from tests.conftest import Cast
from tests.web.conftest import AsPerson, Tokens, bearer

PROBLEM_JSON = "application/problem+json"
KINDS: dict[str, tuple[type[DomainError], int, str]] = {
    "invalid": (Invalid, 422, "Unprocessable Content"),
    "not_found": (NotFound, 404, "Not Found"),
    "not_allowed": (NotAllowed, 403, "Forbidden"),
    "conflict": (Conflict, 409, "Conflict"),
}
# Domain classes that are a kind and also their domain's (Invalid) base: the kind wins.
DOMAIN_CLASSES: dict[str, tuple[type[DomainError], int]] = {
    "goal_not_found": (goals.GoalNotFound, 404),
    "goal_not_allowed": (goals.GoalNotAllowed, 403),
    "goal_reached": (goals.GoalReached, 409),
    "goal_error": (goals.GoalError, 422),
    "shoutout_conflict": (shoutouts.ShoutOutConflict, 409),
}


@pytest.fixture
def raising(app: FastAPI) -> FastAPI:
    """The app with a page and an API path that raise the error named in the path."""
    classes = {name: entry[0] for name, entry in {**KINDS, **DOMAIN_CLASSES}.items()}

    def raise_it(name: str) -> None:
        if name == "roster":
            raise roster.RosterError(
                "people.csv",
                [
                    roster.RosterProblem(3, "email", "not an e-mail address"),
                    roster.RosterProblem(4, "timezone", "unknown time zone"),
                ],
            )
        raise classes[name]("team_id", "no team <b>7</b>")

    app.add_api_route("/test-errors/{name}", raise_it)
    app.add_api_route("/api/test-errors/{name}", raise_it)
    return app


def test_it_keeps_one_status_per_kind() -> None:
    assert {Invalid: 422, NotFound: 404, NotAllowed: 403, Conflict: 409} == web_errors.STATUS


@pytest.mark.parametrize("name", KINDS)
def test_it_renders_each_kind_as_an_error_page_with_its_status(
    raising: FastAPI, client: TestClient, name: str
) -> None:
    _, code, _ = KINDS[name]

    response = client.get(f"/test-errors/{name}")

    assert response.status_code == code
    assert response.headers["content-type"].startswith("text/html")
    assert f"<title>Error {code}" in response.text
    assert "no team &lt;b&gt;7&lt;/b&gt;" in response.text  # escaped, never markup


@pytest.mark.parametrize("name", KINDS)
def test_it_serves_each_kind_to_the_api_as_a_problem_naming_the_field(
    raising: FastAPI, client: TestClient, name: str
) -> None:
    _, code, title = KINDS[name]

    response = client.get(f"/api/test-errors/{name}")

    assert response.status_code == code
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json() == {
        "type": "about:blank",
        "title": title,
        "status": code,
        "detail": "no team <b>7</b>",
        "field": "team_id",
    }


@pytest.mark.parametrize("name", DOMAIN_CLASSES)
def test_it_serves_a_domain_error_by_its_kind_not_by_its_domains_base(
    raising: FastAPI, client: TestClient, name: str
) -> None:
    _, code = DOMAIN_CLASSES[name]

    page = client.get(f"/test-errors/{name}")
    api = client.get(f"/api/test-errors/{name}")

    assert page.status_code == api.status_code == code
    assert api.json()["status"] == code and api.json()["field"] == "team_id"


def test_it_lists_the_rows_of_a_refused_roster_in_the_problem(
    raising: FastAPI, client: TestClient
) -> None:
    response = client.get("/api/test-errors/roster")

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["field"] == "people.csv" and body["detail"].startswith("2 problem(s)")
    assert body["problems"] == [
        {"row": 3, "field": "email", "message": "not an e-mail address"},
        {"row": 4, "field": "timezone", "message": "unknown time zone"},
    ]


def test_it_lists_every_invalid_field_of_an_api_request_by_field(
    client: TestClient, db: Session, tokens: Tokens
) -> None:
    response = client.post(
        "/api/v1/values", json={"name": "", "colour": "red"}, headers=bearer(tokens.admin)
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert (body["type"], body["title"], body["status"]) == (
        "about:blank",
        "Unprocessable Content",
        422,
    )
    assert body["detail"] == "invalid request" and body["field"] == "name"
    assert [p["field"] for p in body["problems"]] == ["name", "colour"]
    assert all(p["message"] for p in body["problems"])
    assert db.scalar(select(func.count()).select_from(Value)) == 0


def test_it_shows_an_invalid_page_request_as_an_error_page(as_person: AsPerson, cast: Cast) -> None:
    client = as_person(cast.member)

    response = client.get("/teams/not-a-number")

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    # plain words naming the field, never pydantic's "team_id: Input should be ..."
    assert "The team must be a whole number." in response.text
    assert "Input should be" not in response.text


def test_it_answers_a_taken_value_name_with_a_409_problem_and_stores_it_once(
    client: TestClient, db: Session, tokens: Tokens
) -> None:
    first = client.post("/api/v1/values", json={"name": "Candour"}, headers=bearer(tokens.admin))
    again = client.post("/api/v1/values", json={"name": "candour"}, headers=bearer(tokens.admin))

    assert first.status_code == 201
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM_JSON
    assert again.json() == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "the value 'candour' exists already",
        "field": "name",
    }
    db.expire_all()
    assert db.scalars(select(Value.name)).all() == ["Candour"]


def test_it_renders_a_domain_not_found_on_a_page_with_the_viewer_signed_in(
    as_person: AsPerson, cast: Cast
) -> None:
    client = as_person(cast.member)

    response = client.get("/teams/999999")

    assert response.status_code == 404
    assert "Not found" in response.text and "no team 999999" in response.text
    assert "My profile" in response.text  # the page still knows who is signed in


def test_it_renders_an_unknown_address_with_the_menu_for_a_signed_in_viewer(
    as_person: AsPerson, cast: Cast
) -> None:
    client = as_person(cast.member)

    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert "Not found" in response.text
    assert 'aria-label="Main"' in response.text and 'href="/pulses"' in response.text
    assert f'Sign out <span class="visually-hidden">{cast.member.name}' in response.text
    token = client.get("/me").text.split('name="csrf_token" value="')[1].split('"')[0]
    assert f'name="csrf_token" value="{token}"' in response.text  # signing out works from it


def test_it_renders_an_unknown_address_without_a_menu_for_nobody_signed_in(
    client: TestClient,
) -> None:
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert "Not found" in response.text and 'aria-label="Main"' not in response.text


def test_it_answers_the_api_without_a_sign_in_with_a_401_problem(client: TestClient) -> None:
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert (body["type"], body["title"], body["status"]) == ("about:blank", "Unauthorized", 401)
    assert "API token" in body["detail"] and "field" not in body


def test_it_answers_a_members_token_on_an_admin_path_with_a_403_problem(
    client: TestClient, db: Session, tokens: Tokens
) -> None:
    response = client.post("/api/v1/values", json={"name": "Mine"}, headers=bearer(tokens.member))

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json() == {
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
        "detail": "admins only",
    }
    assert db.scalar(select(func.count()).select_from(Value)) == 0


def test_it_still_sends_a_page_without_a_sign_in_to_the_sign_in_page(
    client: TestClient,
) -> None:
    response = client.get("/teams?x=1")

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/teams?x=1"
