"""The people directory and profiles (web/pages/people.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy.orm import Session

from connectwell.people.models import Person
from tests.conftest import Cast
from tests.web.conftest import AsPerson, add_people, today

ROW = re.compile(r'<td><a href="/people/(\d+)">')
MORE = re.compile(r'<a href="/people\?after=(\d+)[^"]*"')


def _ids(html: str) -> list[int]:
    return [int(found) for found in ROW.findall(html)]


def test_the_directory_lists_active_people_with_their_team_path(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    cast.other_member.is_active = False
    db.commit()

    response = as_person(cast.member).get("/people")

    assert response.status_code == 200
    assert _ids(response.text) == sorted([cast.admin.id, cast.lead.id, cast.member.id])
    assert "Noah Member" not in response.text
    assert f'<a href="/teams/{cast.platform.id}">Engineering &gt; Platform</a>' in response.text
    assert MORE.search(response.text) is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mia", ["member"]),
        ("MEMBER", ["member", "other_member"]),
        ("noah.member@", ["other_member"]),
        ("nobody at all", []),
    ],
)
def test_the_directory_searches_names_and_emails_regardless_of_case(
    as_person: AsPerson, cast: Cast, query: str, expected: list[str]
) -> None:
    response = as_person(cast.member).get("/people", params={"q": query})

    assert response.status_code == 200
    assert _ids(response.text) == sorted(getattr(cast, role).id for role in expected)
    assert f'value="{query}"' in response.text
    assert ("Nobody matches." in response.text) == (not expected)


def test_the_directory_filters_by_team(as_person: AsPerson, cast: Cast) -> None:
    response = as_person(cast.member).get("/people", params={"team": cast.support.id})

    assert _ids(response.text) == [cast.other_member.id]


def test_the_directory_pages_by_keyset_over_more_than_fifty_people(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    add_people(db, cast.support, 60)
    everyone = sorted(person.id for person in db.query(Person).filter(Person.is_active))
    client = as_person(cast.member)

    first = client.get("/people")
    after = MORE.search(first.text)
    assert after is not None
    second = client.get("/people", params={"after": after.group(1)})

    assert _ids(first.text) == everyone[:50]
    assert int(after.group(1)) == everyone[49]
    assert _ids(second.text) == everyone[50:]
    assert MORE.search(second.text) is None


def test_the_next_page_keeps_the_search_and_comes_as_rows_for_htmx(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    add_people(db, cast.support, 55, prefix="helper")
    add_people(db, cast.support, 5, prefix="other")
    helpers = sorted(p.id for p in db.query(Person).filter(Person.email.like("helper%")))
    client = as_person(cast.member)

    first = client.get("/people", params={"q": "helper"})
    link = re.search(r'hx-get="([^"]+)"', first.text)
    assert link is not None
    rows = client.get(link.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"})

    assert _ids(first.text) == helpers[:50]
    assert "q=helper" in link.group(1)
    assert rows.status_code == 200
    assert "<html" not in rows.text and "<tr" in rows.text
    assert _ids(rows.text) == helpers[50:]


def test_a_search_longer_than_a_hundred_characters_is_refused_naming_the_field(
    as_person: AsPerson, cast: Cast
) -> None:
    response = as_person(cast.member).get("/people", params={"q": "x" * 101})

    assert response.status_code == 422
    assert "The search can be at most 100 characters." in response.text
    assert "q: " not in response.text and "String should" not in response.text


def _private_fields_shown(html: str) -> bool:
    return "<dt>Start date</dt>" in html or "<dt>Role</dt>" in html or "Paused until" in html


@pytest.mark.parametrize(
    ("viewer", "sees_private"),
    [("member", True), ("admin", True), ("other_member", False), ("lead", False)],
)
def test_a_profile_shows_start_date_role_and_pause_only_to_the_person_and_admins(
    as_person: AsPerson, db: Session, cast: Cast, viewer: str, sees_private: bool
) -> None:
    cast.member.start_date = dt.date(2021, 4, 12)
    cast.member.paused_until = today() + dt.timedelta(days=30)
    db.commit()

    response = as_person(getattr(cast, viewer)).get(f"/people/{cast.member.id}")

    assert response.status_code == 200
    assert "Mia Member" in response.text and "mia.member@example.org" in response.text
    assert "Europe/Berlin" in response.text
    assert _private_fields_shown(response.text) == sees_private
    assert ("12 Apr 2021" in response.text) == sees_private


def test_a_profile_links_the_manager_and_lists_direct_reports(
    as_person: AsPerson, cast: Cast
) -> None:
    client = as_person(cast.other_member)

    lead = client.get(f"/people/{cast.lead.id}")
    member = client.get(f"/people/{cast.member.id}")

    assert f'<li><a href="/people/{cast.member.id}">Mia Member</a></li>' in lead.text
    assert f'<dd><a href="/people/{cast.lead.id}">Lee Lead</a></dd>' in member.text


def test_a_member_cannot_see_someone_who_has_left(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    cast.other_member.is_active = False
    db.commit()

    response = as_person(cast.member).get(f"/people/{cast.other_member.id}")

    assert response.status_code == 404
    assert "Noah Member" not in response.text


def test_an_admin_sees_someone_who_has_left_marked_inactive(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    cast.other_member.is_active = False
    db.commit()

    response = as_person(cast.admin).get(f"/people/{cast.other_member.id}")

    assert response.status_code == 200
    assert "Noah Member" in response.text
    assert "This person has left (inactive)." in response.text


def test_an_unknown_person_is_not_found(as_person: AsPerson, cast: Cast) -> None:
    response = as_person(cast.member).get("/people/999999")

    assert response.status_code == 404
    assert "no person 999999" in response.text


def test_html_in_a_bio_is_shown_escaped_on_the_profile(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    cast.other_member.bio = '<script>alert("hi")</script><img src=x onerror=alert(1)>'
    cast.other_member.interests = "<b>bold</b>;jazz"
    db.commit()

    response = as_person(cast.member).get(f"/people/{cast.other_member.id}")

    assert "<script>alert" not in response.text
    assert "<img src=x" not in response.text and "<b>bold</b>" not in response.text
    assert "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt;" in response.text
    assert "&lt;b&gt;bold&lt;/b&gt;, jazz" in response.text


def test_html_in_a_search_is_shown_escaped(as_person: AsPerson, cast: Cast) -> None:
    response = as_person(cast.member).get("/people", params={"q": '"><script>x</script>'})

    assert "<script>x</script>" not in response.text
    assert 'value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in response.text
