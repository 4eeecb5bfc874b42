"""/api/v1/people: the directory; private fields only for oneself and admins (web/api/people.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.people.models import Person
from tests.conftest import Cast
from tests.web.conftest import PRIVATE_FIELDS as PRIVATE
from tests.web.conftest import PUBLIC_FIELDS as PUBLIC
from tests.web.conftest import AsPerson, Tokens, add_people, bearer, today


def _active_ids(db: Session) -> list[int]:
    return sorted(db.scalars(select(Person.id).where(Person.is_active)))


def test_the_list_gives_active_people_with_public_fields_only(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    cast.other_member.is_active = False
    cast.member.start_date = dt.date(2020, 1, 1)
    cast.member.pause_reason = "private reason"
    db.commit()

    response = client.get("/api/v1/people", headers=bearer(tokens.admin))

    assert response.status_code == 200
    page = response.json()
    assert page["next_after"] is None
    assert [item["id"] for item in page["items"]] == sorted(
        [cast.admin.id, cast.lead.id, cast.member.id]
    )
    assert all(set(item) == PUBLIC for item in page["items"])
    assert "private reason" not in response.text and "2020-01-01" not in response.text
    member = next(item for item in page["items"] if item["id"] == cast.member.id)
    assert member["team"] == "Engineering > Platform" and member["manager_id"] == cast.lead.id


def test_the_list_pages_by_keyset_over_more_than_fifty_people(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    add_people(db, cast.support, 60)
    everyone = _active_ids(db)
    seen: list[int] = []
    after = 0
    pages = 0
    while after is not None:
        response = client.get(
            "/api/v1/people", params={"after": after}, headers=bearer(tokens.member)
        )
        assert response.status_code == 200
        page = response.json()
        seen += [item["id"] for item in page["items"]]
        after = page["next_after"]
        pages += 1

    assert pages == 2
    assert seen == everyone  # every active person once, in id order


def test_the_list_takes_a_page_size_up_to_two_hundred(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    add_people(db, cast.support, 10)
    everyone = _active_ids(db)

    small = client.get("/api/v1/people", params={"limit": 5}, headers=bearer(tokens.member)).json()
    too_big = client.get("/api/v1/people", params={"limit": 201}, headers=bearer(tokens.member))
    negative = client.get("/api/v1/people", params={"after": -1}, headers=bearer(tokens.member))

    assert [item["id"] for item in small["items"]] == everyone[:5]
    assert small["next_after"] == everyone[4]
    assert too_big.status_code == negative.status_code == 422
    assert too_big.json()["problems"][0]["field"] == "limit"
    assert negative.json()["problems"][0]["field"] == "after"


@pytest.mark.parametrize(
    ("query", "expected"),
    [("mia", ["member"]), ("MEMBER", ["member", "other_member"]), ("@example.org", None)],
)
def test_the_list_searches_names_and_emails(
    client: TestClient, cast: Cast, tokens: Tokens, query: str, expected: list[str] | None
) -> None:
    response = client.get("/api/v1/people", params={"q": query}, headers=bearer(tokens.member))

    roles = expected or ["admin", "lead", "member", "other_member"]
    assert [item["id"] for item in response.json()["items"]] == sorted(
        getattr(cast, r).id for r in roles
    )


def test_the_list_filters_by_team(client: TestClient, cast: Cast, tokens: Tokens) -> None:
    response = client.get(
        "/api/v1/people", params={"team_id": cast.platform.id}, headers=bearer(tokens.member)
    )

    assert [item["id"] for item in response.json()["items"]] == sorted(
        [cast.lead.id, cast.member.id]
    )


@pytest.mark.parametrize(
    ("viewer", "subject", "private"),
    [
        ("member", "member", True),  # oneself
        ("admin", "member", True),  # an admin sees anyone's
        ("other_member", "member", False),
        ("lead", "member", False),  # a lead sees no more of their report than anyone
        ("member", "admin", False),
    ],
)
def test_a_profile_has_private_fields_only_for_the_person_and_admins(
    as_person: AsPerson, db: Session, cast: Cast, viewer: str, subject: str, private: bool
) -> None:
    person = getattr(cast, subject)
    person.start_date = dt.date(2019, 5, 6)
    person.paused_until = today() + dt.timedelta(days=5)
    person.pause_reason = "burn-out recovery"
    db.commit()

    response = as_person(getattr(cast, viewer)).get(f"/api/v1/people/{person.id}")

    assert response.status_code == 200
    assert set(response.json()) == (PRIVATE if private else PUBLIC)
    assert response.json()["paused"] is True
    assert ("burn-out recovery" in response.text) == private
    assert ("2019-05-06" in response.text) == private


def test_a_profile_tells_an_admin_whether_the_person_leads(
    client: TestClient, cast: Cast, tokens: Tokens
) -> None:
    lead = client.get(f"/api/v1/people/{cast.lead.id}", headers=bearer(tokens.admin)).json()
    member = client.get(f"/api/v1/people/{cast.member.id}", headers=bearer(tokens.admin)).json()

    assert (lead["is_lead"], member["is_lead"]) == (True, False)


def test_someone_who_has_left_is_not_found_by_members_but_shown_to_admins(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    cast.other_member.is_active = False
    db.commit()
    path = f"/api/v1/people/{cast.other_member.id}"

    hidden = client.get(path, headers=bearer(tokens.member))
    shown = client.get(path, headers=bearer(tokens.admin))

    assert hidden.status_code == 404
    assert hidden.json() == {
        "type": "about:blank", "title": "Not Found", "status": 404,
        "detail": f"no person {cast.other_member.id}", "field": "person",
    }  # fmt: skip
    assert shown.status_code == 200 and shown.json()["active"] is False


def test_an_unknown_person_is_404(client: TestClient, cast: Cast, tokens: Tokens) -> None:
    response = client.get("/api/v1/people/999999", headers=bearer(tokens.admin))

    assert response.status_code == 404
    assert response.json()["field"] == "person"


def test_a_bio_comes_back_as_written_for_the_client_to_escape(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    cast.other_member.bio = "<b>hi</b> & bye"
    db.commit()

    response = client.get(f"/api/v1/people/{cast.other_member.id}", headers=bearer(tokens.member))

    assert response.headers["content-type"] == "application/json"
    assert response.json()["bio"] == "<b>hi</b> & bye"
