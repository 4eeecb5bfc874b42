"""The digest's pages: unsubscribe by link (and one click), resubscribe from /me, and the
team's day and hour for its leads."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.digests import service
from connectwell.digests.models import DigestOptOut, DigestSetting
from tests.conftest import Cast
from tests.web.conftest import post_form


def _opted_out(db: Session) -> set[int]:
    db.expire_all()
    return set(db.scalars(select(DigestOptOut.person_id)))


def test_the_unsubscribe_link_asks_first_and_the_button_unsubscribes_without_signing_in(
    db: Session, cast: Cast, client, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    path = f"/digest/unsubscribe/{service.unsubscribe_token(settings, cast.member.id)}"

    page = client.get(path)
    assert page.status_code == 200 and '<button type="submit">Unsubscribe</button>' in page.text
    assert _opted_out(db) == set()  # a link checker following the link changes nothing

    done = client.post(path)

    assert done.status_code == 200 and "You are unsubscribed, Mia Member" in done.text
    assert 'href="/me/digest"' in done.text
    assert _opted_out(db) == {cast.member.id}


def test_a_mail_clients_one_click_post_unsubscribes(
    db: Session, cast: Cast, client, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    token = service.unsubscribe_token(settings, cast.other_member.id)

    response = client.post(
        f"/digest/unsubscribe/{token}",
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 200
    assert _opted_out(db) == {cast.other_member.id}


def test_a_forged_unsubscribe_link_is_not_found(db: Session, cast: Cast, client) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/digest/unsubscribe/{cast.member.id}.forged").status_code == 404
    assert client.post(f"/digest/unsubscribe/{cast.member.id}.forged").status_code == 404
    assert _opted_out(db) == set()


def test_a_person_resubscribes_from_their_profile(db: Session, cast: Cast, as_person) -> None:  # type: ignore[no-untyped-def]
    client = as_person(cast.member)
    assert 'href="/me/digest"' in client.get("/me").text
    post_form(client, "/me/digest", {})
    assert _opted_out(db) == {cast.member.id}
    assert "You do not receive the digest." in client.get("/me/digest").text

    response = post_form(client, "/me/digest", {"subscribed": "true"})

    assert response.headers["location"] == "/me/digest?saved=subscribed"
    assert _opted_out(db) == set()
    page = client.get("/me/digest").text
    assert "You receive the digest." in page and "every Friday at 15:00" in page


def test_a_lead_chooses_the_teams_day_and_hour_and_a_member_may_not(
    db: Session, cast: Cast, as_person
) -> None:  # type: ignore[no-untyped-def]
    lead = as_person(cast.lead)
    assert f'href="/teams/{cast.platform.id}/digest"' in lead.get(f"/teams/{cast.platform.id}").text

    saved = post_form(lead, f"/teams/{cast.platform.id}/digest",
                      {"weekday": "0", "local_hour": "9"})  # fmt: skip
    bad = post_form(lead, f"/teams/{cast.platform.id}/digest",
                    {"weekday": "0", "local_hour": "25"})  # fmt: skip
    member = as_person(cast.member)
    refused_page = member.get(f"/teams/{cast.platform.id}/digest")
    refused = post_form(member, f"/teams/{cast.platform.id}/digest",
                        {"weekday": "2", "local_hour": "9"})  # fmt: skip

    assert saved.status_code == 303
    assert bad.status_code == 422
    assert 'id="local_hour-error">an hour from 0 to 23</p>' in bad.text
    assert "local_hour: " not in bad.text
    assert refused_page.status_code == 403 and refused.status_code == 403
    db.expire_all()
    row = db.get(DigestSetting, cast.platform.id)
    assert row is not None and (row.weekday, row.local_hour) == (0, 9)
    assert "every Monday at 09:00" in member.get(f"/teams/{cast.platform.id}").text
