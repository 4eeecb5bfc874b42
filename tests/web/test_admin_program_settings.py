"""/admin/programs: the library's preferences, a refused form that keeps what was entered,
changing a programme from its next round, and the new hires left without a buddy."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.core.audit import AuditEntry
from connectwell.programs import rounds, service
from connectwell.programs.models import Group, GroupMember, Program, Round
from tests.conftest import Cast
from tests.programs.test_buddy_shortage import ROUND_ON as BUDDIES_ON
from tests.programs.test_buddy_shortage import buddies_with_hires
from tests.web.conftest import AsPerson, post_form
from tests.web.programs_setup import ROUND_ON, coffee
from tests.web.test_admin_programs_pages import FORM


def _selected(page: str, name: str) -> list[str]:
    """The options shown chosen in the select ``name``."""
    select_html = page.split(f'<select id="{name}"')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]*)" selected>', select_html)


def _memberships(db: Session) -> list[tuple[int, int]]:
    rows = db.execute(select(GroupMember.group_id, GroupMember.person_id))
    return sorted((group_id, person_id) for group_id, person_id in rows)


def _ticked(page: str, name: str) -> bool:
    return re.search(rf'<input type="checkbox" id="{name}"[^>]*checked', page) is not None


def test_the_form_offers_the_librarys_preferences_and_the_programme_keeps_them(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    client = as_person(cast.admin)
    blank = client.get("/admin/programs").text
    sent = {**FORM, "team_ids": str(cast.platform.id), "mix_levels": "on", "mix_locations": "on"}

    response = post_form(client, "/admin/programs", sent)

    for name in ("mix_levels", "mix_locations", "match_interests"):
        assert f'<input type="checkbox" id="{name}" name="{name}"' in blank
        assert not _ticked(blank, name)
    assert response.status_code == 303
    program = db.scalar(select(Program))
    assert program is not None
    assert (program.mix_levels, program.mix_locations, program.match_interests) == (
        True, True, False,
    )  # fmt: skip
    page = client.get(f"/admin/programs/{program.id}").text
    assert "<dt>Also prefers</dt><dd>different levels, different places</dd>" in page


def test_a_refused_programme_keeps_every_value_entered_with_the_problem_beside_its_field(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    sent = {
        "name": "Small groups", "description": "Lunch", "kind": "groups", "group_size": "4",
        "audience": "teams", "team_ids": str(cast.support.id), "cadence": "monthly",
        "weekday": "3", "local_hour": "25", "starts_on": "2026-12-01", "team_mix": "within",
        "mix_locations": "on", "match_interests": "on", "no_repeat_weeks": "10",
        "min_overlap_hours": "2.5",
    }  # fmt: skip

    response = post_form(as_person(cast.admin), "/admin/programs", sent)

    page = response.text
    assert response.status_code == 422
    assert '<p class="field-error" id="local_hour-error">The hour must be 23 or less.</p>' in page
    chosen = {name: _selected(page, name) for name in
              ("kind", "audience", "team_ids", "cadence", "weekday", "team_mix")}  # fmt: skip
    assert chosen == {
        "kind": ["groups"], "audience": ["teams"], "team_ids": [str(cast.support.id)],
        "cadence": ["monthly"], "weekday": ["3"], "team_mix": ["within"],
    }  # fmt: skip
    for name in ("name", "group_size", "local_hour", "starts_on", "no_repeat_weeks",
                 "min_overlap_hours"):  # fmt: skip
        assert f'id="{name}" name="{name}" value="{sent[name]}"' in page
    assert ">Lunch</textarea>" in page
    assert [_ticked(page, n) for n in ("mix_levels", "mix_locations", "match_interests")] == [
        False, True, True,
    ]  # fmt: skip
    assert db.scalar(select(func.count()).select_from(Program)) == 0


def test_an_admin_changes_a_programme_from_its_next_round_and_the_change_is_audited(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    program = coffee(db)
    rounds.run_round(db, program, ROUND_ON, actor=None)
    db.commit()
    made = _memberships(db)
    client = as_person(cast.admin)
    form = client.get(f"/admin/programs/{program.id}/edit").text
    sent = {
        "name": "Platform coffee", "audience": "teams", "team_ids": str(cast.platform.id),
        "cadence": "biweekly", "weekday": "2", "group_size": "2", "local_hour": "9",
        "team_mix": "any", "match_interests": "on", "no_repeat_weeks": "0",
        "min_overlap_hours": "0",
    }  # fmt: skip

    response = post_form(client, f"/admin/programs/{program.id}/edit", sent)

    assert _selected(form, "weekday") == [str(program.weekday)] and 'value="Coffee"' in form
    assert 'id="kind"' not in form and 'id="starts_on"' not in form  # they stay as they are
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/programs/{program.id}?changed=1"
    db.expire_all()
    changed = db.get(Program, program.id)
    assert changed is not None
    assert (changed.name, changed.cadence, changed.weekday, changed.team_mix) == (
        "Platform coffee", "biweekly", 2, "any",
    )  # fmt: skip
    assert changed.match_interests and changed.kind == "coffee"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "program.change"))
    assert entry is not None and entry.actor_id == cast.admin.id
    assert entry.changes["weekday"] == [dt.date.today().weekday(), 2]
    assert entry.changes["match_interests"] == [False, True]
    assert "kind" not in entry.changes and "starts_on" not in entry.changes
    # The round already made keeps its groups; the next one is for the new audience only.
    assert _memberships(db) == made
    later = rounds.run_round(db, changed, ROUND_ON + dt.timedelta(weeks=2), actor=None)
    assert later is not None
    members = set(
        db.scalars(select(GroupMember.person_id).join(Group).where(Group.round_id == later.id))
    )
    assert members == {cast.lead.id, cast.member.id}  # Platform
    notice = client.get(response.headers["location"]).text
    assert "The changes apply from the next round" in notice


def test_a_refused_change_changes_nothing_and_says_why_beside_the_field(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    program = coffee(db)
    sent = {"name": "Trios", "group_size": "3", "audience": "everyone", "cadence": "weekly",
            "weekday": "4", "local_hour": "9", "team_mix": "across"}  # fmt: skip

    response = post_form(as_person(cast.admin), f"/admin/programs/{program.id}/edit", sent)

    assert response.status_code == 422
    assert (
        '<p class="field-error" id="group_size-error">coffee pairs have a group size of 2</p>'
        in response.text
    )
    assert 'id="name" name="name" value="Trios"' in response.text
    assert _selected(response.text, "weekday") == ["4"]
    db.expire_all()
    assert db.get(Program, program.id).name == "Coffee"  # type: ignore[union-attr]
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "program.change")) is None


def test_members_and_leads_cannot_change_a_programme(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    program = coffee(db)
    for person in (cast.member, cast.lead):
        client = as_person(person)
        assert client.get(f"/admin/programs/{program.id}/edit").status_code == 403
        sent = {"name": "Mine", "audience": "everyone", "cadence": "weekly", "weekday": "1"}
        assert post_form(client, f"/admin/programs/{program.id}/edit", sent).status_code == 403
    db.expire_all()
    assert db.get(Program, program.id).name == "Coffee"  # type: ignore[union-attr]


def test_the_programme_page_lists_the_new_hires_left_without_a_buddy(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    program, hires = buddies_with_hires(db, hires=3, seats=1)
    row = rounds.run_round(db, program, BUDDIES_ON, actor=None)
    db.commit()
    assert row is not None
    shortage = service.buddy_shortage(db, program)
    assert shortage is not None

    page = as_person(cast.admin).get(f"/admin/programs/{program.id}").text

    assert '<h2 id="shortage-title">New hires without a buddy</h2>' in page
    assert "2 new hires got no buddy: there are not enough volunteer buddy seats" in page
    assert "Ask more people to volunteer as buddies" in page
    for hire in shortage.hires:
        assert f"<li>{hire.name}, started {hire.start_date:%-d %b %Y}</li>" in page
    buddied = set(hires) - set(shortage.hires)
    assert all(f"<li>{hire.name}," not in page for hire in buddied)


def test_a_programme_without_a_shortage_says_nothing_of_buddies(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    program, _ = buddies_with_hires(db, hires=1, seats=2)
    rounds.run_round(db, program, BUDDIES_ON, actor=None)
    db.commit()

    page = as_person(cast.admin).get(f"/admin/programs/{program.id}").text

    assert db.scalar(select(func.count()).select_from(Round)) == 1
    assert "without a buddy" not in page
