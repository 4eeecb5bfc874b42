"""/api/v1/values: everyone reads the values; admins add and retire them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.shoutouts.models import Value
from tests.conftest import Cast
from tests.web.conftest import Tokens, bearer
from tests.web.shoutouts_setup import value


def _names(db: Session) -> list[tuple[str, bool]]:
    db.expire_all()
    return [(v.name, v.is_active) for v in db.scalars(select(Value).order_by(Value.name))]


def test_an_admin_adds_a_value_and_a_member_cannot(
    db: Session, cast: Cast, client: TestClient, tokens: Tokens
) -> None:
    created = client.post("/api/v1/values", json={"name": "Candour", "description": "Say it"},
                          headers=bearer(tokens.admin))  # fmt: skip
    refused = client.post("/api/v1/values", json={"name": "Mine"}, headers=bearer(tokens.member))
    twice = client.post("/api/v1/values", json={"name": "CANDOUR"}, headers=bearer(tokens.admin))

    assert created.status_code == 201
    assert created.json() == {"id": created.json()["id"], "name": "Candour",
                              "description": "Say it", "is_active": True}  # fmt: skip
    assert refused.status_code == 403
    assert twice.status_code == 409 and twice.json()["field"] == "name"  # taken: a conflict
    assert _names(db) == [("Candour", True)]


def test_retired_values_are_listed_only_for_admins_who_ask(
    db: Session, cast: Cast, client: TestClient, tokens: Tokens
) -> None:
    value(db, "Candour")
    old = value(db, "Hustle")

    retired = client.post(f"/api/v1/values/{old.id}/retire", headers=bearer(tokens.admin))
    member = client.get("/api/v1/values?include_retired=true", headers=bearer(tokens.member))
    admin = client.get("/api/v1/values?include_retired=true", headers=bearer(tokens.admin))

    assert retired.status_code == 200 and retired.json()["is_active"] is False
    assert [v["name"] for v in member.json()] == ["Candour"]
    assert [(v["name"], v["is_active"]) for v in admin.json()] == [
        ("Candour", True),
        ("Hustle", False),
    ]
    assert _names(db) == [("Candour", True), ("Hustle", False)]
    missing = client.post("/api/v1/values/999/retire", headers=bearer(tokens.admin))
    assert missing.status_code == 404
