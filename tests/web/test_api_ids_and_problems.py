"""What the API fuzzing (tests/api) found: ids out of range, and how refusals are documented.

An id beyond the id columns' 32-bit range used to reach the database and end in a 500 (an
overflow in SQLite's driver, "integer out of range" on PostgreSQL); it is a 422 naming the
field. Every refusal is an ``application/problem+json`` body, and the OpenAPI document says so.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.core.ids import MAX_ID
from connectwell.people.models import TeamLead
from connectwell.shoutouts.models import ShoutOut
from tests.conftest import Cast
from tests.web.conftest import Tokens, bearer

TOO_BIG = MAX_ID + 1


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/api/v1/teams/{TOO_BIG}", "team_id"),
        (f"/api/v1/teams/{TOO_BIG}/members", "team_id"),
        (f"/api/v1/people/{10**20}", "person_id"),
        (f"/api/v1/goals/{TOO_BIG}", "goal_id"),
        (f"/api/v1/shoutouts/{TOO_BIG}", "shoutout_id"),
        (f"/api/v1/programs/{TOO_BIG}", "program_id"),
        (f"/api/v1/pulses/rounds/{TOO_BIG}", "round_id"),
        (f"/api/v1/insights/teams/{TOO_BIG}", "team_id"),
        (f"/api/v1/goals?team_id={TOO_BIG}", "team_id"),
        (f"/api/v1/shoutouts?person_id={TOO_BIG}", "person_id"),
        (f"/api/v1/shoutouts?before={TOO_BIG}", "before"),
        (f"/api/v1/people?after={TOO_BIG}", "after"),
        (f"/api/v1/audit?before_id={TOO_BIG}", "before_id"),
    ],
)
def test_an_id_beyond_the_id_range_is_refused_naming_it_not_a_server_error(
    client: TestClient, tokens: Tokens, path: str, field: str
) -> None:
    response = client.get(path, headers=bearer(tokens.admin))

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == field


def test_an_id_of_the_largest_size_is_simply_not_found(client: TestClient, tokens: Tokens) -> None:
    response = client.get(f"/api/v1/teams/{MAX_ID}", headers=bearer(tokens.member))

    assert response.status_code == 404


def test_a_shout_out_to_an_id_beyond_the_range_is_refused_naming_the_field_and_not_given(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    body = {
        "message": "Thanks for the help",
        "pathway": "trust",
        "person_ids": [cast.lead.id, TOO_BIG],
    }

    response = client.post("/api/v1/shoutouts", json=body, headers=bearer(tokens.member))

    assert response.status_code == 422
    assert response.json()["field"] == "person_ids.1"
    assert db.scalar(select(func.count()).select_from(ShoutOut)) == 0


def test_leads_beyond_the_id_range_are_refused_naming_the_field_and_nothing_changes(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    response = client.put(
        f"/api/v1/teams/{cast.platform.id}/leads",
        json={"person_ids": [10**25]},
        headers=bearer(tokens.admin),
    )

    assert response.status_code == 422
    assert response.json()["field"] == "person_ids.0"
    db.expire_all()
    assert list(db.scalars(select(TeamLead.person_id))) == [cast.lead.id]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/programs", {"name": "Coffee", "team_ids": [TOO_BIG]}, "team_ids.0"),
        (
            "/api/v1/goals",
            {"team_id": TOO_BIG, "title": "Ship", "done_looks_like": "Shipped"},
            "team_id",
        ),
    ],
)
def test_a_new_programme_or_goal_naming_a_team_beyond_the_range_is_refused_naming_it(
    client: TestClient, tokens: Tokens, path: str, body: dict[str, Any], field: str
) -> None:
    response = client.post(path, json=body, headers=bearer(tokens.admin))

    assert response.status_code == 422
    assert response.json()["field"] == field


def test_a_body_that_is_not_json_is_a_400_problem(client: TestClient, tokens: Tokens) -> None:
    response = client.patch(
        "/api/v1/me",
        content=b"\xff\xfe not json",
        headers={**bearer(tokens.member), "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


def test_the_openapi_document_declares_every_refusal_as_a_problem(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()

    assert set(document["components"]["schemas"]["Problem"]["required"]) == {
        "type", "title", "status", "detail"
    }  # fmt: skip
    for path, item in document["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in item.items():
            for code in ("400", "401", "403", "404", "409", "422"):
                content = operation["responses"][code]["content"]
                assert list(content) == ["application/problem+json"], (method, path, code)
                assert content["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"
                }


def test_working_hours_are_documented_and_given_as_local_times_without_an_offset(
    client: TestClient, tokens: Tokens
) -> None:
    document = client.get("/api/openapi.json").json()
    hours = document["components"]["schemas"]["PersonOut"]["properties"]["work_start"]

    me = client.get("/api/v1/me", headers=bearer(tokens.member)).json()

    assert "format" not in hours  # JSON Schema's "time" needs an offset; these have none
    assert re.fullmatch(hours["pattern"], me["work_start"])
    assert dt.time.fromisoformat(me["work_start"]) == dt.time(9)
