"""/api/v1/insights: the same stored figures as the pages, with the same access rules."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Cast
from tests.web.conftest import Tokens, bearer
from tests.web.test_insights_pages import _platform_answers


def test_the_api_gives_admins_the_organisation_and_refuses_members(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    _platform_answers(db, cast)

    org = client.get("/api/v1/insights/org", headers=bearer(tokens.admin))
    refused = client.get(
        f"/api/v1/insights/teams/{cast.platform.id}", headers=bearer(tokens.member)
    )

    assert org.status_code == 200
    body = org.json()
    assert body["constructs"] and all(c["n"] >= 5 for c in body["constructs"].values())
    assert refused.status_code == 403


def test_before_the_first_computation_the_api_says_so(client: TestClient, tokens: Tokens) -> None:
    response = client.get("/api/v1/insights/org", headers=bearer(tokens.admin))
    assert response.status_code == 404 and "not been computed" in response.json()["detail"]
