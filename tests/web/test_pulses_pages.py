"""/pulses: answering anonymously, once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.pulses.models import Participation, Response
from tests.conftest import Cast
from tests.web.conftest import AsPerson, post_form
from tests.web.pulses_setup import count_as_closed, open_round


def test_an_open_pulse_is_listed_and_answered_from_its_page_sealed_until_it_closes(
    as_person: AsPerson, db: Session, cast: Cast, settings: Settings
) -> None:
    row = open_round(db)
    client = as_person(cast.member)

    listing = client.get("/pulses")
    page = client.get(f"/pulses/{row.id}")
    form = {f"item-{item_id}": "4" for item_id in row.item_ids} | {"comment": "<b>ok</b>"}
    sent = post_form(client, f"/pulses/{row.id}", form)

    assert f"/pulses/{row.id}" in listing.text
    assert page.status_code == 200 and "Send anonymously" in page.text
    floor = settings.anonymity_floor
    for said in (listing.text, page.text):  # what a database reader could still link, in words
        assert "without your name, the time you answered or the order of answers" in said
        assert f"at least {floor} people who answered share them" in said
    assert sent.status_code == 303 and sent.headers["location"] == f"/pulses/{row.id}?thanks=1"
    thanks = client.get(sent.headers["location"]).text
    assert "sealed until the pulse closes" in thanks and "without your name" in thanks
    db.expire_all()
    assert db.scalars(select(Response)).all() == []
    assert count_as_closed(db, settings, row) == 1
    [response] = db.scalars(select(Response)).all()
    assert sorted(a.value for a in response.answers) == [4] * len(row.item_ids)
    assert response.comment == "<b>ok</b>"
    assert db.get(Participation, (row.id, cast.member.id)).answered  # type: ignore[union-attr]
    assert f"/pulses/{row.id}" not in client.get("/pulses").text


def test_a_second_answer_and_an_out_of_range_value_are_refused(
    as_person: AsPerson, db: Session, cast: Cast, settings: Settings
) -> None:
    row = open_round(db)
    client = as_person(cast.member)
    first = row.item_ids[0]

    bad = post_form(client, f"/pulses/{row.id}", {f"item-{first}": "9"})
    good = post_form(client, f"/pulses/{row.id}", {f"item-{first}": "2"})
    again = post_form(client, f"/pulses/{row.id}", {f"item-{first}": "3"})

    assert bad.status_code == 422 and "from 1 to 5" in bad.text
    assert good.status_code == 303
    assert again.status_code == 409 and "already" in again.text
    db.expire_all()
    assert count_as_closed(db, settings, row) == 1


def test_someone_not_invited_gets_not_found(as_person: AsPerson, db: Session, cast: Cast) -> None:
    row = open_round(db)
    db.delete(db.get(Participation, (row.id, cast.other_member.id)))
    db.commit()

    client = as_person(cast.other_member)

    assert client.get(f"/pulses/{row.id}").status_code == 404
    assert post_form(client, f"/pulses/{row.id}", {}).status_code == 404


def test_a_form_field_that_names_no_statement_is_refused_naming_the_field(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    row = open_round(db)
    client = as_person(cast.member)
    first = row.item_ids[0]

    odd = post_form(client, f"/pulses/{row.id}", {"item-abc": "3", f"item-{first}": "2"})
    unknown = post_form(client, f"/pulses/{row.id}", {"item-999999": "3"})

    assert odd.status_code == 422 and "item-abc" in odd.text
    assert "not a statement of this pulse" in odd.text and "Choose one" not in odd.text
    assert unknown.status_code == 422 and "not in this pulse" in unknown.text
    db.expire_all()
    assert db.get(Participation, (row.id, cast.member.id)).answered is False  # type: ignore[union-attr]


def test_a_comment_with_a_control_character_is_refused_beside_the_comment(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    row = open_round(db)
    client = as_person(cast.member)

    sent = post_form(
        client, f"/pulses/{row.id}", {f"item-{row.item_ids[0]}": "2", "comment": "a\x00"}
    )

    assert sent.status_code == 422 and "U+0000" in sent.text and "Value error" not in sent.text
    db.expire_all()
    assert db.get(Participation, (row.id, cast.member.id)).answered is False  # type: ignore[union-attr]
