"""Pages show every moment in the viewer's own time zone, named, on both databases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.core import audit
from connectwell.core.audit import AuditEntry
from connectwell.core.notify import Notification
from tests.conftest import Cast
from tests.web.conftest import AsPerson, fresh, send
from tests.web.programs_setup import coffee, group_of

LATE_EVENING_UTC = dt.datetime(2026, 1, 15, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 16th in Berlin
SUMMER_NOON_UTC = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)


def test_the_inbox_shows_when_a_message_came_in_the_viewers_zone(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    notification = db.get(Notification, send(db, cast.member, "Meet Noah"))
    assert notification is not None
    notification.created_at = LATE_EVENING_UTC
    db.commit()

    page = as_person(cast.member).get("/inbox").text  # Mia is in Berlin

    assert (
        '<time datetime="2026-01-15T23:30:00+00:00" title="16 Jan 2026, 00:30 CET">'
        "16 Jan 2026, 00:30 CET</time>"
    ) in page
    assert "UTC" not in page


def test_the_inbox_says_how_long_ago_a_recent_message_came(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    notification = db.get(Notification, send(db, cast.member, "A shout-out for you"))
    assert notification is not None
    notification.created_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    db.commit()

    page = as_person(cast.member).get("/inbox").text

    assert ">5 minutes ago</time>" in page


def test_the_audit_log_shows_times_in_the_zone_of_the_admin_reading_it(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    audit.record(db, cast.lead, "digest.schedule", "team", cast.platform.id, "Platform")
    db.flush()
    entry = db.scalars(select(AuditEntry)).one()
    entry.created_at = SUMMER_NOON_UTC
    db.commit()

    in_london = as_person(cast.admin).get("/admin/audit").text
    fresh(db, cast.admin).timezone = "America/New_York"
    db.commit()
    in_new_york = as_person(cast.admin).get("/admin/audit").text

    assert "Times are in your time zone (Europe/London)." in in_london
    assert '<td data-label="When">1 Jul 2026, 13:00 BST</td>' in in_london
    assert "Times are in your time zone (America/New_York)." in in_new_york
    assert '<td data-label="When">1 Jul 2026, 08:00 EDT</td>' in in_new_york
    assert "UTC" not in in_london + in_new_york


def test_a_pairing_shows_the_slot_in_the_viewers_zone_and_in_each_colleagues(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    group = group_of(db, coffee(db), cast.member.id)
    group.slot_start = dt.datetime(2026, 1, 15, 13, 0, tzinfo=dt.UTC)  # a Thursday
    group.slot_end = group.slot_start + dt.timedelta(minutes=30)
    others = [m.person for m in group.members if m.person_id != cast.member.id]
    assert others
    for other in others:
        other.timezone = "Asia/Tokyo"
    db.commit()

    page = as_person(cast.member).get(f"/pairings/{group.id}").text  # Mia is in Berlin

    assert "Thursday 15 January, 14:00–14:30 CET</time>, your time (Europe/Berlin)." in page
    for other in others:
        assert (
            f"For {other.name} that is Thursday 15 January, 22:00–22:30 JST (Asia/Tokyo)." in page
        )


def test_a_colleague_in_the_viewers_own_zone_gets_no_second_time(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    group = group_of(db, coffee(db), cast.member.id)
    for member in group.members:
        member.person.timezone = "Europe/Berlin"
    db.commit()

    page = as_person(cast.member).get(f"/pairings/{group.id}").text

    assert ", your time (Europe/Berlin)." in page and "that is" not in page


def test_an_unknown_zone_shows_utc_rather_than_breaking_the_page(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    notification = db.get(Notification, send(db, cast.member, "Meet Noah"))
    assert notification is not None
    notification.created_at = LATE_EVENING_UTC
    db.commit()
    fresh(db, cast.member).timezone = "Atlantis/Lost_City"
    db.commit()

    page = as_person(cast.member).get("/inbox")

    assert page.status_code == 200
    assert 'title="15 Jan 2026, 23:30 UTC">15 Jan 2026, 23:30 UTC</time>' in page.text
