"""Round dates, each person's intro time and the proposed slot, across time zones and DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from connectwell.matching.model import Participant
from connectwell.matching.verify import utc_span
from connectwell.programs.schedule import (
    earliest_moment,
    local_moment,
    propose_meeting,
    round_dates,
)

NINE, FIVE = dt.time(9), dt.time(17)


def check_slot(round_on: dt.date, people: list[tuple[str, dt.time, dt.time]]) -> dt.datetime:
    """The checker: a 30-minute weekday slot after the round, inside everyone's hours."""
    start, end, shared = propose_meeting(round_on, people)
    assert shared
    assert end - start == dt.timedelta(minutes=30)
    for k, (zone, work_start, work_end) in enumerate(people):
        local = start.astimezone(ZoneInfo(zone))
        assert local.date() > round_on and local.weekday() < 5
        span = utc_span(
            Participant(str(k), "t", timezone=zone, work_start=work_start, work_end=work_end),
            local.date(),
        )
        assert span[0] <= start and end <= span[1], (zone, local)
    return start


def test_weekly_and_fortnightly_rounds_fall_on_the_chosen_weekday() -> None:
    weekly = round_dates(dt.date(2026, 11, 1), 0, "weekly", dt.date(2026, 11, 30))
    fortnightly = round_dates(dt.date(2026, 11, 1), 0, "biweekly", dt.date(2026, 11, 30))
    assert weekly == [dt.date(2026, 11, d) for d in (2, 9, 16, 23, 30)]
    assert fortnightly == [dt.date(2026, 11, d) for d in (2, 16, 30)]


def test_monthly_rounds_fall_on_the_first_such_weekday_of_each_month() -> None:
    dates = round_dates(dt.date(2026, 10, 15), 4, "monthly", dt.date(2027, 1, 31))
    assert dates == [dt.date(2026, 11, 6), dt.date(2026, 12, 4), dt.date(2027, 1, 1)]


def test_each_person_gets_the_intro_at_the_local_hour_including_across_dst() -> None:
    # Europe leaves summer time on 25 October 2026, the US on 1 November 2026.
    assert local_moment(dt.date(2026, 10, 23), 9, "Europe/London").hour == 8  # BST
    assert local_moment(dt.date(2026, 10, 26), 9, "Europe/London").hour == 9  # GMT
    assert local_moment(dt.date(2026, 10, 30), 9, "America/New_York").hour == 13  # EDT
    assert local_moment(dt.date(2026, 11, 2), 9, "America/New_York").hour == 14  # EST


def test_a_round_is_due_when_the_first_time_zone_reaches_the_hour() -> None:
    zones = ["Europe/London", "Asia/Singapore", "America/New_York"]
    moment = earliest_moment(dt.date(2026, 11, 30), 9, zones)
    assert moment == dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)  # 09:00 in Singapore


def test_the_slot_is_inside_everyones_working_hours_in_the_week_the_clocks_change() -> None:
    # Round on Friday 23 October 2026: London changes on Sunday 25th, New York on 1 November.
    check_slot(
        dt.date(2026, 10, 23), [("Europe/London", NINE, FIVE), ("America/New_York", NINE, FIVE)]
    )
    check_slot(
        dt.date(2026, 10, 30), [("Europe/Berlin", NINE, FIVE), ("America/New_York", NINE, FIVE)]
    )


def test_the_slot_skips_the_weekend_and_sits_on_the_half_hour() -> None:
    start = check_slot(dt.date(2026, 11, 27), [("Europe/Berlin", NINE, FIVE)] * 2)  # a Friday
    assert start.date() == dt.date(2026, 11, 30)
    assert start.minute in (0, 30)


def test_without_shared_hours_the_slot_says_so() -> None:
    start, end, shared = propose_meeting(
        dt.date(2026, 11, 30), [("America/Los_Angeles", NINE, FIVE), ("Asia/Kolkata", NINE, FIVE)]
    )
    assert shared is False and end - start == dt.timedelta(minutes=30)
