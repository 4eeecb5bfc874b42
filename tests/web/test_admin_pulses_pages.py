"""/admin/pulses and /admin/bank."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.pulses.models import Construct, Item, Participation, Pulse, PulseRound
from tests.conftest import Cast
from tests.web.conftest import AsPerson, post_form


def test_an_admin_creates_a_pulse_and_opens_a_round_once(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.admin)
    today = dt.date.today().isoformat()

    created = post_form(
        client,
        "/admin/pulses",
        {
            "name": "Fortnightly",
            "audience": "teams",
            "team_ids": str(cast.platform.id),
            "starts_on": today,
        },
    )
    pulse = db.scalar(select(Pulse))
    assert created.status_code == 303 and pulse is not None
    first = post_form(client, f"/admin/pulses/{pulse.id}/open", {"opens_on": today})
    second = post_form(client, f"/admin/pulses/{pulse.id}/open", {"opens_on": today})

    assert first.headers["location"].endswith("round=opened")
    assert second.headers["location"].endswith("round=exists")
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(PulseRound)) == 1
    invited = set(db.scalars(select(Participation.person_id)))
    assert invited == {cast.lead.id, cast.member.id}
    assert "Fortnightly" in client.get("/admin/pulses").text


def test_an_opening_date_that_is_not_a_date_shows_the_page_again_with_it_beside_the_field(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.admin)
    today = dt.date.today().isoformat()
    post_form(
        client, "/admin/pulses", {"name": "Weekly", "audience": "everyone", "starts_on": today}
    )
    post_form(
        client, "/admin/pulses", {"name": "Monthly", "audience": "everyone", "starts_on": today}
    )
    weekly, monthly = db.scalars(select(Pulse).order_by(Pulse.id)).all()

    response = post_form(client, f"/admin/pulses/{weekly.id}/open", {"opens_on": "tomorrow"})

    assert response.status_code == 422
    page = response.text
    assert "<h1>" in page and "Weekly" in page and "Monthly" in page
    assert (
        '<p class="field-error" id="opens_on-error">'
        "The round date must be a date, like 2026-03-31.</p>"
    ) in page
    assert f'id="opens-{weekly.id}" name="opens_on" type="date" value="tomorrow"' in page
    assert f'id="opens-{monthly.id}" name="opens_on" type="date" value="{today}"' in page
    assert 'aria-invalid="true" aria-describedby="opens_on-error"' in page
    assert page.count('aria-invalid="true"') == 1
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(PulseRound)) == 0


def test_a_bad_pulse_is_refused_naming_the_field(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    response = post_form(
        as_person(cast.admin),
        "/admin/pulses",
        {"name": "", "starts_on": "soon", "local_hour": "30"},
    )

    assert response.status_code == 422
    expected = {
        "name": "Enter the name.",
        "starts_on": "The first day must be a date, like 2026-03-31.",
        "local_hour": "The hour must be 23 or less.",
    }
    for field, message in expected.items():
        assert f'<p class="field-error" id="{field}-error">{message}</p>' in response.text
        assert f"{field}:" not in response.text
    assert 'id="local_hour" name="local_hour" value="30"' in response.text
    assert 'id="starts_on" name="starts_on" value="soon"' in response.text
    assert db.scalar(select(func.count()).select_from(Pulse)) == 0


def test_an_admin_adds_a_construct_and_a_reverse_coded_statement(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.admin)

    post_form(client, "/admin/bank/constructs", {"key": "belonging", "name": "Belonging"})
    construct = db.scalar(select(Construct).where(Construct.key == "belonging"))
    assert construct is not None
    added = post_form(
        client,
        "/admin/bank/items",
        {
            "construct_id": str(construct.id),
            "text": "I feel like an outsider here.",
            "reverse_coded": "true",
        },
    )
    duplicate = post_form(client, "/admin/bank/constructs", {"key": "belonging", "name": "Again"})

    assert added.status_code == 303
    item = db.scalar(select(Item).where(Item.construct_id == construct.id))
    assert item is not None and item.reverse_coded and not item.builtin
    assert duplicate.status_code == 409 and "exists already" in duplicate.text
    page = client.get("/admin/bank")
    assert "I feel like an outsider here." in page.text and "Team psychological safety" in page.text


def test_the_bank_page_names_the_scales_its_items_are_adapted_from(
    as_person: AsPerson, cast: Cast
) -> None:
    page = as_person(cast.admin).get("/admin/bank")

    assert page.status_code == 200
    assert "Adapted from Edmondson, A. (1999); worded by connectwell." in page.text
    assert "Relational energy at work: Implications for job engagement" in page.text
    assert "UCLA Loneliness Scale (Version 3)" in page.text
    assert page.text.count("connectwell&#39;s own items.") == 7  # the HQC elements, pathways
    assert "About: people on my team." in page.text
    assert "People on this team sometimes reject others for being different." not in page.text


def test_a_sixth_statement_is_refused_beside_the_construct_field(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.admin)
    client.get("/admin/bank")
    safety = db.scalar(select(Construct).where(Construct.key == "psychological_safety"))
    assert safety is not None

    refused = post_form(
        client, "/admin/bank/items", {"construct_id": str(safety.id), "text": "One too many."}
    )

    assert refused.status_code in (409, 422)
    assert "at most 5" in refused.text and "construct" in refused.text
    assert (
        db.scalar(select(func.count()).select_from(Item).where(Item.text == "One too many.")) == 0
    )
