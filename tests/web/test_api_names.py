"""Names others read, through the API: normalised (NFKC), and refused naming the field when
they hold control, text-direction or invisible characters; nothing is written then."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.goals.models import Goal
from connectwell.programs.models import Program
from connectwell.pulses.models import Pulse
from connectwell.shoutouts.models import Value
from tests.conftest import Cast
from tests.web.conftest import Tokens, bearer

BAD = {
    "right-to-left override": "Candour\u202e",
    "zero-width space": "Ad\u200bmin",
    "line break": "Can\r\ndour",
    "NUL byte": "Can\x00dour",
}


def _field_of(response) -> str:  # type: ignore[no-untyped-def]
    body = response.json()
    return body.get("field") or body["problems"][0]["field"]


@pytest.mark.parametrize("bad", BAD.values(), ids=BAD.keys())
@pytest.mark.parametrize(
    ("path", "body", "model"),
    [
        ("/api/v1/values", {}, Value),
        ("/api/v1/programs", {"starts_on": "2026-12-07"}, Program),
        ("/api/v1/pulses", {"starts_on": "2026-12-07"}, Pulse),
    ],
)
def test_a_name_with_a_control_bidi_or_invisible_character_is_refused_naming_the_field(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens,
    path: str, body: dict[str, str], model: type, bad: str,
) -> None:  # fmt: skip
    before = db.scalar(select(func.count()).select_from(model))

    response = client.post(path, json={**body, "name": bad}, headers=bearer(tokens.admin))

    assert response.status_code == 422, response.text
    assert _field_of(response) == "name"
    assert "U+" in response.text
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(model)) == before


def test_a_value_name_is_stored_normalised(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    response = client.post(
        "/api/v1/values", json={"name": "\uff23andour\u00a0 first"}, headers=bearer(tokens.admin)
    )

    assert response.status_code == 201 and response.json()["name"] == "Candour first"
    assert db.scalar(select(Value.name)) == "Candour first"


def test_a_goal_title_with_a_zero_width_space_is_refused_naming_the_field(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    body = {"team_id": cast.platform.id, "title": "Ship\u200b it", "done_looks_like": "Shipped"}

    response = client.post("/api/v1/goals", json=body, headers=bearer(tokens.member))

    assert response.status_code == 422 and _field_of(response) == "title"
    assert db.scalar(select(func.count()).select_from(Goal)) == 0


def test_a_profile_interest_with_a_line_break_is_refused_naming_the_field(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    response = client.patch(
        "/api/v1/me", json={"interests": ["chess", "go\nlf"]}, headers=bearer(tokens.member)
    )

    assert response.status_code == 422 and _field_of(response).startswith("interests")
    db.expire_all()
    assert db.get(type(cast.member), cast.member.id).interests == ""  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("method", "path", "body", "field", "who"),
    [
        ("post", "/api/v1/shoutouts", {"message": "Thanks\x00", "pathway": "trust"}, "message",
         "member"),
        ("patch", "/api/v1/me", {"bio": "Hi\x00"}, "bio", "member"),
        ("post", "/api/v1/values", {"name": "Candour", "description": "Say\x00 it"},
         "description", "admin"),
        ("post", "/api/v1/programs", {"name": "Coffee", "description": "\x1b[31m",
                                      "starts_on": "2026-12-07"}, "description", "admin"),
        ("post", "/api/v1/goals", {"title": "Ship", "done_looks_like": "Done\x00"},
         "done_looks_like", "member"),
    ],
)  # fmt: skip
def test_free_text_with_a_nul_or_control_character_is_refused_naming_the_field(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens,
    method: str, path: str, body: dict[str, object], field: str, who: str,
) -> None:  # fmt: skip
    extra: dict[str, object] = {}
    if path == "/api/v1/shoutouts":
        extra = {"person_ids": [cast.other_member.id]}
    if path == "/api/v1/goals":
        extra = {"team_id": cast.platform.id}
    headers = bearer(getattr(tokens, who))

    response = getattr(client, method)(path, json={**body, **extra}, headers=headers)

    assert response.status_code == 422, response.text
    assert _field_of(response) == field and "U+00" in response.text


def test_free_text_keeps_line_breaks_and_right_to_left_marks(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    bio = "שלום\u200f\nline two\tand a tab"

    response = client.patch("/api/v1/me", json={"bio": bio}, headers=bearer(tokens.member))

    assert response.status_code == 200 and response.json()["bio"] == bio


def test_a_people_search_is_normalised_and_a_nul_byte_finds_no_one(
    client: TestClient, cast: Cast, tokens: Tokens
) -> None:
    wide = client.get("/api/v1/people", params={"q": "\uff2dia"}, headers=bearer(tokens.member))
    nul = client.get("/api/v1/people", params={"q": "Mia\x00"}, headers=bearer(tokens.member))

    assert wide.status_code == 200
    assert [p["name"] for p in wide.json()["items"]] == ["Mia Member"]
    assert nul.status_code == 200 and nul.json()["items"] == []
