"""/programs and /me/never-pair: people choose how they take part."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.programs.models import Membership, NeverPair
from tests.conftest import Cast
from tests.web.conftest import post_form
from tests.web.programs_setup import coffee


def _membership(db: Session, person_id: int) -> Membership | None:
    db.expire_all()
    return db.scalar(select(Membership).where(Membership.person_id == person_id))


def test_the_programmes_page_lists_running_programmes_with_the_viewers_part(
    db: Session, cast: Cast, as_person
) -> None:  # type: ignore[no-untyped-def]
    coffee(db)
    coffee(db, name="Stopped one").is_active = False
    db.commit()

    page = as_person(cast.member).get("/programs")

    assert page.status_code == 200
    assert "Coffee" in page.text and "You take part." in page.text
    assert "Stopped one" not in page.text


def test_a_member_leaves_and_joins_again(db: Session, cast: Cast, as_person) -> None:  # type: ignore[no-untyped-def]
    program = coffee(db)
    client = as_person(cast.member)

    left = post_form(client, f"/programs/{program.id}/leave")
    assert left.status_code == 303
    membership = _membership(db, cast.member.id)
    assert membership is not None and membership.joined is False
    assert "You do not take part (you left)" in client.get("/programs").text

    post_form(client, f"/programs/{program.id}/join")
    membership = _membership(db, cast.member.id)
    assert membership is not None and membership.joined is True


def test_skipping_marks_only_the_next_round(db: Session, cast: Cast, as_person) -> None:  # type: ignore[no-untyped-def]
    program = coffee(db, weekday=(dt.date.today().weekday() + 1) % 7)

    response = post_form(as_person(cast.member), f"/programs/{program.id}/skip")

    assert response.status_code == 303
    membership = _membership(db, cast.member.id)
    assert membership is not None
    assert membership.skip_round_on == dt.date.today() + dt.timedelta(days=1)


def test_a_pause_in_the_past_is_refused_naming_the_field(
    db: Session, cast: Cast, as_person
) -> None:  # type: ignore[no-untyped-def]
    program = coffee(db)
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()

    response = post_form(
        as_person(cast.member), f"/programs/{program.id}/pause", {"until": yesterday}
    )

    assert response.status_code == 422
    assert "the pause must end today or later" in response.text
    assert _membership(db, cast.member.id) is None


def test_a_pause_date_that_is_not_a_date_is_shown_beside_its_field_and_kept(
    db: Session, cast: Cast, as_person
) -> None:  # type: ignore[no-untyped-def]
    program = coffee(db)
    other = coffee(db, name="Tea")

    response = post_form(
        as_person(cast.member), f"/programs/{program.id}/pause", {"until": "31/12/2099"}
    )

    assert response.status_code == 422
    page = response.text
    assert (
        '<p class="field-error" id="until-error">'
        "The last day of the pause must be a date, like 2026-03-31.</p>"
    ) in page
    assert f'id="pause-{program.id}" name="until" type="date" value="31/12/2099" required' in page
    assert 'aria-invalid="true" aria-describedby="until-error"' in page
    # only the programme that was sent shows the message and the value
    assert f'id="pause-{other.id}" name="until" type="date" value="" required' in page
    assert page.count('aria-invalid="true"') == 1
    assert 'role="alert"' not in page.split("<h2")[0]
    assert _membership(db, cast.member.id) is None


def test_a_buddy_capacity_that_is_not_a_number_is_shown_beside_its_field_and_kept(
    db: Session, cast: Cast, as_person
) -> None:  # type: ignore[no-untyped-def]
    program = coffee(db, name="Buddies", kind="buddies")
    client = as_person(cast.member)

    not_a_number = post_form(client, f"/programs/{program.id}/buddy", {"capacity": "abc"})
    too_many = post_form(client, f"/programs/{program.id}/buddy", {"capacity": "9"})

    assert not_a_number.status_code == 422
    assert (
        '<p class="field-error" id="capacity-error">'
        "The number of new hires must be a whole number.</p>"
    ) in not_a_number.text
    assert f'id="capacity-{program.id}" name="capacity" value="abc"' in not_a_number.text
    assert 'aria-invalid="true" aria-describedby="capacity-error"' in not_a_number.text
    assert too_many.status_code == 422
    assert 'id="capacity-error">0 to 5 new hires at once</p>' in too_many.text
    assert f'id="capacity-{program.id}" name="capacity" value="9"' in too_many.text
    assert _membership(db, cast.member.id) is None


def test_a_teams_programme_is_closed_to_people_of_other_teams(
    db: Session, cast: Cast, as_person
) -> None:  # type: ignore[no-untyped-def]
    program = coffee(db, audience="teams", team_ids=[cast.platform.id])

    page = as_person(cast.other_member).get("/programs")
    refused = post_form(as_person(cast.other_member), f"/programs/{program.id}/join")

    assert "This programme is for other teams." in page.text
    assert refused.status_code == 422
    assert _membership(db, cast.other_member.id) is None


def test_an_opt_in_programme_needs_a_join(db: Session, cast: Cast, as_person) -> None:  # type: ignore[no-untyped-def]
    program = coffee(db, audience="opt_in")
    client = as_person(cast.member)
    assert "You do not take part" in client.get("/programs").text

    post_form(client, f"/programs/{program.id}/join")

    assert "You take part." in client.get("/programs").text


def test_the_never_pair_list_is_private_and_checks_the_email(
    db: Session, cast: Cast, as_person
) -> None:  # type: ignore[no-untyped-def]
    client = as_person(cast.member)

    added = post_form(client, "/me/never-pair", {"email": cast.other_member.email})
    unknown = post_form(client, "/me/never-pair", {"email": "ghost@example.org"})
    self_entry = post_form(client, "/me/never-pair", {"email": cast.member.email})

    assert added.status_code == 303
    assert unknown.status_code == 422 and "ghost@example.org" in unknown.text
    assert self_entry.status_code == 422 and "that is you" in self_entry.text
    db.expire_all()
    rows = db.execute(select(NeverPair.person_id, NeverPair.other_id)).all()
    assert [tuple(r) for r in rows] == [(cast.member.id, cast.other_member.id)]
    assert cast.member.name not in as_person(cast.other_member).get("/me/never-pair").text

    post_form(as_person(cast.member), f"/me/never-pair/{cast.other_member.id}/remove")
    db.expire_all()
    assert db.scalar(select(NeverPair)) is None
