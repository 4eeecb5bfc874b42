"""Teams: the nested list and each team's page (web/pages/teams.py)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.people.models import Person, Team, TeamLead
from connectwell.people.service import led_team_ids
from tests.conftest import Cast
from tests.web.conftest import AsPerson, post_form


def _engineering(cast: Cast) -> Team:
    assert cast.platform.parent is not None
    return cast.platform.parent


def test_the_team_list_nests_teams_under_their_parent_with_their_paths_and_head_counts(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    db.add(
        Person(email="left@example.org", name="Left Already", team=cast.platform, is_active=False)
    )
    db.commit()

    response = as_person(cast.member).get("/teams")

    assert response.status_code == 200
    rows = re.findall(
        r'<span class="indent-(\d)"><a href="/teams/(\d+)" aria-label="([^"]+)">([^<]+)</a>'
        r"</span></td>\s*<td>(\d+)</td>",
        response.text,
    )
    assert [(int(depth), label, name, int(count)) for depth, _, label, name, count in rows] == [
        (0, "Customer", "Customer", 0),
        (1, "Customer &gt; Support", "Support", 1),
        (0, "Engineering", "Engineering", 1),
        (1, "Engineering &gt; Platform", "Platform", 2),  # the inactive person is not counted
    ]


def test_a_team_page_shows_its_path_parent_leads_and_active_members(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    db.add(
        Person(email="left@example.org", name="Left Already", team=cast.platform, is_active=False)
    )
    db.commit()
    engineering = _engineering(cast)

    response = as_person(cast.other_member).get(f"/teams/{cast.platform.id}")

    assert response.status_code == 200
    assert '<p class="muted">Engineering &gt; Platform</p>' in response.text
    assert f'Part of <a href="/teams/{engineering.id}">Engineering</a>' in response.text
    led_by = response.text.split("<h2>Led by</h2>")[1].split("</ul>")[0]
    assert f'<a href="/people/{cast.lead.id}">Lee Lead</a>' in led_by
    assert "Members (2)" in response.text
    members = response.text.split("Members (2)")[1]
    assert members.index("Lee Lead") < members.index("Mia Member")  # by name
    assert "Left Already" not in response.text


def test_a_parent_team_page_lists_the_teams_within(as_person: AsPerson, cast: Cast) -> None:
    engineering = _engineering(cast)

    response = as_person(cast.member).get(f"/teams/{engineering.id}")

    assert "<h2>Teams within</h2>" in response.text
    assert f'<li><a href="/teams/{cast.platform.id}">Platform</a></li>' in response.text
    assert "No lead recorded." in response.text
    assert "Part of" not in response.text


def test_an_unknown_team_is_not_found(as_person: AsPerson, cast: Cast) -> None:
    response = as_person(cast.member).get("/teams/999999")

    assert response.status_code == 404
    assert "no team 999999" in response.text


def test_the_team_list_says_how_teams_come_to_be_when_there_are_none(
    as_person: AsPerson, db: Session
) -> None:
    loner = Person(email="solo@example.org", name="Solo")
    db.add(loner)
    db.commit()

    response = as_person(loner).get("/teams")

    assert response.status_code == 200
    assert "No teams yet. An admin imports the roster to create them." in response.text


# --- setting a team's leads (admins) -------------------------------------------------------


def _leads(db: Session, team: Team) -> set[int]:
    db.expire_all()
    return set(db.scalars(select(TeamLead.person_id).where(TeamLead.team_id == team.id)))


def test_an_admin_sees_a_form_with_the_current_leads_and_a_member_does_not(
    as_person: AsPerson, cast: Cast
) -> None:
    admin_page = as_person(cast.admin).get(f"/teams/{cast.platform.id}").text
    member_page = as_person(cast.member).get(f"/teams/{cast.platform.id}").text

    assert f'action="/teams/{cast.platform.id}/leads"' in admin_page
    assert 'name="emails" value="lee.lead@example.org"' in admin_page
    assert "/leads" not in member_page


def test_an_admin_names_a_teams_leads_by_email_and_they_lead_the_teams_within(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    engineering = _engineering(cast)
    client = as_person(cast.admin)

    response = post_form(
        client,
        f"/teams/{engineering.id}/leads",
        {"emails": " Noah.Member@example.org; ada.admin@example.org"},
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/teams/{engineering.id}?saved=leads"
    assert _leads(db, engineering) == {cast.other_member.id, cast.admin.id}
    assert _leads(db, cast.platform) == {cast.lead.id}  # untouched
    assert led_team_ids(db, cast.other_member.id) == {engineering.id, cast.platform.id}
    assert "Leads saved." in client.get(response.headers["location"]).text


def test_an_empty_list_removes_every_lead(as_person: AsPerson, db: Session, cast: Cast) -> None:
    post_form(as_person(cast.admin), f"/teams/{cast.platform.id}/leads", {"emails": ""})

    assert _leads(db, cast.platform) == set()


@pytest.mark.parametrize("emails", ["ghost@example.org", "lee.lead@example.org, left@example.org"])
def test_an_unknown_or_departed_lead_is_refused_naming_them_and_nothing_changes(
    as_person: AsPerson, db: Session, cast: Cast, emails: str
) -> None:
    db.add(Person(email="left@example.org", name="Left", team=cast.platform, is_active=False))
    db.commit()

    response = post_form(
        as_person(cast.admin), f"/teams/{cast.platform.id}/leads", {"emails": emails}
    )

    assert response.status_code == 422
    wrong = emails.split(", ")[-1]
    assert f"no active person has the e-mail &#39;{wrong}&#39;" in response.text
    assert re.search(r'id="emails"[^>]*aria-invalid="true"', response.text)
    assert f'value="{emails}"' in response.text  # what was typed stays
    assert _leads(db, cast.platform) == {cast.lead.id}


@pytest.mark.parametrize("role", ["member", "lead"])
def test_only_admins_may_set_leads(as_person: AsPerson, db: Session, cast: Cast, role: str) -> None:
    client = as_person(getattr(cast, role))

    response = post_form(
        client, f"/teams/{cast.platform.id}/leads", {"emails": "mia.member@example.org"}
    )

    assert response.status_code == 403
    assert _leads(db, cast.platform) == {cast.lead.id}


def test_setting_leads_of_an_unknown_team_is_not_found(as_person: AsPerson, cast: Cast) -> None:
    response = post_form(as_person(cast.admin), "/teams/999999/leads", {"emails": ""})

    assert response.status_code == 404
