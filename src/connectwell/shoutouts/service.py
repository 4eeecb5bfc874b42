"""Shout-outs: give, see, react, hide. Plain functions, the session first; never commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from typing import Any

from sqlalchemy import and_, exists, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from connectwell.core import audit, errors
from connectwell.core.config import Settings
from connectwell.core.db import utcnow
from connectwell.core.db.updates import update_once
from connectwell.core.notify import tell
from connectwell.core.words import PATHWAY_NAMES
from connectwell.people import service as people
from connectwell.people.models import Person, Team
from connectwell.people.schemas import PersonRef
from connectwell.shoutouts.models import (
    REACTIONS,
    DailyCount,
    Reaction,
    Recipient,
    ShoutOut,
    Value,
    Visibility,
)
from connectwell.shoutouts.schemas import (
    TEAM_FALLBACK,
    FeedFilter,
    FeedItem,
    FeedRecipient,
    ShoutOutIn,
)


class ShoutOutError(errors.Invalid):
    """A shout-out that cannot be given or changed; ``field`` names the culprit."""


class ShoutOutNotFound(errors.NotFound, ShoutOutError):
    """No such shout-out or value (or not one the viewer may see)."""


class ShoutOutNotAllowed(errors.NotAllowed, ShoutOutError):
    """Only admins do that."""


class ShoutOutConflict(errors.Conflict, ShoutOutError):
    """A duplicate: the same shout-out given twice, or a value's name taken already."""


def message_hash(message: str, person_ids: list[int], team_ids: list[int]) -> str:
    """The identity of a shout-out for duplicate checks: words (case and spacing aside) and
    recipients. A unique index on (sender, hash) refuses a double-click even when it races."""
    words = " ".join(message.split()).lower()
    key = f"{words}|{sorted(set(person_ids))}|{sorted(set(team_ids))}"
    return hashlib.sha256(key.encode()).hexdigest()


# --- giving --------------------------------------------------------------------------------

_EMAIL_SEPARATORS = re.compile(r"[\s,;]+")


def people_ids_for_emails(session: Session, emails: str) -> list[int]:
    """The active people named by a list of e-mails (commas, semicolons or spaces between).

    Raises ``ShoutOutError("emails", …)`` naming the first e-mail nobody active has.
    """
    wanted = [e.lower() for e in _EMAIL_SEPARATORS.split(emails) if e]
    if len(wanted) > 20:
        raise ShoutOutError("emails", "at most 20 people in one shout-out")
    found = people.people_by_email(session, set(wanted))
    for email in wanted:
        person = found.get(email)
        if person is None or not person.is_active:
            raise ShoutOutError("emails", f"nobody here has the e-mail {email!r}")
    return sorted({found[email].id for email in wanted})


def _take_quota(session: Session, person_id: int, day: dt.date, limit: int) -> bool:
    """Count one more shout-out for today, atomically; False when the quota is used up.

    A conditional UPDATE is atomic on both databases: two racing requests can never both
    take the last one (PostgreSQL re-checks the condition on the locked row; SQLite has one
    writer at a time).
    """
    dialect = session.get_bind().dialect.name
    values = {"person_id": person_id, "day": day, "given": 0}
    if dialect == "postgresql":
        session.execute(postgresql.insert(DailyCount).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(DailyCount).values(values).on_conflict_do_nothing())
    else:  # pragma: no cover - the two supported databases are above
        session.execute(insert(DailyCount).values(values))
    result = session.execute(
        update(DailyCount)
        .where(DailyCount.person_id == person_id, DailyCount.day == day, DailyCount.given < limit)
        .values(given=DailyCount.given + 1)
    )
    return bool(getattr(result, "rowcount", 0))


def give(
    session: Session,
    sender: Person,
    data: ShoutOutIn,
    settings: Settings,
    *,
    now: dt.datetime | None = None,
) -> ShoutOut:
    """Give a shout-out, refusing what games the system; notifies the recipients.

    Raises
    ------
    ShoutOutConflict
        An exact duplicate of one you gave before (also when both are sent at once).
    ShoutOutError
        To yourself; to nobody active; an unknown value; the same recipient within
        ``shoutout_repeat_minutes``; over the daily quota (``shoutout_daily_quota``). Each names
        its field.
    """
    now = now or utcnow()
    person_ids = sorted(set(data.person_ids))
    if sender.id in person_ids:
        raise ShoutOutError("person_ids", "a shout-out to yourself is not a shout-out")
    recipients = list(
        session.scalars(select(Person).where(Person.id.in_(person_ids), Person.is_active))
    )
    if len(recipients) != len(person_ids):
        missing = sorted(set(person_ids) - {p.id for p in recipients})
        raise ShoutOutError("person_ids", f"no active person {missing[0]}")
    teams = list(session.scalars(select(Team).where(Team.id.in_(sorted(set(data.team_ids))))))
    if len(teams) != len(set(data.team_ids)):
        raise ShoutOutError("team_ids", "no such team")
    if data.value_id is not None:
        value = session.get(Value, data.value_id)
        if value is None or not value.is_active:
            raise ShoutOutError("value_id", "not one of the organisation's values")
    digest = message_hash(data.message, person_ids, data.team_ids)
    if session.scalar(
        select(ShoutOut.id).where(ShoutOut.sender_id == sender.id, ShoutOut.message_hash == digest)
    ):
        raise _duplicate()
    if person_ids:
        since = now - dt.timedelta(minutes=settings.shoutout_repeat_minutes)
        recent = session.scalar(
            select(Recipient.person_id)
            .join(ShoutOut, ShoutOut.id == Recipient.shoutout_id)
            .where(
                ShoutOut.sender_id == sender.id,
                ShoutOut.created_at >= since,
                Recipient.person_id.in_(person_ids),
            )
            .limit(1)
        )
        if recent is not None:
            raise ShoutOutError(
                "person_ids",
                f"you appreciated this colleague in the last {settings.shoutout_repeat_minutes} "
                "minutes; give it a little time",
            )
    if not _take_quota(session, sender.id, now.date(), settings.shoutout_daily_quota):
        raise ShoutOutError(
            "quota",
            f"you have given {settings.shoutout_daily_quota} shout-outs today: come back tomorrow",
        )
    shoutout = ShoutOut(
        sender_id=sender.id,
        message=data.message,
        message_hash=digest,
        pathway=data.pathway.value,
        value_id=data.value_id,
        visibility=data.visibility.value,
        created_at=now,
    )
    shoutout.recipients = [
        Recipient(person_id=p.id, recipient_team_id=p.team_id) for p in recipients
    ] + [Recipient(team_id=t.id, recipient_team_id=t.id) for t in teams]
    try:
        with session.begin_nested():
            session.add(shoutout)
            session.flush()
    except IntegrityError:  # the same shout-out, sent twice at once
        raise _duplicate() from None
    _notify_recipients(session, shoutout, sender, recipients, teams, settings)
    return shoutout


def _duplicate() -> ShoutOutConflict:
    return ShoutOutConflict(
        "message", "you sent this exact shout-out to the same people already: say it anew"
    )


def _notify_recipients(
    session: Session,
    shoutout: ShoutOut,
    sender: Person,
    people_: list[Person],
    teams: list[Team],
    settings: Settings,
) -> None:
    targets = {p.id: p for p in people_}
    for team in teams:
        for member in people.team_members(session, team.id):
            if member.id != sender.id:
                targets.setdefault(member.id, member)
    if not targets:
        return
    tell(
        session,
        list(targets.values()),
        "shoutout",
        settings=settings,
        link=f"/shoutouts/{shoutout.id}",
        sender=sender.name,
        pathway=PATHWAY_NAMES[shoutout.pathway],
        message=shoutout.message,
    )


# --- seeing --------------------------------------------------------------------------------


def _visible_to(viewer: Person, *, hidden_too: bool = False) -> object:
    """The SQL condition: shout-outs ``viewer`` may see (hidden ones never, unless
    ``hidden_too``: an admin hiding one may hide it again, as nothing changes)."""
    mine = exists().where(Recipient.shoutout_id == ShoutOut.id, Recipient.person_id == viewer.id)
    conditions = [
        ShoutOut.visibility == Visibility.everyone.value,
        ShoutOut.sender_id == viewer.id,
        mine,
    ]
    if viewer.team_id is not None:
        # One look-up on the recipients' team index covers both: a "teams" shout-out to
        # someone in the viewer's team, and any shout-out to the viewer's whole team.
        conditions.append(
            exists().where(
                Recipient.shoutout_id == ShoutOut.id,
                Recipient.recipient_team_id == viewer.team_id,
                or_(ShoutOut.visibility == Visibility.teams.value, Recipient.team_id.is_not(None)),
            )
        )
    if hidden_too:
        return or_(*conditions)
    return and_(ShoutOut.hidden_at.is_(None), or_(*conditions))


def may_see(session: Session, viewer: Person, shoutout: ShoutOut) -> bool:
    return bool(
        session.scalar(select(ShoutOut.id).where(ShoutOut.id == shoutout.id, _visible_to(viewer)))  # type: ignore[arg-type]
    )


def feed(
    session: Session,
    viewer: Person,
    filters: FeedFilter | None = None,
    *,
    before: int | None = None,
    limit: int = 20,
) -> tuple[list[ShoutOut], int | None]:
    """Newest first, a page at a time (keyset on id: pass the returned cursor as ``before``).

    Complexity: walks the feed index from ``before`` down, stopping after ``limit`` visible
    rows; senders and values come with the page's rows, recipients (with their people
    and teams) and reactions in one query each (no N+1).
    """
    conditions, truncated_at = feed_conditions(session, viewer, filters, before=before, limit=limit)
    statement = (
        select(ShoutOut)
        .where(*conditions)
        .order_by(ShoutOut.id.desc())
        .limit(limit + 1)
        .options(
            # One row each: joined to the page's query rather than a query of their own.
            joinedload(ShoutOut.sender),
            joinedload(ShoutOut.value),
            selectinload(ShoutOut.recipients).joinedload(Recipient.person),
            selectinload(ShoutOut.recipients).joinedload(Recipient.team),
            selectinload(ShoutOut.reactions),
        )
    )
    rows = list(session.scalars(statement))
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].id
    # A person's window of candidates was full: older ones may follow, so keep paging.
    return rows, truncated_at


def feed_conditions(
    session: Session,
    viewer: Person,
    filters: FeedFilter | None = None,
    *,
    before: int | None = None,
    limit: int = 20,
) -> tuple[list[Any], int | None]:
    """The WHERE conditions of a page of the feed (what :func:`feed` selects), and the
    cursor to return when the page is not full (a person's or team's candidates were cut)."""
    filters = filters or FeedFilter()
    conditions: list[Any] = [_visible_to(viewer)]
    if before is not None:
        conditions.append(ShoutOut.id < before)
    if filters.pathway is not None:
        conditions.append(ShoutOut.pathway == filters.pathway.value)
    if filters.value_id is not None:
        conditions.append(ShoutOut.value_id == filters.value_id)
    # A team's or a person's shout-outs are rare among all: start from their own index
    # entries (candidates) rather than walk the whole feed looking for them.
    truncated_at: int | None = None
    sources = []
    if filters.team_id is not None:
        sources.append((Recipient.shoutout_id, Recipient.recipient_team_id == filters.team_id))
    if filters.person_id is not None:
        sources.append((ShoutOut.id, ShoutOut.sender_id == filters.person_id))
        sources.append((Recipient.shoutout_id, Recipient.person_id == filters.person_id))
    if sources:
        window = max(200, 10 * limit)
        groups = [sources[:1], sources[1:]] if filters.team_id and filters.person_id else [sources]
        for group in groups:
            candidates, cut = _candidates(session, group, before, window=window)
            conditions.append(ShoutOut.id.in_(candidates))
            if cut is not None:
                truncated_at = cut if truncated_at is None else max(truncated_at, cut)
        if truncated_at is not None:  # exact only above the highest cut
            conditions.append(ShoutOut.id >= truncated_at)
    return conditions, truncated_at


def _candidates(
    session: Session, sources: list[tuple[Any, Any]], before: int | None, *, window: int
) -> tuple[list[int], int | None]:
    """The newest ``window`` shout-out ids from the union of ``sources`` (column, condition),
    below ``before``: one index range scan each.

    Every matching id newer than the oldest one returned is in the list (each source is cut
    at ``window``). Returns the ids and, when the window was full, the oldest id: older
    matches may follow, so it is the next page's cursor.
    """
    ids: set[int] = set()
    for column, condition in sources:
        query = select(column).where(condition)
        if before is not None:
            query = query.where(column < before)
        ids |= set(session.scalars(query.order_by(column.desc()).limit(window)))
    newest = sorted(ids, reverse=True)[:window]
    return newest, (newest[-1] if len(newest) == window else None)


def get_visible(session: Session, viewer: Person, shoutout_id: int) -> ShoutOut:
    shoutout = session.get(ShoutOut, shoutout_id)
    if shoutout is None or not may_see(session, viewer, shoutout):
        raise ShoutOutNotFound("shoutout", f"no shout-out {shoutout_id}")
    return shoutout


def feed_items(shoutouts: list[ShoutOut]) -> list[FeedItem]:
    """The shout-outs as the feed, the API and the digest show them (sender, recipients,
    values and reactions loaded, as :func:`feed` loads them)."""
    return [_feed_item(shoutout) for shoutout in shoutouts]


def _feed_item(shoutout: ShoutOut) -> FeedItem:
    counts = Counter(r.kind for r in shoutout.reactions)
    thanks = counts.pop("thanks", 0)
    return FeedItem(
        id=shoutout.id,
        sender_id=shoutout.sender_id,
        sender=PersonRef.of(shoutout.sender).name,
        recipients=[
            FeedRecipient(
                person_id=r.person_id,
                team_id=r.team_id,
                name=PersonRef.of(r.person).name
                if r.person is not None
                else (r.team.name if r.team is not None else TEAM_FALLBACK),
            )
            for r in shoutout.recipients
        ],
        pathway=shoutout.pathway,
        pathway_name=PATHWAY_NAMES.get(shoutout.pathway, shoutout.pathway),
        value=shoutout.value.name if shoutout.value is not None else None,
        message=shoutout.message,
        visibility=shoutout.visibility,
        created_at=shoutout.created_at,
        thanks=thanks,
        reactions={kind: counts[kind] for kind in REACTIONS if counts.get(kind)},
    )


def reactions_of(shoutout: ShoutOut, person_id: int) -> set[str]:
    """The kinds of reaction ``person_id`` has added to ``shoutout``."""
    return {r.kind for r in shoutout.reactions if r.person_id == person_id}


def react(session: Session, viewer: Person, shoutout_id: int, kind: str) -> bool:
    """Add a +1 ("thanks") or an emoji; True when added, False when it was there already."""
    if kind not in REACTIONS:
        raise ShoutOutError("kind", f"one of {', '.join(REACTIONS)}")
    shoutout = get_visible(session, viewer, shoutout_id)
    if kind == "thanks" and shoutout.sender_id == viewer.id:
        raise ShoutOutError("kind", "you cannot add your thanks to your own shout-out")
    existing = session.scalar(
        select(Reaction).where(
            Reaction.shoutout_id == shoutout.id,
            Reaction.person_id == viewer.id,
            Reaction.kind == kind,
        )
    )
    if existing is not None:
        return False
    session.add(Reaction(shoutout_id=shoutout.id, person_id=viewer.id, kind=kind))
    session.flush()
    return True


def unreact(session: Session, viewer: Person, shoutout_id: int, kind: str) -> None:
    shoutout = get_visible(session, viewer, shoutout_id)
    for reaction in list(shoutout.reactions):
        if reaction.person_id == viewer.id and reaction.kind == kind:
            session.delete(reaction)
    session.flush()


def hide(session: Session, admin: Person, shoutout_id: int, reason: str) -> ShoutOut:
    """An admin hides a shout-out they may see; the audit log keeps who and why.

    The audit entry names the shout-out and its sender, never its message (an admin may not
    read a private one through the log). Admins racing each other write one entry: the change
    is a conditional UPDATE, and only the request that made it records it.

    Raises
    ------
    ShoutOutNotFound
        No such shout-out, or one the admin may not see (a private one between others), as
        reading it would answer.
    """
    if not admin.is_admin:
        raise ShoutOutNotAllowed("shoutout", "only admins hide shout-outs")
    reason = reason.strip()
    if len(reason) < 3:
        raise ShoutOutError("reason", "say why (at least 3 characters)")
    visible = select(ShoutOut.id).where(
        ShoutOut.id == shoutout_id,
        _visible_to(admin, hidden_too=True),  # type: ignore[arg-type]
    )
    if session.scalar(visible) is None:
        raise ShoutOutNotFound("shoutout", f"no shout-out {shoutout_id}")
    shoutout, hidden = update_once(
        session, ShoutOut, shoutout_id, ShoutOut.hidden_at.is_(None), hidden_at=utcnow()
    )
    assert shoutout is not None  # seen just above, and shout-outs are never deleted here
    if hidden:
        label = f"shout-out {shoutout.id} from {shoutout.sender.name}"
        audit.record(session, admin, "shoutout.hide", "shoutout", shoutout.id, label, reason=reason)
    session.flush()
    return shoutout
