"""The weekly digest: each team's day and hour, subscriptions, unsubscribe links, sending.

Each person gets the digest when their own clock reaches their team's day and hour (a team
without its own choice takes its parent's, else Friday 15:00). A row with a unique
(person, week) key is written before the message, in the same transaction: with several
workers the one that inserts it sends, every other one skips. Paused, inactive and
unsubscribed people get none. Plain functions, the session first; never commit.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectwell.core import audit, errors
from connectwell.core.config import Settings
from connectwell.core.notify import tell
from connectwell.core.words import WEEKDAYS
from connectwell.digests.content import Window, gather
from connectwell.digests.models import (
    DEFAULT_HOUR,
    DEFAULT_WEEKDAY,
    DigestDelivery,
    DigestOptOut,
    DigestSetting,
)
from connectwell.digests.render import (
    KIND,
    LINK,
    digest_context,
    digest_headers,
)
from connectwell.people import service as people
from connectwell.people.models import Person, Team

WEEK = dt.timedelta(days=7)
GRACE = dt.timedelta(days=2)  # a digest this late (the worker was down) is not sent any more
BATCH = 1000


class DigestError(errors.Invalid):
    """A digest request that cannot be done; ``field`` names the culprit."""


class DigestNotFound(errors.NotFound, DigestError):
    """No such team, or an unsubscribe link that is not valid."""


class DigestNotAllowed(errors.NotAllowed, DigestError):
    """Only the team's leads and admins choose its digest's day and hour."""


# --- each team's day and hour --------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    weekday: int
    local_hour: int
    from_team_id: int | None  # the team whose choice this is; None: the default

    def describe(self) -> str:
        return f"every {WEEKDAYS[self.weekday]} at {self.local_hour:02d}:00"


DEFAULT = Schedule(DEFAULT_WEEKDAY, DEFAULT_HOUR, None)


def schedules(session: Session) -> dict[int, Schedule]:
    """Every team's schedule: its own, its nearest parent's, or the default."""
    parents = dict(session.execute(select(Team.id, Team.parent_id)).all())
    own = {
        row.team_id: Schedule(row.weekday, row.local_hour, row.team_id)
        for row in session.scalars(select(DigestSetting))
    }
    result: dict[int, Schedule] = {}
    for team_id in parents:
        current: int | None = team_id
        seen: set[int] = set()
        while current is not None and current not in own and current not in seen:
            seen.add(current)
            current = parents.get(current)
        result[team_id] = own.get(current, DEFAULT) if current is not None else DEFAULT
    return result


def schedule_for(session: Session, team_id: int | None) -> Schedule:
    if team_id is None:
        return DEFAULT
    return schedules(session).get(team_id, DEFAULT)


def may_set_schedule(session: Session, person: Person, team_id: int) -> bool:
    """Admins and the team's leads (also through a parent team)."""
    return person.is_admin or team_id in people.led_team_ids(session, person.id)


def set_schedule(
    session: Session, actor: Person, team_id: int, weekday: int, local_hour: int
) -> DigestSetting:
    team = session.get(Team, team_id)
    if team is None:
        raise DigestNotFound("team_id", f"no team {team_id}")
    if not may_set_schedule(session, actor, team_id):
        raise DigestNotAllowed("team_id", "only the team's leads and admins choose this")
    if not 0 <= weekday <= 6:
        raise DigestError("weekday", "a day from Monday (0) to Sunday (6)")
    if not 0 <= local_hour <= 23:
        raise DigestError("local_hour", "an hour from 0 to 23")
    row = session.get(DigestSetting, team_id)
    before = audit.fields(row, ("weekday", "local_hour")) if row is not None else {}
    if row is None:
        row = DigestSetting(team_id=team_id)
        session.add(row)
    row.weekday, row.local_hour, row.updated_by_id = weekday, local_hour, actor.id
    after = {"weekday": weekday, "local_hour": local_hour}
    if change := audit.changes(before, after):
        audit.record(session, actor, "digest.schedule", "team", team_id, team.name, changes=change)
    session.flush()
    return row


# --- subscriptions and unsubscribe links ---------------------------------------------------


def is_subscribed(session: Session, person_id: int) -> bool:
    return session.get(DigestOptOut, person_id) is None


def unsubscribe(session: Session, person: Person) -> None:
    if session.get(DigestOptOut, person.id) is None:
        session.add(DigestOptOut(person_id=person.id))
    session.flush()


def resubscribe(session: Session, person: Person) -> None:
    session.execute(delete(DigestOptOut).where(DigestOptOut.person_id == person.id))
    session.flush()


def _signature(settings: Settings, person_id: int) -> str:
    mac = hmac.new(
        settings.secret_key.encode(), f"digest-unsubscribe:{person_id}".encode(), hashlib.sha256
    )
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode().rstrip("=")


def unsubscribe_token(settings: Settings, person_id: int) -> str:
    """A link token that names one person and cannot be forged without the secret key."""
    return f"{person_id}.{_signature(settings, person_id)}"


def unsubscribe_url(settings: Settings, person_id: int) -> str:
    return f"{settings.base_url}/digest/unsubscribe/{unsubscribe_token(settings, person_id)}"


def person_for_token(session: Session, settings: Settings, token: str) -> Person:
    number, _, signature = token.partition(".")
    if number.isdigit() and len(number) < 12:
        expected = _signature(settings, int(number))
        if hmac.compare_digest(signature.encode(), expected.encode()):
            person = session.get(Person, int(number))
            if person is not None:
                return person
    raise DigestNotFound("token", "this unsubscribe link is not valid")


# --- sending -------------------------------------------------------------------------------


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def this_week(timezone: str, schedule: Schedule, now: dt.datetime) -> tuple[dt.date, dt.datetime]:
    """The Monday of the person's local week and this week's digest moment (UTC)."""
    zone = _zone(timezone)
    local_today = now.astimezone(zone).date()
    monday = local_today - dt.timedelta(days=local_today.weekday())
    day = monday + dt.timedelta(days=schedule.weekday)
    moment = dt.datetime.combine(day, dt.time(schedule.local_hour), tzinfo=zone)
    return monday, moment.astimezone(dt.UTC)


@dataclass(frozen=True)
class Due:
    person: Person
    week_of: dt.date
    moment: dt.datetime
    schedule: Schedule


def due_digests(session: Session, now: dt.datetime) -> list[Due]:
    """Who should have this week's digest by ``now`` and has not had it."""
    team_schedules = schedules(session)
    opted_out = set(session.scalars(select(DigestOptOut.person_id)))
    candidates = []
    for person in session.scalars(select(Person).where(Person.is_active).order_by(Person.id)):
        if person.id in opted_out:
            continue
        schedule = team_schedules.get(person.team_id, DEFAULT) if person.team_id else DEFAULT
        week_of, moment = this_week(person.timezone, schedule, now)
        if moment > now or now - moment > GRACE:
            continue
        if person.is_paused(now.astimezone(_zone(person.timezone)).date()):
            continue
        candidates.append(Due(person, week_of, moment, schedule))
    weeks = {due.week_of for due in candidates}
    sent: set[tuple[int, dt.date]] = set()
    if weeks:
        rows = session.execute(
            select(DigestDelivery.person_id, DigestDelivery.week_of).where(
                DigestDelivery.week_of.in_(weeks)
            )
        )
        sent = {(person_id, week_of) for person_id, week_of in rows}
    return [due for due in candidates if (due.person.id, due.week_of) not in sent]


def send_due_digests(
    session: Session, settings: Settings, now: dt.datetime, *, limit: int = BATCH
) -> int:
    """Send each due digest once (in-app and e-mail); returns how many were sent."""
    due = due_digests(session, now)[:limit]
    contents = gather(session, [(d.person, Window(d.moment - WEEK, d.moment)) for d in due])
    sent = 0
    for item, content in zip(due, contents, strict=True):
        delivery = DigestDelivery(
            person_id=item.person.id,
            week_of=item.week_of,
            sent_at=now,
            shoutouts=content.shoutout_count,
            connections=content.connections,
            celebrations=content.celebration_count,
            prompt_only=content.empty,
        )
        try:
            with session.begin_nested():
                session.add(delivery)
                session.flush()
        except IntegrityError:  # another worker sent it
            continue
        person = item.person
        unsubscribe = unsubscribe_url(settings, person.id)
        tell(
            session,
            [person],
            KIND,
            settings=settings,
            link=LINK,
            headers=digest_headers(unsubscribe),
            **digest_context(content, unsubscribe, item.schedule.describe()),
        )
        sent += 1
    return sent


def deliveries(session: Session, person_id: int, *, limit: int = 10) -> list[DigestDelivery]:
    return list(
        session.scalars(
            select(DigestDelivery)
            .where(DigestDelivery.person_id == person_id)
            .order_by(DigestDelivery.week_of.desc())
            .limit(limit)
        )
    )
