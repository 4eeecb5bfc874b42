"""/api/v1/teams: teams nested by parent_id, with their paths (web/api/teams.py)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.people.models import Person, Team, TeamLead
from tests.conftest import Cast
from tests.web.conftest import PUBLIC_FIELDS as PUBLIC
from tests.web.conftest import AsPerson, Tokens, bearer, form_token


def test_the_list_gives_every_team_with_its_path_parent_head_count_and_leads(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    db.add(Person(email="left@example.org", name="Left", team=cast.platform, is_active=False))
    db.commit()
    engineering, customer = cast.platform.parent, cast.support.parent
    assert engineering is not None and customer is not None

    response = client.get("/api/v1/teams", headers=bearer(tokens.member))

    assert response.status_code == 200
    assert response.json() == [
        {"id": customer.id, "name": "Customer", "path": "Customer", "parent_id": None,
         "members": 0, "lead_ids": []},
        {"id": cast.support.id, "name": "Support", "path": "Customer > Support",
         "parent_id": customer.id, "members": 1, "lead_ids": []},
        {"id": engineering.id, "name": "Engineering", "path": "Engineering", "parent_id": None,
         "members": 1, "lead_ids": []},
        {"id": cast.platform.id, "name": "Platform", "path": "Engineering > Platform",
         "parent_id": engineering.id, "members": 2, "lead_ids": [cast.lead.id]},
    ]  # fmt: skip


def test_a_team_three_levels_deep_has_its_full_path(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    squad = Team(name="Search squad", parent=cast.platform)
    db.add(squad)
    db.commit()

    response = client.get(f"/api/v1/teams/{squad.id}", headers=bearer(tokens.member))

    assert response.status_code == 200
    assert response.json()["path"] == "Engineering > Platform > Search squad"
    assert response.json()["parent_id"] == cast.platform.id


def test_one_team_with_its_head_count(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    db.add(TeamLead(team_id=cast.platform.id, person_id=cast.admin.id))
    db.commit()

    response = client.get(f"/api/v1/teams/{cast.platform.id}", headers=bearer(tokens.member))

    assert response.json() == {
        "id": cast.platform.id, "name": "Platform", "path": "Engineering > Platform",
        "parent_id": cast.platform.parent_id, "members": 2,
        "lead_ids": sorted([cast.lead.id, cast.admin.id]),
    }  # fmt: skip


def test_a_teams_members_are_its_active_people_by_name_with_public_fields(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    db.add(Person(email="aaron@example.org", name="Aaron Early", team=cast.platform))
    db.add(Person(email="left@example.org", name="Left", team=cast.platform, is_active=False))
    db.commit()

    response = client.get(f"/api/v1/teams/{cast.platform.id}/members", headers=bearer(tokens.admin))

    assert response.status_code == 200
    assert [m["name"] for m in response.json()] == ["Aaron Early", "Lee Lead", "Mia Member"]
    assert all(set(member) == PUBLIC for member in response.json())


def test_an_unknown_team_is_404_naming_the_team(
    client: TestClient, cast: Cast, tokens: Tokens
) -> None:
    for path in ("/api/v1/teams/999999", "/api/v1/teams/999999/members"):
        response = client.get(path, headers=bearer(tokens.member))
        assert response.status_code == 404
        assert response.json() == {
            "type": "about:blank", "title": "Not Found", "status": 404,
            "detail": "no team 999999", "field": "team",
        }  # fmt: skip


# --- setting a team's leads (admins) -------------------------------------------------------


def _leads(db: Session, team_id: int) -> set[int]:
    db.expire_all()
    return set(db.scalars(select(TeamLead.person_id).where(TeamLead.team_id == team_id)))


def test_an_admins_token_makes_exactly_these_people_the_leads(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    response = client.put(
        f"/api/v1/teams/{cast.platform.id}/leads",
        json={"person_ids": [cast.member.id, cast.other_member.id]},
        headers=bearer(tokens.admin),
    )

    assert response.status_code == 200
    assert response.json()["lead_ids"] == sorted([cast.member.id, cast.other_member.id])
    assert _leads(db, cast.platform.id) == {cast.member.id, cast.other_member.id}


def test_a_members_token_may_not_set_leads(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    response = client.put(
        f"/api/v1/teams/{cast.platform.id}/leads",
        json={"person_ids": [cast.member.id]},
        headers=bearer(tokens.member),
    )

    assert response.status_code == 403
    assert _leads(db, cast.platform.id) == {cast.lead.id}


@pytest.mark.parametrize("who", ["unknown", "departed"])
def test_an_unknown_or_departed_lead_is_refused_naming_the_field_and_nothing_changes(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens, who: str
) -> None:
    person_id = 999999
    if who == "departed":
        cast.other_member.is_active = False
        db.commit()
        person_id = cast.other_member.id

    response = client.put(
        f"/api/v1/teams/{cast.platform.id}/leads",
        json={"person_ids": [cast.member.id, person_id]},
        headers=bearer(tokens.admin),
    )

    assert response.status_code == 422
    assert response.json() == {
        "type": "about:blank", "title": "Unprocessable Content", "status": 422,
        "detail": f"no active person with id {person_id}", "field": "person_ids",
    }  # fmt: skip
    assert _leads(db, cast.platform.id) == {cast.lead.id}


def test_an_admins_session_needs_the_csrf_header_to_set_leads(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.admin)
    path = f"/api/v1/teams/{cast.platform.id}/leads"

    refused = client.put(path, json={"person_ids": []})
    assert refused.status_code == 403
    assert _leads(db, cast.platform.id) == {cast.lead.id}

    accepted = client.put(
        path, json={"person_ids": []}, headers={"X-CSRF-Token": form_token(client)}
    )
    assert accepted.status_code == 200 and accepted.json()["lead_ids"] == []
    assert _leads(db, cast.platform.id) == set()


def test_setting_leads_of_an_unknown_team_is_404(
    client: TestClient, cast: Cast, tokens: Tokens
) -> None:
    response = client.put(
        "/api/v1/teams/999999/leads", json={"person_ids": []}, headers=bearer(tokens.admin)
    )

    assert response.status_code == 404
