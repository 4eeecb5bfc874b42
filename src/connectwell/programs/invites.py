"""Calendar invites for intros (RFC 5545).

One VEVENT per group: its UID is the group's stable UID, so a changed slot updates the same
event (SEQUENCE goes up) instead of adding a second one. Times are written in UTC ("Z"), which
every calendar shows in the reader's own time zone, across daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from email.utils import parseaddr

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//connectwell//connectwell intros//EN"


def invite_ics(
    *,
    uid: str,
    sequence: int,
    start: dt.datetime,
    end: dt.datetime,
    summary: str,
    description: str,
    organiser: str,
    attendees: Sequence[tuple[str, str]],
    stamp: dt.datetime,
) -> str:
    """The iCalendar text of one group's invite.

    Parameters
    ----------
    uid, sequence : the event's identity and revision
    start, end : aware datetimes (written in UTC)
    organiser : an address such as ``connectwell <hello@example.org>``
    attendees : (name, e-mail) of each member
    stamp : when the invite was made (DTSTAMP)
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"{uid}@connectwell")
    event.add("sequence", sequence)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", start.astimezone(dt.UTC))
    event.add("dtend", end.astimezone(dt.UTC))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "OPAQUE")
    name, address = parseaddr(organiser)
    organiser_address = vCalAddress(f"mailto:{address or 'connectwell@localhost'}")
    organiser_address.params["cn"] = vText(name or "connectwell")
    event.add("organizer", organiser_address)
    for attendee_name, email in attendees:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["cn"] = vText(attendee_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical().decode()


def without_attendee(ics: str, email: str, rewrite: Callable[[str], str]) -> str:
    """The invite ``ics`` without the attendee ``email`` (any case), its summary and
    description passed through ``rewrite`` (erasing a person: see :mod:`connectwell.erasure`)."""
    calendar = Calendar.from_ical(ics)
    address = f"mailto:{email}".lower()
    for event in calendar.walk("VEVENT"):
        found = event.get("attendee", [])
        attendees = found if isinstance(found, list) else [found]
        event.pop("attendee", None)
        for attendee in attendees:
            if str(attendee).lower() != address:
                event.add("attendee", attendee, encode=False)
        for key in ("summary", "description"):
            if key in event:
                event[key] = vText(rewrite(str(event[key])))
    return str(calendar.to_ical().decode())
