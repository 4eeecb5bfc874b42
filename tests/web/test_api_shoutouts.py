"""/api/v1/shoutouts: the feed, giving, one shout-out, reactions and hiding."""

from __future__ import annotations

import datetime as dt

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.core.db import utcnow
from tests.conftest import Cast, csrf_from
from tests.web.conftest import AsPerson, Tokens, bearer
from tests.web.shoutouts_setup import (
    HOSTILE,
    audit_entries,
    give,
    notes,
    reactions,
    stored,
    value,
)


def test_a_shout_out_to_nobody_is_a_problem_naming_the_recipients_in_the_validators_words(
    db: Session, client: TestClient, tokens: Tokens
) -> None:
    body = {"message": "Hi", "pathway": "play"}

    response = client.post("/api/v1/shoutouts", json=body, headers=bearer(tokens.member))

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["field"] == "recipients"
    assert problem["problems"] == [
        {"field": "recipients", "message": "name at least one person or team"}
    ]
    assert "Value error" not in response.text
    assert stored(db) == []


def test_a_token_gives_a_shout_out_and_the_recipient_is_notified(
    db: Session, cast: Cast, client: TestClient, tokens: Tokens
) -> None:
    craft = value(db, "Craft")
    body = {"message": HOSTILE, "pathway": "respect", "value_id": craft.id,
            "person_ids": [cast.other_member.id], "team_ids": [cast.support.id]}  # fmt: skip

    response = client.post("/api/v1/shoutouts", json=body, headers=bearer(tokens.member))

    assert response.status_code == 201
    out = response.json()
    assert out["message"] == HOSTILE  # plain text, exactly as written
    assert response.headers["content-type"] == "application/json"
    assert (out["sender"], out["pathway"], out["value"], out["visibility"]) == (
        "Mia Member", "respect", "Craft", "everyone",
    )  # fmt: skip
    assert {(r["person_id"], r["team_id"], r["name"]) for r in out["recipients"]} == {
        (cast.other_member.id, None, "Noah Member"),
        (None, cast.support.id, "Support"),
    }
    assert (out["thanks"], out["reactions"]) == (0, {})
    [shoutout] = stored(db)
    assert shoutout.id == out["id"] and shoutout.message == HOSTILE
    [note] = notes(db, cast.other_member)
    assert HOSTILE in note.body


def test_refusals_are_422_naming_the_field_and_store_nothing(
    db: Session, cast: Cast, client: TestClient, tokens: Tokens
) -> None:
    def post(**body: object) -> httpx.Response:
        body = {"message": "Hi", "pathway": "play", **body}
        return client.post("/api/v1/shoutouts", json=body, headers=bearer(tokens.member))

    to_self = post(person_ids=[cast.member.id])
    nobody = post()
    bad_pathway = post(pathway="stars", team_ids=[cast.support.id])
    no_value = post(value_id=999, team_ids=[cast.support.id])

    assert to_self.status_code == 422 and to_self.json()["field"] == "person_ids"
    assert nobody.status_code == 422
    assert nobody.json()["problems"][0]["message"] == "name at least one person or team"
    assert bad_pathway.status_code == 422
    assert bad_pathway.json()["problems"][0]["field"] == "pathway"
    assert no_value.status_code == 422 and no_value.json()["field"] == "value_id"
    assert stored(db) == []


def test_the_daily_quota_is_a_422_and_is_never_exceeded(
    db: Session, cast: Cast, client: TestClient, tokens: Tokens, settings: Settings
) -> None:
    settings.shoutout_daily_quota = 1

    def post(message: str, to: int) -> httpx.Response:
        body = {"message": message, "pathway": "play", "person_ids": [to]}
        return client.post("/api/v1/shoutouts", json=body, headers=bearer(tokens.member))

    first = post("One", cast.lead.id)
    second = post("Two", cast.admin.id)

    assert first.status_code == 201
    assert second.status_code == 422 and second.json()["field"] == "quota"
    assert [s.message for s in stored(db)] == ["One"]


def test_the_feed_pages_with_a_cursor_and_filters(
    db: Session, cast: Cast, client: TestClient, tokens: Tokens, settings: Settings
) -> None:
    start = utcnow() - dt.timedelta(hours=2)
    ids = [
        give(db, settings, sender, f"Thanks {n}", person_ids=[cast.other_member.id],
             at=start + dt.timedelta(minutes=11 * n)).id
        for n, sender in enumerate([cast.lead, cast.admin, cast.member])
    ]  # fmt: skip
    play = give(db, settings, cast.lead, "Fun", team_ids=[cast.platform.id], pathway="play")
    headers = bearer(tokens.member)

    first = client.get("/api/v1/shoutouts?limit=2", headers=headers).json()
    assert [s["id"] for s in first["items"]] == [play.id, ids[2]]
    second = client.get(f"/api/v1/shoutouts?limit=2&before={first['next_cursor']}",
                        headers=headers).json()  # fmt: skip
    assert [s["id"] for s in second["items"]] == [ids[1], ids[0]]
    assert second["next_cursor"] is None

    def only(query: str) -> list[int]:
        return [
            s["id"]
            for s in client.get(f"/api/v1/shoutouts?{query}", headers=headers).json()["items"]
        ]

    assert only("pathway=play") == [play.id]
    assert only(f"team_id={cast.platform.id}") == [play.id]
    assert only(f"person_id={cast.admin.id}") == [ids[1]]
    assert client.get("/api/v1/shoutouts?limit=101", headers=headers).status_code == 422


def test_a_private_shout_out_is_404_to_others(
    db: Session, cast: Cast, client: TestClient, tokens: Tokens, settings: Settings
) -> None:
    shoutout = give(
        db, settings, cast.lead, "Quiet", person_ids=[cast.member.id], visibility="private"
    )

    mine = client.get(f"/api/v1/shoutouts/{shoutout.id}", headers=bearer(tokens.member))
    theirs = client.get(f"/api/v1/shoutouts/{shoutout.id}", headers=bearer(tokens.admin))

    assert mine.status_code == 200 and mine.json()["message"] == "Quiet"
    assert theirs.status_code == 404 and theirs.json() == {
        "type": "about:blank", "title": "Not Found", "status": 404,
        "detail": f"no shout-out {shoutout.id}", "field": "shoutout",
    }  # fmt: skip


def test_reactions_are_added_once_and_taken_back(
    db: Session, cast: Cast, client: TestClient, tokens: Tokens, settings: Settings
) -> None:
    shoutout = give(db, settings, cast.lead, "Nice", person_ids=[cast.member.id])
    url = f"/api/v1/shoutouts/{shoutout.id}/reactions"
    headers = bearer(tokens.member)

    client.post(url, json={"kind": "thanks"}, headers=headers)
    twice = client.post(url, json={"kind": "thanks"}, headers=headers)
    emoji = client.post(url, json={"kind": "🙌"}, headers=bearer(tokens.admin))

    assert twice.status_code == 200 and twice.json()["thanks"] == 1
    assert emoji.json()["reactions"] == {"🙌": 1}
    assert reactions(db, shoutout.id) == [(cast.admin.id, "🙌"), (cast.member.id, "thanks")]

    taken_back = client.delete(url, params={"kind": "thanks"}, headers=headers)
    assert taken_back.status_code == 200 and taken_back.json()["thanks"] == 0
    assert reactions(db, shoutout.id) == [(cast.admin.id, "🙌")]
    odd = client.post(url, json={"kind": "👎"}, headers=headers)
    assert odd.status_code == 422 and odd.json()["field"] == "kind"


def test_a_session_needs_the_csrf_header_to_react(
    db: Session, cast: Cast, as_person: AsPerson, settings: Settings
) -> None:
    shoutout = give(db, settings, cast.lead, "Nice", person_ids=[cast.member.id])
    client = as_person(cast.member)
    url = f"/api/v1/shoutouts/{shoutout.id}/reactions"

    refused = client.post(url, json={"kind": "thanks"})
    allowed = client.post(
        url, json={"kind": "thanks"}, headers={"X-CSRF-Token": csrf_from(client, "/shoutouts")}
    )

    assert refused.status_code == 403 and allowed.status_code == 200
    assert reactions(db, shoutout.id) == [(cast.member.id, "thanks")]


def test_an_admin_hides_a_shout_out_and_the_audit_log_keeps_why(
    db: Session, cast: Cast, client: TestClient, tokens: Tokens, settings: Settings
) -> None:
    shoutout = give(db, settings, cast.lead, "Oops", person_ids=[cast.member.id])
    url = f"/api/v1/shoutouts/{shoutout.id}/hide"

    member = client.post(url, json={"reason": "Do not like it"}, headers=bearer(tokens.member))
    short = client.post(url, json={"reason": "no"}, headers=bearer(tokens.admin))
    hidden = client.post(url, json={"reason": "Posted twice"}, headers=bearer(tokens.admin))

    assert member.status_code == 403
    assert short.status_code == 422 and short.json()["problems"][0]["field"] == "reason"
    assert hidden.status_code == 200 and hidden.json()["id"] == shoutout.id
    [entry] = audit_entries(db)
    assert (entry.actor_id, entry.reason) == (cast.admin.id, "Posted twice")
    feed = client.get("/api/v1/shoutouts", headers=bearer(tokens.member)).json()
    assert feed["items"] == []
    gone = client.get(f"/api/v1/shoutouts/{shoutout.id}", headers=bearer(tokens.member))
    assert gone.status_code == 404
    missing = client.post("/api/v1/shoutouts/999999/hide", json={"reason": "Gone"},
                          headers=bearer(tokens.admin))  # fmt: skip
    assert missing.status_code == 404


def test_the_openapi_document_lists_the_shout_out_routes(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]

    assert set(paths["/api/v1/shoutouts"]) == {"get", "post"}
    assert set(paths["/api/v1/shoutouts/{shoutout_id}/reactions"]) == {"post", "delete"}
    for path in ["/api/v1/shoutouts/{shoutout_id}", "/api/v1/shoutouts/{shoutout_id}/hide",
                 "/api/v1/me/appreciation", "/api/v1/teams/{team_id}/appreciation",
                 "/api/v1/values", "/api/v1/values/{value_id}/retire"]:  # fmt: skip
        assert path in paths
    feed = paths["/api/v1/shoutouts"]["get"]
    assert {p["name"] for p in feed["parameters"]} == {
        "team_id", "pathway", "value_id", "person_id", "before", "limit",
    }  # fmt: skip
