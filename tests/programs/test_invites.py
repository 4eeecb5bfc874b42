"""Calendar invites parse back as RFC 5545 and keep their UID across changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Calendar

from connectwell.programs.invites import invite_ics
from connectwell.programs.schedule import propose_meeting


def _invite(sequence: int, start: dt.datetime, end: dt.datetime) -> Calendar:
    text = invite_ics(
        uid="abc123",
        sequence=sequence,
        start=start,
        end=end,
        summary="Coffee: Ana, Ben",
        description="To start: what made your week?",
        organiser="connectwell <hello@example.org>",
        attendees=[("Ana Lopez", "ana@example.org"), ("Ben Ito", "ben@example.org")],
        stamp=dt.datetime(2026, 10, 23, 8, tzinfo=dt.UTC),
    )
    assert "\r\n" in text and all(len(line) <= 75 for line in text.split("\r\n"))
    return Calendar.from_ical(text)


def test_an_invite_around_a_dst_change_parses_back_to_the_same_instants() -> None:
    start, end, shared = propose_meeting(
        dt.date(2026, 10, 23),
        [("Europe/London", dt.time(9), dt.time(17)), ("America/New_York", dt.time(9), dt.time(17))],
    )
    assert shared
    calendar = _invite(0, start, end)

    [event] = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST" and calendar["VERSION"] == "2.0"
    assert event.decoded("DTSTART") == start and event.decoded("DTEND") == end
    london = event.decoded("DTSTART").astimezone(ZoneInfo("Europe/London"))
    new_york = event.decoded("DTSTART").astimezone(ZoneInfo("America/New_York"))
    assert 9 <= london.hour < 17 and 9 <= new_york.hour < 17
    assert london.utcoffset() == dt.timedelta(0)  # after the UK's change on 25 October
    assert new_york.utcoffset() == dt.timedelta(hours=-4)  # before the US change on 1 November


def test_a_changed_slot_keeps_the_uid_and_raises_the_sequence() -> None:
    start = dt.datetime(2026, 11, 30, 14, tzinfo=dt.UTC)
    first = _invite(0, start, start + dt.timedelta(minutes=30)).walk("VEVENT")[0]
    moved = _invite(1, start + dt.timedelta(hours=1), start + dt.timedelta(hours=1, minutes=30))
    second = moved.walk("VEVENT")[0]

    assert str(first["UID"]) == str(second["UID"]) == "abc123@connectwell"
    assert (first["SEQUENCE"], second["SEQUENCE"]) == (0, 1)
    attendees = sorted(str(a) for a in second["ATTENDEE"])
    assert attendees == ["mailto:ana@example.org", "mailto:ben@example.org"]
    assert str(second["ORGANIZER"]) == "mailto:hello@example.org"
