"""/api/v1/insights: the same stored figures as the pages, with the same access rules."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.insights import service as insights
from connectwell.insights.schemas import InsightsOut
from tests.conftest import Cast
from tests.web.conftest import Tokens, bearer
from tests.web.test_insights_pages import _platform_answers


def test_the_api_gives_admins_the_organisation_and_refuses_members(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens, settings: Settings
) -> None:
    _platform_answers(db, cast, settings)

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


def test_it_describes_the_insights_response_in_the_openapi_schema(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()

    for path in ("/api/v1/insights/org", "/api/v1/insights/teams/{team_id}"):
        ok = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"] == {"$ref": "#/components/schemas/InsightsOut"}
    models = schema["components"]["schemas"]
    out = models["InsightsOut"]["properties"]
    assert {"name", "since", "until", "computed_at", "constructs", "check_ins",
            "weakest_pathway", "what_to_try"} == set(out)  # fmt: skip
    assert out["constructs"]["additionalProperties"] == {
        "$ref": "#/components/schemas/ConstructInsights"
    }
    construct = models["ConstructInsights"]["properties"]
    assert {"n", "mean", "ci_low", "ci_high", "favourable_pct", "alpha", "alpha_n", "trend",
            "tenure", "location"} == set(construct)  # fmt: skip
    assert construct["n"]["type"] == "integer" and construct["mean"]["description"]
    assert set(models["TrendPoint"]["properties"]) == {"period", "n", "mean"}
    practice = models["PracticeOut"]["properties"]
    assert set(practice) == {"title", "why", "link", "evidence"}
    assert "Grant & Gino (2010)" in practice["evidence"]["description"]
    assert set(models["CheckIns"]["properties"]) == {"n", "positive_regard", "mutuality",
                                                     "vitality"}  # fmt: skip


def test_it_answers_exactly_as_the_response_model_says(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens, settings: Settings
) -> None:
    _platform_answers(db, cast, settings)

    body = client.get("/api/v1/insights/org", headers=bearer(tokens.admin)).json()

    assert InsightsOut.model_validate(body).model_dump(mode="json") == body
    stored = insights.snapshot(db, "org")
    assert stored is not None and body["constructs"] == stored.model_dump(mode="json")["constructs"]
    assert body["computed_at"] == stored.computed_at.isoformat()
