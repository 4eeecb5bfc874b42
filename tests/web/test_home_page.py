"""The home page (web/pages/home.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tests.conftest import Cast
from tests.web.conftest import AsPerson, fresh, send, today


def test_it_sends_an_anonymous_visitor_to_sign_in_and_back(client, cast: Cast) -> None:
    response = client.get("/")

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"


def test_it_greets_the_viewer_with_their_team_path_and_time_zone(
    as_person: AsPerson, cast: Cast
) -> None:
    response = as_person(cast.member).get("/")

    assert response.status_code == 200
    assert "Hello, Mia Member" in response.text
    assert "Engineering &gt; Platform" in response.text
    assert "Europe/Berlin" in response.text
    assert "You lead" not in response.text


def test_it_tells_a_lead_which_teams_they_lead(as_person: AsPerson, cast: Cast) -> None:
    response = as_person(cast.lead).get("/")

    assert "<dt>You lead</dt><dd>Engineering &gt; Platform</dd>" in response.text


def test_it_shows_the_five_latest_notifications_and_the_unread_count(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    for number in range(1, 8):
        send(db, cast.member, f"Message number {number}")
    send(db, cast.other_member, "Not for Mia")

    response = as_person(cast.member).get("/")

    shown = [n for n in range(1, 8) if f"Message number {n}<" in response.text]
    assert shown == [3, 4, 5, 6, 7]
    assert "Not for Mia" not in response.text
    assert '7<span class="visually-hidden"> unread</span>' in response.text


def test_it_reminds_a_paused_person_that_they_are_paused(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    fresh(db, cast.member).paused_until = today() + dt.timedelta(days=10)
    db.commit()

    response = as_person(cast.member).get("/")

    assert "Your participation is paused until" in response.text


def test_it_links_the_admin_pages_for_admins_only(as_person: AsPerson, cast: Cast) -> None:
    assert 'href="/admin"' in as_person(cast.admin).get("/").text
    assert 'href="/admin"' not in as_person(cast.member).get("/").text
    assert 'href="/admin"' not in as_person(cast.lead).get("/").text


def test_every_page_carries_the_security_headers(as_person: AsPerson, cast: Cast) -> None:
    response = as_person(cast.member).get("/")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
