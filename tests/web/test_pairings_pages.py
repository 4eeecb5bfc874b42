"""/pairings: the viewer's groups, the "did you meet?" form, and the invite."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.programs.models import CheckIn, Group, GroupMember
from tests.conftest import Cast
from tests.web.conftest import AsPerson, post_form
from tests.web.programs_setup import coffee, count_check_ins_as_closed, group_of, outsider_of


def test_the_pairing_page_shows_who_when_and_a_conversation_starter(
    db: Session, cast: Cast, as_person
) -> None:
    group = group_of(db, coffee(db), cast.member.id)
    others = [m.person.name for m in group.members if m.person_id != cast.member.id]

    page = as_person(cast.member).get(f"/pairings/{group.id}")

    assert page.status_code == 200
    assert all(name in page.text for name in others)
    assert group.starter.replace("'", "&#39;") in page.text
    assert f"/pairings/{group.id}/invite.ics" in page.text
    listing = as_person(cast.member).get("/pairings")
    assert f"/pairings/{group.id}" in listing.text


def test_nobody_outside_the_group_can_see_it_or_its_invite(
    db: Session, cast: Cast, as_person
) -> None:
    group = group_of(db, coffee(db), cast.member.id)
    client = as_person(outsider_of(group, cast))

    assert client.get(f"/pairings/{group.id}").status_code == 404
    assert client.get(f"/pairings/{group.id}/invite.ics").status_code == 404
    refused = post_form(client, f"/pairings/{group.id}/answer", {"met": "yes"})
    assert refused.status_code == 404


def test_answering_with_three_taps_seals_an_anonymous_check_in_once(
    db: Session, cast: Cast, as_person, settings: Settings
) -> None:
    group = group_of(db, coffee(db), cast.member.id)
    client = as_person(cast.member)
    taps = {
        "met": "yes",
        "positive_regard": "5",
        "mutuality": "4",
        "vitality": "4",
        "private_note": "Lovely chat <b>really</b>",
    }

    floor = settings.anonymity_floor
    assert f"at least {floor} people who met share it" in client.get(f"/pairings/{group.id}").text
    first = post_form(client, f"/pairings/{group.id}/answer", taps)
    again = post_form(client, f"/pairings/{group.id}/answer", taps)

    assert first.status_code == 303
    assert again.status_code == 409 and "answered for this group already" in again.text
    assert "sealed" in client.get(f"/pairings/{group.id}?saved=1").text
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 0
    assert count_check_ins_as_closed(db, settings) == 1
    [check_in] = db.scalars(select(CheckIn)).all()
    assert (check_in.positive_regard, check_in.mutuality, check_in.vitality) == (5, 4, 4)
    member = db.scalar(select(GroupMember).where(GroupMember.person_id == cast.member.id))
    assert member is not None and member.met is True
    page = client.get(f"/pairings/{group.id}")
    assert "Lovely chat &lt;b&gt;really&lt;/b&gt;" in page.text


def test_half_a_check_in_or_no_answer_is_refused_and_nothing_is_stored(
    db: Session, cast: Cast, as_person
) -> None:
    group = group_of(db, coffee(db), cast.member.id)
    client = as_person(cast.member)

    partial = post_form(
        client, f"/pairings/{group.id}/answer", {"met": "yes", "positive_regard": "5"}
    )
    nothing = post_form(client, f"/pairings/{group.id}/answer", {})
    out_of_range = post_form(
        client,
        f"/pairings/{group.id}/answer",
        {"met": "yes", "positive_regard": "9", "mutuality": "1", "vitality": "1"},
    )

    assert partial.status_code == 422 and "answer all three" in partial.text
    assert nothing.status_code == 422 and "say whether you met" in nothing.text
    assert out_of_range.status_code == 422
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 0
    assert (
        db.scalar(select(GroupMember.answered_at).where(GroupMember.person_id == cast.member.id))
        is None
    )


def test_the_invite_download_is_an_ics_for_the_groups_slot(
    db: Session, cast: Cast, as_person
) -> None:
    group = group_of(db, coffee(db), cast.member.id)

    response = as_person(cast.member).get(f"/pairings/{group.id}/invite.ics")

    assert response.headers["content-type"].startswith("text/calendar")
    event = Calendar.from_ical(response.text).walk("VEVENT")[0]
    assert str(event["UID"]) == f"{group.uid}@connectwell"
    assert event.decoded("DTSTART") == group.slot_start


def test_a_member_moves_the_slot_in_their_own_time_zone(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    group = group_of(db, coffee(db), cast.member.id)
    when = (dt.date.today() + dt.timedelta(days=5)).isoformat() + "T15:30"

    moved = post_form(as_person(cast.member), f"/pairings/{group.id}/reschedule", {"start": when})
    bad = post_form(as_person(cast.member), f"/pairings/{group.id}/reschedule", {"start": "soon"})

    assert moved.status_code == 303
    assert bad.status_code == 422
    assert 'id="start-error">The new time must be a date and time.</p>' in bad.text
    assert 'id="start" name="start" value="soon"' in bad.text and "start: " not in bad.text
    db.expire_all()
    stored = db.get(Group, group.id)
    assert stored is not None and stored.sequence == 1
    local = stored.slot_start.astimezone(ZoneInfo(cast.member.timezone))  # Europe/Berlin
    assert local.strftime("%Y-%m-%dT%H:%M") == when
