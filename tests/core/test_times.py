"""core/times.py: a moment in the reader's own time zone, named, or said relative to now."""

from __future__ import annotations

import datetime as dt

import pytest

from connectwell.core import times

UTC = dt.UTC


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


def test_a_moment_shows_in_the_readers_zone_with_the_zone_named() -> None:
    assert times.exact(at(2026, 11, 3, 13, 5), "Europe/Berlin") == "3 Nov 2026, 14:05 CET"
    assert times.exact(at(2026, 11, 3, 13, 5), "America/New_York") == "3 Nov 2026, 08:05 EST"
    assert times.exact(at(2026, 11, 3, 13, 5), "UTC") == "3 Nov 2026, 13:05 UTC"


def test_the_zone_name_follows_the_daylight_saving_change() -> None:
    # Berlin leaves summer time at 01:00 UTC on 25 October 2026.
    assert times.exact(at(2026, 10, 25, 0, 30), "Europe/Berlin") == "25 Oct 2026, 02:30 CEST"
    assert times.exact(at(2026, 10, 25, 1, 30), "Europe/Berlin") == "25 Oct 2026, 02:30 CET"
    # New York starts summer time at 07:00 UTC on 8 March 2026.
    assert times.exact(at(2026, 3, 8, 6, 30), "America/New_York") == "8 Mar 2026, 01:30 EST"
    assert times.exact(at(2026, 3, 8, 7, 30), "America/New_York") == "8 Mar 2026, 03:30 EDT"


def test_half_past_eleven_utc_is_already_the_next_day_in_berlin() -> None:
    late = at(2026, 11, 3, 23, 30)

    assert times.day(late, "Europe/Berlin") == "4 November 2026"
    assert times.day(late, "UTC") == "3 November 2026"
    assert times.exact(late, "Europe/Berlin") == "4 Nov 2026, 00:30 CET"


def test_a_zone_without_letters_is_named_by_its_offset() -> None:
    assert times.exact(at(2026, 11, 3, 12), "America/Sao_Paulo").endswith("09:00 UTC-03")
    assert times.exact(at(2026, 11, 3, 12), "Asia/Kathmandu").endswith("17:45 UTC+05:45")


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", None, "../etc/passwd"])
def test_an_unknown_or_missing_zone_falls_back_to_utc(zone: str | None) -> None:
    assert times.exact(at(2026, 11, 3, 13, 5), zone) == "3 Nov 2026, 13:05 UTC"
    assert times.zone(zone) is UTC


def test_a_naive_moment_is_taken_as_utc() -> None:
    naive = dt.datetime(2026, 11, 3, 13, 5)
    assert times.exact(naive, "Europe/Berlin") == "3 Nov 2026, 14:05 CET"


NOW = at(2026, 11, 4, 15, 0)  # 16:00 in Berlin, a Wednesday


@pytest.mark.parametrize(
    ("moment", "said"),
    [
        (NOW - dt.timedelta(seconds=20), "just now"),
        (NOW + dt.timedelta(seconds=20), "in a moment"),
        (NOW - dt.timedelta(minutes=1), "1 minute ago"),
        (NOW - dt.timedelta(minutes=59), "59 minutes ago"),
        (NOW - dt.timedelta(hours=2), "2 hours ago"),
        (NOW + dt.timedelta(hours=3), "in 3 hours"),
        (at(2026, 11, 4, 0, 0), "15 hours ago"),  # 01:00 in Berlin: still today there
        (at(2026, 11, 3, 20, 0), "yesterday"),
        (at(2026, 11, 5, 9, 0), "tomorrow"),
        (at(2026, 11, 1, 12, 0), "3 days ago"),
        (at(2026, 11, 7, 12, 0), "in 3 days"),
        (at(2026, 10, 29, 12, 0), "6 days ago"),
        (at(2026, 10, 28, 12, 0), None),  # a week ago: the date reads better
        (at(2027, 1, 1, 12, 0), None),
    ],
)
def test_relative_wording_counts_the_readers_calendar_days(
    moment: dt.datetime, said: str | None
) -> None:
    assert times.relative(moment, "Europe/Berlin", NOW) == said


def test_yesterday_depends_on_the_readers_zone() -> None:
    now = at(2026, 11, 4, 0, 30)  # 01:30 in Berlin, 19:30 the day before in New York
    earlier = at(2026, 11, 3, 16, 0)  # 17:00 in Berlin, 11:00 in New York

    assert times.relative(earlier, "Europe/Berlin", now) == "yesterday"
    assert times.relative(earlier, "America/New_York", now) == "8 hours ago"


def test_a_few_hours_across_midnight_read_as_hours_not_yesterday() -> None:
    now = at(2026, 11, 4, 0, 30)  # 01:30 in Berlin
    assert times.relative(at(2026, 11, 3, 21, 30), "Europe/Berlin", now) == "3 hours ago"
