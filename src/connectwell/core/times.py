"""Times as a person reads them: in their own time zone, with the zone named.

Every moment is stored in UTC (aware datetimes). Pages and messages show it in the reader's
zone ("3 Nov 2026, 14:05 CET"), or relative to now where that reads better ("2 hours ago",
"yesterday", "in 3 days"). A zone name that is missing or unknown falls back to UTC, so a
bad roster value never breaks a page.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EXACT = "%-d %b %Y, %H:%M"  # 3 Nov 2026, 14:05
RELATIVE_DAYS = 7  # up to "6 days ago" / "in 6 days"; further away, the date


@lru_cache(maxsize=512)
def zone(name: str | None) -> dt.tzinfo:
    """The time zone called ``name`` (IANA), or UTC when there is none or it is unknown."""
    if not name:
        return dt.UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _aware(moment: dt.datetime) -> dt.datetime:
    """A stored moment: aware; a naive one is taken as UTC (as the database stores it)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def local(moment: dt.datetime, timezone: str | None) -> dt.datetime:
    """``moment`` in the zone called ``timezone`` (UTC when unknown)."""
    return _aware(moment).astimezone(zone(timezone))


def zone_label(moment: dt.datetime) -> str:
    """The short name of a local moment's zone: "CET", "EDT", "UTC", or "UTC+05:30" when the
    zone has no letters for it (many zones' abbreviations are just "+03")."""
    label = moment.tzname() or "UTC"
    if label[0] in "+-":
        offset = label if ":" in label or len(label) <= 3 else f"{label[:3]}:{label[3:]}"
        return f"UTC{offset}"
    return label


def exact(moment: dt.datetime, timezone: str | None, format: str = EXACT) -> str:
    """The moment in the reader's zone, the zone named: "3 Nov 2026, 14:05 CET"."""
    shown = local(moment, timezone)
    return f"{shown.strftime(format)} {zone_label(shown)}"


def day(moment: dt.datetime, timezone: str | None, format: str = "%-d %B %Y") -> str:
    """The calendar day of ``moment`` in the reader's zone ("3 November 2026")."""
    return local(moment, timezone).strftime(format)


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def relative(moment: dt.datetime, timezone: str | None, now: dt.datetime) -> str | None:
    """How long ago, or how soon, ``moment`` is from ``now`` for a reader in ``timezone``.

    "just now", "5 minutes ago", "in 2 hours", "yesterday", "tomorrow", "3 days ago",
    "in 3 days"; days are the reader's calendar days (23:30 UTC is already tomorrow in
    Berlin). ``None`` when the moment is a week or more away: the date reads better then.
    """
    moment, now = _aware(moment), _aware(now)
    seconds = (moment - now).total_seconds()
    ahead = seconds > 0
    span = abs(seconds)

    def said(amount: str) -> str:
        return f"in {amount}" if ahead else f"{amount} ago"

    if span < 60:
        return "in a moment" if ahead else "just now"
    if span < 3600:
        return said(_count(int(span // 60), "minute"))
    days = (local(moment, timezone).date() - local(now, timezone).date()).days
    if days == 0 or span < 6 * 3600:
        return said(_count(int(span // 3600), "hour"))
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    if abs(days) < RELATIVE_DAYS:
        return said(_count(abs(days), "day"))
    return None
