"""The in-app inbox (web/pages/inbox.py), fed by connectwell.core.notify."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.core.notify import Notification
from tests.conftest import Cast
from tests.web.conftest import AsPerson, post_form, send


def _read_state(db: Session) -> dict[int, bool]:
    db.expire_all()
    return {n.id: n.read_at is not None for n in db.scalars(select(Notification))}


def test_notifications_sent_through_the_port_show_up_newest_first(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    send(db, cast.member, "Meet Noah", "You two are paired this week.", link="/people/1")
    send(db, cast.member, "A shout-out for you", "Thanks for the help!")
    send(db, cast.other_member, "Only for Noah")

    response = as_person(cast.member).get("/inbox")

    assert response.status_code == 200
    page = response.text
    assert page.index("A shout-out for you") < page.index("Meet Noah")
    assert "You two are paired this week." in page
    assert '<a href="/people/1">Open</a>' in page
    assert "Only for Noah" not in page
    assert page.count('<span class="visually-hidden">Unread: </span>') == 2


def test_an_empty_inbox_says_what_will_arrive(as_person: AsPerson, cast: Cast) -> None:
    response = as_person(cast.member).get("/inbox")

    assert "Your inbox is empty." in response.text
    assert 'action="/inbox/read"' not in response.text


def test_html_in_a_notification_is_shown_escaped(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    send(db, cast.member, "<i>subject</i>", "<script>alert(1)</script>")

    page = as_person(cast.member).get("/inbox").text

    assert "<script>alert(1)</script>" not in page and "<i>subject</i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_i_can_mark_one_notification_read(as_person: AsPerson, db: Session, cast: Cast) -> None:
    first = send(db, cast.member, "First")
    second = send(db, cast.member, "Second")
    client = as_person(cast.member)

    response = post_form(client, f"/inbox/{first}/read")

    assert response.status_code == 303
    assert response.headers["location"] == "/inbox"
    assert _read_state(db) == {first: True, second: False}
    assert f'action="/inbox/{first}/read"' not in client.get("/inbox").text


def test_marking_read_from_htmx_answers_with_no_content(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    first = send(db, cast.member, "First")

    response = post_form(
        as_person(cast.member), f"/inbox/{first}/read", headers={"HX-Request": "true"}
    )

    assert response.status_code == 204
    assert _read_state(db) == {first: True}


def test_i_can_mark_all_my_notifications_read_and_nobody_elses(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    mine = [send(db, cast.member, f"Mine {n}") for n in range(3)]
    theirs = send(db, cast.other_member, "Theirs")
    client = as_person(cast.member)

    response = post_form(client, "/inbox/read")

    assert response.status_code == 303
    assert _read_state(db) == {**dict.fromkeys(mine, True), theirs: False}
    assert "unread</span>" not in client.get("/inbox").text


def test_marking_another_persons_notification_changes_nothing(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    theirs = send(db, cast.other_member, "Theirs")
    mine = send(db, cast.member, "Mine")

    response = post_form(as_person(cast.member), f"/inbox/{theirs}/read")

    assert response.status_code == 303
    assert _read_state(db) == {theirs: False, mine: False}


def test_marking_read_without_the_csrf_token_is_refused_and_changes_nothing(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    mine = send(db, cast.member, "Mine")

    response = as_person(cast.member).post("/inbox/read")

    assert response.status_code == 403
    assert _read_state(db) == {mine: False}
