"""The viewer's own profile, pause, and stored data (web/pages/me.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.accounts.models import ApiToken, Credential, SignInSession
from tests.conftest import Cast
from tests.web.conftest import AsPerson, Tokens, fresh, post_form, send, today


def _set_profile(
    db: Session, cast: Cast, bio: str = "Original bio", interests: str = "chess"
) -> None:
    cast.member.bio = bio
    cast.member.interests = interests
    db.commit()


def _aria_invalid(html: str, field: str) -> bool:
    return re.search(rf'<(?:input|textarea) id="{field}"[^>]*aria-invalid="true"', html) is not None


def test_my_profile_page_shows_what_i_wrote_and_what_the_roster_says(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    _set_profile(db, cast, "I like graphs.", "cycling;jazz")

    response = as_person(cast.member).get("/me")

    assert response.status_code == 200
    assert ">I like graphs.</textarea>" in response.text
    assert 'value="cycling, jazz"' in response.text
    assert "Engineer · Engineering &gt; Platform · Europe/Berlin" in response.text


def test_i_can_edit_my_bio_and_interests(as_person: AsPerson, db: Session, cast: Cast) -> None:
    client = as_person(cast.member)

    response = post_form(
        client, "/me", {"bio": "  Runs on coffee.  ", "interests": "cycling, jazz; baking,, jazz"}
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/me?saved=profile"
    me = fresh(db, cast.member)
    assert me.bio == "Runs on coffee."
    assert me.interest_list == ["cycling", "jazz", "baking"]
    assert "Saved." in client.get("/me?saved=profile").text


def test_i_can_clear_my_bio_and_interests(as_person: AsPerson, db: Session, cast: Cast) -> None:
    _set_profile(db, cast)

    post_form(as_person(cast.member), "/me", {"bio": "", "interests": ""})

    me = fresh(db, cast.member)
    assert (me.bio, me.interest_list) == ("", [])


@pytest.mark.parametrize(
    ("bio", "interests", "field"),
    [
        ("x" * 1001, "chess", "bio"),
        ("x" * 5001, "chess", "bio"),  # past the form's own limit
        ("fine", ", ".join(f"topic {n}" for n in range(16)), "interests"),
        ("fine", "a" * 41, "interests"),
    ],
)
def test_an_invalid_profile_names_the_field_and_writes_nothing(
    as_person: AsPerson, db: Session, cast: Cast, bio: str, interests: str, field: str
) -> None:
    _set_profile(db, cast)

    response = post_form(as_person(cast.member), "/me", {"bio": bio, "interests": interests})

    assert response.status_code == 422
    assert f'<p class="field-error" id="{field}-error">' in response.text
    assert f"{field}: " not in response.text and "String should" not in response.text
    assert _aria_invalid(response.text, field)
    me = fresh(db, cast.member)
    assert (me.bio, me.interests) == ("Original bio", "chess")


def test_the_form_marks_the_invalid_field_for_screen_readers(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    response = post_form(as_person(cast.member), "/me", {"bio": "x" * 1001, "interests": ""})

    assert _aria_invalid(response.text, "bio")
    assert not _aria_invalid(response.text, "interests")


def test_i_can_pause_until_a_date_with_a_reason_and_resume(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.member)
    until = today() + dt.timedelta(days=21)

    paused = post_form(
        client, "/me/pause", {"until": until.isoformat(), "reason": " parental leave "}
    )

    assert paused.status_code == 303
    assert paused.headers["location"] == "/me?saved=pause"
    me = fresh(db, cast.member)
    assert (me.paused_until, me.pause_reason) == (until, "parental leave")
    page = client.get("/me").text
    assert "(parental leave)" in page and 'action="/me/resume"' in page

    resumed = post_form(client, "/me/resume")

    assert resumed.status_code == 303
    assert resumed.headers["location"] == "/me?saved=resume"
    me = fresh(db, cast.member)
    assert (me.paused_until, me.pause_reason) == (None, "")
    assert 'action="/me/resume"' not in client.get("/me").text


def test_a_pause_may_end_today(as_person: AsPerson, db: Session, cast: Cast) -> None:
    response = post_form(as_person(cast.member), "/me/pause", {"until": today().isoformat()})

    assert response.status_code == 303
    assert fresh(db, cast.member).paused_until == today()


@pytest.mark.parametrize(
    ("until", "message"),
    [
        (dt.timedelta(days=-1), "the pause must end today or later"),
        (dt.timedelta(days=367), "a pause can last at most a year"),
    ],
)
def test_a_pause_outside_today_to_a_year_is_refused_naming_the_field(
    as_person: AsPerson, db: Session, cast: Cast, until: dt.timedelta, message: str
) -> None:
    response = post_form(
        as_person(cast.member), "/me/pause", {"until": (today() + until).isoformat()}
    )

    assert response.status_code == 422
    assert message in response.text
    assert _aria_invalid(response.text, "until")
    assert fresh(db, cast.member).paused_until is None


def test_a_pause_that_is_not_a_date_is_refused_naming_the_field(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    response = post_form(as_person(cast.member), "/me/pause", {"until": "next tuesday"})

    assert response.status_code == 422
    assert (
        'id="until-error">The last day of the pause must be a date, like 2026-03-31.</p>'
    ) in response.text
    assert "until: " not in response.text
    assert 'value="next tuesday"' in response.text
    assert fresh(db, cast.member).paused_until is None


def test_my_data_shows_what_is_stored_and_never_a_password_or_token_hash(
    as_person: AsPerson, db: Session, cast: Cast, tokens: Tokens
) -> None:
    _set_profile(db, cast, "Bio for the record", "go;tea")
    send(db, cast.member, "A note for Mia")
    client = as_person(cast.member)

    response = client.get("/me/data")

    assert response.status_code == 200
    page = response.text
    for shown in (
        "mia.member@example.org",
        "Engineering &gt; Platform",
        "lee.lead@example.org",
        "Bio for the record",
        "go, tea",
        "Europe/Berlin",
        "Signed-in browsers (1)",
        "API tokens (1)",
        "member script",
        "Notifications (1)",
    ):
        assert shown in page, shown
    token = db.scalars(select(ApiToken).where(ApiToken.person_id == cast.member.id)).one()
    assert f"({token.prefix}…)" in page
    credential = db.get(Credential, cast.member.id)
    assert credential is not None
    secrets = [
        credential.password_hash,
        token.token_hash,
        tokens.member,
        *db.scalars(select(SignInSession.token_hash)),
        client.cookies["cw_session"],
    ]
    for secret in secrets:
        assert secret not in page
    assert "$argon2" not in page
    assert 'href="/api/v1/me/data"' in page


def test_my_data_shows_only_my_own_tokens(as_person: AsPerson, cast: Cast, tokens: Tokens) -> None:
    page = as_person(cast.other_member).get("/me/data").text

    assert "API tokens (0)" in page
    assert "member script" not in page and "admin sync" not in page


def test_a_member_sets_their_working_hours_on_the_profile_page(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.member)

    saved = post_form(
        client, "/me", {"bio": "", "interests": "", "work_start": "08:00", "work_end": "16:30"}
    )
    refused = post_form(
        client, "/me", {"bio": "", "interests": "", "work_start": "08:00", "work_end": "08:00"}
    )

    assert saved.status_code == 303
    assert refused.status_code == 422
    assert (
        'id="work_end-error">The end of your working hours must differ from the start.</p>'
        in refused.text
    )
    person = fresh(db, cast.member)
    assert (person.work_start, person.work_end) == (dt.time(8), dt.time(16, 30))
