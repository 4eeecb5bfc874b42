"""/api/v1/goals: list, create, progress, one goal."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.core.notify import Notification
from connectwell.goals.models import Celebration, Goal
from tests.conftest import Cast
from tests.web.conftest import Tokens, bearer


def _new(team_id: int, **changes: object) -> dict[str, object]:
    return {"team_id": team_id, "title": "Five reviews for Support", "target": 5,
            "done_looks_like": "Five code reviews for another team", **changes}  # fmt: skip


def test_a_member_creates_a_goal_and_it_lists_with_a_team_filter(
    db: Session, cast: Cast, client, tokens: Tokens
) -> None:  # type: ignore[no-untyped-def]
    created = client.post("/api/v1/goals", json=_new(cast.platform.id),
                          headers=bearer(tokens.member))  # fmt: skip
    client.post("/api/v1/goals", json=_new(cast.support.id), headers=bearer(tokens.admin))

    assert created.status_code == 201
    body = created.json()
    assert body["team"] == "Engineering > Platform" and body["status"] == "open"
    assert body["progress"] == 0 and body["percent"] == 0 and body["contributions"] == []
    listed = client.get(f"/api/v1/goals?team_id={cast.platform.id}", headers=bearer(tokens.member))
    assert [g["id"] for g in listed.json()] == [body["id"]]
    everything = client.get("/api/v1/goals", headers=bearer(tokens.member)).json()
    assert len(everything) == 2
    assert db.scalar(select(func.count()).select_from(Goal)) == 2


def test_progress_through_the_api_reaches_and_celebrates(
    db: Session, cast: Cast, client, tokens: Tokens
) -> None:  # type: ignore[no-untyped-def]
    goal = client.post("/api/v1/goals", json=_new(cast.platform.id),
                       headers=bearer(tokens.member)).json()  # fmt: skip

    partway = client.post(f"/api/v1/goals/{goal['id']}/progress",
                          json={"amount": 3, "note": "Three so far"},
                          headers=bearer(tokens.member))  # fmt: skip
    done = client.post(f"/api/v1/goals/{goal['id']}/progress", json={"amount": 2},
                       headers=bearer(tokens.admin))  # fmt: skip

    assert partway.status_code == 200 and partway.json()["percent"] == 60
    body = done.json()
    assert body["status"] == "reached" and body["contributors"] == ["Mia Member", "Ada Admin"]
    assert "Thank you, Mia Member and Ada Admin" in body["celebration"]["text"]
    assert [c["amount"] for c in body["contributions"]] == [3, 2]
    assert client.get(f"/api/v1/goals/{goal['id']}", headers=bearer(tokens.member)).json() == body
    assert db.scalar(select(func.count()).select_from(Celebration)) == 1
    kinds = set(db.scalars(select(Notification.kind)))
    assert {"goal-reached", "goal-reward-ideas"} <= kinds
    reached = client.get("/api/v1/goals?status=reached", headers=bearer(tokens.member)).json()
    assert [g["id"] for g in reached] == [goal["id"]]


def test_another_teams_member_is_refused_and_bad_input_names_the_field(
    db: Session, cast: Cast, client, tokens: Tokens, as_person
) -> None:  # type: ignore[no-untyped-def]
    goal = client.post("/api/v1/goals", json=_new(cast.support.id),
                       headers=bearer(tokens.admin)).json()  # fmt: skip

    refused = client.post("/api/v1/goals", json=_new(cast.support.id),
                          headers=bearer(tokens.member))  # fmt: skip
    no_progress = client.post(f"/api/v1/goals/{goal['id']}/progress", json={"amount": 1},
                              headers=bearer(tokens.member))  # fmt: skip
    bad = client.post("/api/v1/goals", json=_new(cast.platform.id, target=-1),
                      headers=bearer(tokens.member))  # fmt: skip
    unit = client.post("/api/v1/goals", json=_new(cast.platform.id, target=None, unit="x"),
                       headers=bearer(tokens.member))  # fmt: skip
    unknown = client.get("/api/v1/goals/987654", headers=bearer(tokens.member))

    assert refused.status_code == 403 and refused.json()["field"] == "team_id"
    assert no_progress.status_code == 403
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "target"
    assert unit.status_code == 422 and unit.json()["field"] == "unit"
    assert unit.json()["problems"][0]["field"] == "unit"
    assert unit.json()["problems"][0]["message"].startswith("a unit goes with")
    assert unknown.status_code == 404 and unknown.json()["field"] == "goal"
    assert db.scalar(select(func.count()).select_from(Goal)) == 1
