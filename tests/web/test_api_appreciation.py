"""/api/v1/me/appreciation and /api/v1/teams/{id}/appreciation."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.shoutouts.stats import quarter_start
from tests.conftest import Cast
from tests.web.conftest import Tokens, bearer
from tests.web.shoutouts_setup import give


def test_a_member_reads_their_own_breadth(
    db: Session, cast: Cast, client: TestClient, tokens: Tokens, settings: Settings
) -> None:
    give(db, settings, cast.member, "Thanks Noah", person_ids=[cast.other_member.id])
    give(db, settings, cast.lead, "Thanks Mia", person_ids=[cast.member.id])

    response = client.get("/api/v1/me/appreciation", headers=bearer(tokens.member))

    assert response.status_code == 200
    assert response.json() == {
        "since": quarter_start(dt.date.today()).isoformat(),
        "appreciated_people": 1,
        "appreciated_teams": 1,
        "appreciated_by_people": 1,
        "appreciated_by_teams": 1,
    }


def test_admins_read_a_teams_counts_and_members_may_not(
    db: Session, cast: Cast, client: TestClient, tokens: Tokens, settings: Settings
) -> None:
    give(db, settings, cast.other_member, "Thanks Mia", person_ids=[cast.member.id])
    path = f"/api/v1/teams/{cast.platform.id}/appreciation"

    allowed = client.get(path, headers=bearer(tokens.admin))
    refused = client.get(path, headers=bearer(tokens.member))

    assert allowed.status_code == 200
    body = allowed.json()
    assert (body["team_id"], body["received"], body["received_from_other_teams"]) == (
        cast.platform.id, 1, 1,
    )  # fmt: skip
    assert (body["members"], body["not_appreciated_in_30_days"]) == (2, 1)
    assert not any(isinstance(v, list) for v in body.values())  # counts, never names
    assert (
        refused.status_code == 403
        and refused.json()["detail"] == "only the team's leads and admins"
    )
    missing = client.get("/api/v1/teams/99999/appreciation", headers=bearer(tokens.admin))
    assert missing.status_code == 404
