"""/api/v1/me: the caller's profile, pause, inbox and stored data (web/api/me.py).

Also how the API authenticates: a session cookie (unsafe methods then need X-CSRF-Token) or
a personal API token (``Authorization: Bearer``), which acts exactly as its owner.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.accounts import service as accounts
from connectwell.accounts.models import ApiToken, Credential, SignInSession
from connectwell.core.notify import Notification
from tests.conftest import Cast
from tests.web.conftest import (
    PRIVATE_FIELDS,
    PUBLIC_FIELDS,
    AsPerson,
    Tokens,
    bearer,
    form_token,
    fresh,
    send,
    today,
)

PRIVATE = PRIVATE_FIELDS - PUBLIC_FIELDS


def _csrf(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": form_token(client)}


# --- reading -------------------------------------------------------------------------------


def test_it_tells_a_signed_in_person_everything_about_themselves(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    cast.member.start_date = dt.date(2022, 9, 1)
    db.commit()

    response = as_person(cast.member).get("/api/v1/me")

    assert response.status_code == 200
    me = response.json()
    assert set(me) >= PRIVATE
    assert me["id"] == cast.member.id and me["email"] == cast.member.email
    assert (me["team"], me["team_id"]) == ("Engineering > Platform", cast.platform.id)
    assert (me["role"], me["is_lead"], me["active"]) == ("member", False, True)
    assert me["start_date"] == "2022-09-01" and me["manager_id"] == cast.lead.id


def test_a_lead_is_told_they_lead(as_person: AsPerson, cast: Cast) -> None:
    assert as_person(cast.lead).get("/api/v1/me").json()["is_lead"] is True


def test_an_api_token_acts_as_its_owner(client: TestClient, cast: Cast, tokens: Tokens) -> None:
    assert client.get("/api/v1/me", headers=bearer(tokens.member)).json()["id"] == cast.member.id
    assert client.get("/api/v1/me", headers=bearer(tokens.admin)).json()["id"] == cast.admin.id


def test_using_a_token_records_when_it_was_last_used(
    client: TestClient, db: Session, tokens: Tokens
) -> None:
    client.get("/api/v1/me", headers=bearer(tokens.member))

    db.expire_all()
    token = db.get(ApiToken, tokens.member_id)
    assert token is not None and token.last_used_at is not None


def test_without_a_session_or_token_the_api_answers_401_saying_how_to_authenticate(
    client: TestClient, cast: Cast
) -> None:
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "Bearer" in response.json()["detail"]


@pytest.mark.parametrize("case", ["revoked", "unknown", "owner_left"])
def test_a_revoked_unknown_or_orphaned_token_gets_401(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens, case: str
) -> None:
    secret = tokens.member
    if case == "revoked":
        accounts.revoke_api_token(db, tokens.member_id, actor=None)
    elif case == "unknown":
        secret = "cw_" + "x" * 43
    else:
        fresh(db, cast.member).is_active = False
    db.commit()

    response = client.get("/api/v1/me", headers=bearer(secret))

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank", "title": "Unauthorized", "status": 401,
        "detail": "invalid or revoked API token",
    }  # fmt: skip


def test_a_bad_token_is_refused_even_alongside_a_valid_session(
    as_person: AsPerson, cast: Cast
) -> None:
    response = as_person(cast.member).get("/api/v1/me", headers=bearer("cw_not-a-token"))

    assert response.status_code == 401


# --- changing the profile ------------------------------------------------------------------


def test_a_session_patch_without_the_csrf_header_is_refused_and_writes_nothing(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.member)

    missing = client.patch("/api/v1/me", json={"bio": "Changed"})
    wrong = client.patch("/api/v1/me", json={"bio": "Changed"}, headers={"X-CSRF-Token": "0" * 64})

    assert missing.status_code == wrong.status_code == 403
    assert missing.json()["detail"] == "missing or wrong X-CSRF-Token header"
    assert fresh(db, cast.member).bio == ""


def test_a_session_patch_with_the_csrf_header_changes_bio_and_interests(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.member)

    response = client.patch(
        "/api/v1/me",
        json={"bio": " Loves maps ", "interests": ["maps", "tea", "maps"]},
        headers=_csrf(client),
    )

    assert response.status_code == 200
    assert (response.json()["bio"], response.json()["interests"]) == ("Loves maps", ["maps", "tea"])
    me = fresh(db, cast.member)
    assert (me.bio, me.interest_list) == ("Loves maps", ["maps", "tea"])


def test_a_patch_leaves_out_fields_it_does_not_name(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    cast.member.interests = "chess"
    db.commit()
    client = as_person(cast.member)

    client.patch("/api/v1/me", json={"bio": "Only the bio"}, headers=_csrf(client))

    me = fresh(db, cast.member)
    assert (me.bio, me.interest_list) == ("Only the bio", ["chess"])


def test_a_token_needs_no_csrf_header(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    response = client.patch(
        "/api/v1/me", json={"bio": "From a script"}, headers=bearer(tokens.member)
    )

    assert response.status_code == 200
    assert fresh(db, cast.member).bio == "From a script"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"bio": "x" * 1001}, "bio"),
        ({"interests": [f"topic {n}" for n in range(16)]}, "interests"),
        ({"interests": ["semi;colon"]}, "interests"),
        ({"role": "admin"}, "role"),  # a member cannot make themselves admin
        ({"email": "someone.else@example.org"}, "email"),
        # null is not "unchanged" (leave the field out) and used to end in a 500
        ({"interests": None}, "interests"),
        ({"bio": None}, "bio"),
        ({"work_start": None, "work_end": None}, "work_start"),
        ({"work_start": 32400, "work_end": 61200}, "work_start"),  # seconds are not a time
        ({"work_start": "09:00+02:00", "work_end": "17:00"}, "work_start"),  # hours are local
    ],
)
def test_an_invalid_patch_names_the_field_and_writes_nothing(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens, body: dict[str, object], field: str
) -> None:
    response = client.patch("/api/v1/me", json=body, headers=bearer(tokens.member))

    assert response.status_code == 422
    assert field in {problem["field"].split(".")[0] for problem in response.json()["problems"]}
    me = fresh(db, cast.member)
    assert (me.bio, me.interests, me.role, me.email) == ("", "", "member", cast.member.email)
    assert (me.work_start, me.work_end) == (dt.time(9), dt.time(17))


# --- pausing -------------------------------------------------------------------------------


def test_a_pause_and_a_resume_through_the_api(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    until = today() + dt.timedelta(days=14)

    paused = client.put(
        "/api/v1/me/pause", json={"until": until.isoformat(), "reason": "leave"},
        headers=bearer(tokens.member),
    )  # fmt: skip

    assert paused.status_code == 200
    assert paused.json()["paused"] is True and paused.json()["paused_until"] == until.isoformat()
    assert (fresh(db, cast.member).paused_until, fresh(db, cast.member).pause_reason) == (
        until,
        "leave",
    )

    resumed = client.delete("/api/v1/me/pause", headers=bearer(tokens.member))

    assert resumed.status_code == 200
    assert resumed.json()["paused"] is False and resumed.json()["paused_until"] is None
    assert fresh(db, cast.member).paused_until is None


def test_a_pause_in_the_past_is_refused_naming_the_field(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    yesterday = today() - dt.timedelta(days=1)

    response = client.put(
        "/api/v1/me/pause", json={"until": yesterday.isoformat()}, headers=bearer(tokens.member)
    )

    assert response.status_code == 422
    assert response.json() == {
        "type": "about:blank", "title": "Unprocessable Content", "status": 422,
        "detail": "the pause must end today or later", "field": "until",
    }  # fmt: skip
    assert fresh(db, cast.member).paused_until is None


def test_a_pause_without_a_date_is_refused_naming_the_field(
    client: TestClient, cast: Cast, tokens: Tokens
) -> None:
    response = client.put("/api/v1/me/pause", json={"reason": "x"}, headers=bearer(tokens.member))

    assert response.status_code == 422
    assert [p["field"] for p in response.json()["problems"]] == ["until"]


def test_a_session_pause_without_the_csrf_header_is_refused(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.member)
    until = (today() + dt.timedelta(days=3)).isoformat()

    assert client.put("/api/v1/me/pause", json={"until": until}).status_code == 403
    assert client.delete("/api/v1/me/pause").status_code == 403
    assert fresh(db, cast.member).paused_until is None


# --- notifications -------------------------------------------------------------------------


def test_notifications_list_the_callers_own_newest_first(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    send(db, cast.member, "First", link="/teams")
    send(db, cast.member, "Second")
    send(db, cast.other_member, "For Noah")

    response = client.get("/api/v1/me/notifications", headers=bearer(tokens.member))

    assert response.status_code == 200
    items = response.json()
    assert [item["subject"] for item in items] == ["Second", "First"]
    assert items[1]["link"] == "/teams" and items[1]["read"] is False
    assert (
        client.get(
            "/api/v1/me/notifications", params={"limit": 1}, headers=bearer(tokens.member)
        ).json()[0]["subject"]
        == "Second"
    )


def test_marking_notifications_read_touches_only_the_callers_own(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    send(db, cast.member, "First")
    send(db, cast.member, "Second")
    theirs = send(db, cast.other_member, "For Noah")

    response = client.post("/api/v1/me/notifications/read", headers=bearer(tokens.member))

    assert response.status_code == 200
    assert response.json() == {"marked_read": 2}
    db.expire_all()
    states = {n.id: n.read_at is not None for n in db.scalars(select(Notification))}
    assert states.pop(theirs) is False
    assert all(states.values())
    again = client.post("/api/v1/me/notifications/read", headers=bearer(tokens.member))
    assert again.json() == {"marked_read": 0}


# --- stored data ---------------------------------------------------------------------------


def test_my_data_shows_what_is_stored_and_never_a_password_or_token_hash(
    as_person: AsPerson, db: Session, cast: Cast, tokens: Tokens
) -> None:
    cast.member.bio = "On record"
    db.commit()
    send(db, cast.member, "Hello Mia")
    client = as_person(cast.member)

    response = client.get("/api/v1/me/data")

    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"profile", "sign_in_sessions", "api_tokens", "notifications"}
    assert data["profile"]["email"] == cast.member.email
    assert data["profile"]["manager"] == cast.lead.email
    assert data["profile"]["bio"] == "On record"
    assert len(data["sign_in_sessions"]) == 1
    token = db.get(ApiToken, tokens.member_id)
    assert token is not None
    (listed,) = data["api_tokens"]
    assert listed.pop("created_at")
    assert listed == {"name": "member script", "prefix": token.prefix, "last_used_at": None,
                      "revoked": False}  # fmt: skip
    assert [n["subject"] for n in data["notifications"]] == ["Hello Mia"]
    credential = db.get(Credential, cast.member.id)
    assert credential is not None
    text = response.text
    forbidden = [
        credential.password_hash,
        token.token_hash,
        tokens.member,
        client.cookies["cw_session"],
        *db.scalars(select(SignInSession.token_hash)),
    ]
    for secret in forbidden:
        assert secret not in text
    assert "$argon2" not in text and "hash" not in json.dumps(sorted(data["profile"]))


def test_my_data_through_a_token_is_the_tokens_owners_data(
    client: TestClient, cast: Cast, tokens: Tokens
) -> None:
    data = client.get("/api/v1/me/data", headers=bearer(tokens.admin)).json()

    assert data["profile"]["email"] == cast.admin.email
    assert [t["name"] for t in data["api_tokens"]] == ["admin sync"]
