"""/admin/values: the organisation's values (the audit log is in test_admin_audit_pages.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.shoutouts.models import Value
from tests.conftest import Cast
from tests.web.conftest import AsPerson, post_form
from tests.web.shoutouts_setup import give, value


def _values(db: Session) -> list[tuple[str, str, bool]]:
    db.expire_all()
    return [(v.name, v.description, v.is_active)
            for v in db.scalars(select(Value).order_by(Value.name))]  # fmt: skip


def test_an_admin_adds_a_value_and_people_can_choose_it(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    response = post_form(
        as_person(cast.admin), "/admin/values", {"name": " Courage ", "description": "Speak up"}
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/admin/values?saved=added"
    assert _values(db) == [("Courage", "Speak up", True)]
    assert "Value added." in as_person(cast.admin).get(response.headers["location"]).text
    assert ">Courage</option>" in as_person(cast.member).get("/shoutouts").text


def test_a_value_named_twice_is_refused_naming_the_field(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    value(db, "Courage")

    response = post_form(as_person(cast.admin), "/admin/values", {"name": "courage"})

    assert response.status_code == 409  # a conflict, as the API answers it
    assert 'id="name-error">the value &#39;courage&#39; exists already</p>' in response.text
    assert "name: " not in response.text
    assert 'aria-invalid="true" aria-describedby="name-error"' in response.text
    assert 'id="name" name="name" value="courage"' in response.text
    assert _values(db) == [("Courage", "What courage looks like here", True)]


def test_a_retired_value_stays_on_old_shout_outs_but_cannot_be_chosen(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    craft = value(db, "Craft")
    shoutout = give(db, settings, cast.lead, "Lovely code", person_ids=[cast.member.id],
                    value_id=craft.id)  # fmt: skip

    response = post_form(as_person(cast.admin), f"/admin/values/{craft.id}/retire")

    assert response.status_code == 303
    assert _values(db) == [("Craft", "What craft looks like here", False)]
    feed = as_person(cast.member).get("/shoutouts").text
    assert ">Craft</option>" not in feed and "· Craft" in feed
    assert f"/shoutouts/{shoutout.id}" in feed
    assert "retired" in as_person(cast.admin).get("/admin/values").text


def test_members_cannot_manage_values(db: Session, cast: Cast, as_person: AsPerson) -> None:
    client = as_person(cast.lead)

    assert client.get("/admin/values").status_code == 403
    assert post_form(client, "/admin/values", {"name": "Mine"}).status_code == 403
    assert _values(db) == []
