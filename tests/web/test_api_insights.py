"""/api/v1/insights: the same published figures as the pages, with the same access rules."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from connectwell.insights import service as insights
from connectwell.insights.schemas import InsightsOut
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
    assert body["constructs"] and all(
        c["figure"]["n"] >= 5 for c in body["constructs"].values() if c["figure"]
    )
    assert refused.status_code == 403


def test_before_the_first_publication_the_api_says_so(client: TestClient, tokens: Tokens) -> None:
    response = client.get("/api/v1/insights/org", headers=bearer(tokens.admin))
    assert response.status_code == 404 and "published" in response.json()["detail"]


def test_it_describes_the_insights_response_in_the_openapi_schema(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()

    for path in ("/api/v1/insights/org", "/api/v1/insights/teams/{team_id}"):
        ok = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"] == {"$ref": "#/components/schemas/InsightsOut"}
    models = schema["components"]["schemas"]
    out = models["InsightsOut"]["properties"]
    assert {"name", "scope", "constructs", "comments", "comments_round", "check_ins",
            "weakest", "what_to_try"} == set(out)  # fmt: skip
    construct = models["ConstructOut"]["properties"]
    assert {"name", "lower_is_better", "round", "figure", "trend", "change"} == set(construct)
    figure = models["ConstructFigure"]["properties"]
    assert {"n", "mean", "sd", "ci_low", "ci_high", "favourable_pct", "favourable_low",
            "favourable_high", "alpha", "alpha_low", "alpha_high", "alpha_n",
            "reliability", "tenure", "location", "teams"} == set(figure)  # fmt: skip
    comparison = models["TeamComparison"]["properties"]
    assert {"icc1", "icc2", "groups", "n", "method", "teams"} <= set(comparison)
    assert "Bliese 2000" in comparison["icc2"]["description"]
    assert set(models["TrendPoint"]["properties"]) == {
        "round",
        "n",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
    }
    assert {"direction", "words", "difference", "ci_low", "ci_high", "mdc"} == set(
        models["Change"]["properties"]
    )
    practice = models["PracticeOut"]["properties"]
    assert set(practice) == {"title", "why", "link", "evidence"}
    assert "Grant & Gino (2010)" in practice["evidence"]["description"]


def test_it_answers_exactly_as_the_read_model_says(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    _platform_answers(db, cast)

    body = client.get("/api/v1/insights/org", headers=bearer(tokens.admin)).json()

    assert InsightsOut.model_validate(body).model_dump(mode="json") == body
    view = insights.insights(db, "org", name="The organisation")
    assert view is not None and body == view.model_dump(mode="json")
