"""When rounds happen, when each person's intro goes out, and the proposed meeting slot.

Dates are the programme's calendar dates; each person's intro goes out at the programme's
local hour in their own time zone, so a round spans the day across the world. All arithmetic
goes through :mod:`zoneinfo`, so daylight-saving changes land where they should.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from connectwell.matching.model import Participant
from connectwell.matching.verify import Span, utc_span

SLOT = dt.timedelta(minutes=30)
SEARCH_DAYS = 10


def first_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def round_dates(starts_on: dt.date, weekday: int, cadence: str, until: dt.date) -> list[dt.date]:
    """Every round date from ``starts_on`` up to and including ``until``.

    Weekly and every-two-weeks rounds fall on ``weekday``; monthly ones on the first such
    weekday of each month.
    """
    if cadence == "monthly":
        dates = []
        month = dt.date(starts_on.year, starts_on.month, 1)
        while month <= until:
            day = first_on_or_after(month, weekday)
            if starts_on <= day <= until:
                dates.append(day)
            month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return dates
    step = dt.timedelta(days=7 if cadence == "weekly" else 14)
    day = first_on_or_after(starts_on, weekday)
    dates = []
    while day <= until:
        dates.append(day)
        day += step
    return dates


def local_moment(day: dt.date, hour: int, timezone: str) -> dt.datetime:
    """``hour``:00 on ``day`` in ``timezone``, as an aware UTC datetime."""
    local = dt.datetime.combine(day, dt.time(hour), tzinfo=ZoneInfo(timezone))
    return local.astimezone(dt.UTC)


def earliest_moment(day: dt.date, hour: int, timezones: Iterable[str]) -> dt.datetime:
    """When the first time zone reaches ``hour`` on ``day``: when a round must be ready."""
    zones = set(timezones) or {"UTC"}
    return min(local_moment(day, hour, zone) for zone in zones)


def _intersection(spans: Sequence[Span]) -> Span | None:
    start = max(span[0] for span in spans)
    end = min(span[1] for span in spans)
    return (start, end) if end - start >= SLOT else None


def propose_meeting(
    round_on: dt.date, people: Sequence[tuple[str, dt.time, dt.time]]
) -> tuple[dt.datetime, dt.datetime, bool]:
    """A 30-minute slot inside everyone's working hours, on a weekday after ``round_on``.

    Parameters
    ----------
    round_on : date
        The round's date; the slot is on one of the ten days after it, Monday to Friday.
    people : sequence of (timezone, work_start, work_end)
        Each member's working hours in local time.

    Returns
    -------
    (start, end, shared)
        UTC datetimes. ``shared`` is False when no day has 30 shared minutes; the slot is
        then at noon in the first member's time zone, and the intro says so.

    The slot sits in the middle of the shared window, on the half hour.
    """
    members = [
        Participant(id=str(k), team="", timezone=zone, work_start=start, work_end=end)
        for k, (zone, start, end) in enumerate(people)
    ]
    for offset in range(1, SEARCH_DAYS + 1):
        day = round_on + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        window = _intersection([utc_span(member, day) for member in members])
        if window is None:
            continue
        start, end = window
        middle = start + (end - start - SLOT) / 2
        aligned = middle.replace(minute=0 if middle.minute < 30 else 30, second=0, microsecond=0)
        aligned = max(aligned, start)
        if aligned.minute not in (0, 30):  # the window starts off the half hour
            aligned = start
        return aligned, aligned + SLOT, True
    first_zone = people[0][0] if people else "UTC"
    fallback = local_moment(round_on + dt.timedelta(days=1), 12, first_zone)
    return fallback, fallback + SLOT, False
