"""Erase a person: their personal data goes, what they gave others stays, unnamed.

It spans every domain that keeps something about a person, so it sits at the composition
level beside :mod:`connectwell.models` (pyproject's import-linter layers list it there).

The person's row stays, scrubbed, so everything that counts rows keeps its count: shout-outs
they gave read as from "a former colleague", shout-outs to them keep their text and name
"a former colleague" as the recipient, their pairings, reactions, pulse participation and goal
steps still count, and published figures are never touched (they hold no person). What goes:
name, e-mail, title, location, bio, interests, pause, manager line, role, team leads, the
password, sign-in sessions, API tokens, set-password links, failed sign-ins under their
e-mail, the inbox, e-mail waiting or kept in the outbox, private notes on their pairings,
never-pair lists both ways, programme memberships, their place on a list of new hires left
without a buddy, and digest opt-outs. Their full name and e-mail (whole words, any case)
become "a former colleague" in others' inbox and e-mail (the calendar invites drop them), in
shout-out words and in the audit log; a first name alone in free text may stay.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from markupsafe import escape
from sqlalchemy import ColumnElement, Text, cast, delete, func, or_, select, update
from sqlalchemy.orm import Session

from connectwell.accounts.models import (
    ApiToken,
    Credential,
    LoginFailure,
    PasswordToken,
    SignInSession,
)
from connectwell.accounts.service import lock_key
from connectwell.core import audit, errors
from connectwell.core.audit import AuditEntry
from connectwell.core.notify.models import Notification, OutboxEmail
from connectwell.digests.models import DigestOptOut
from connectwell.people.models import Person, Role, TeamLead
from connectwell.programs.invites import without_attendee
from connectwell.programs.models import BuddyShortage, GroupMember, Membership, NeverPair
from connectwell.shoutouts.models import ShoutOut

FORMER = "a former colleague"
ERASED_DOMAIN = "erased.invalid"  # RFC 2606: can never be a real address


class ErasureError(errors.Invalid):
    """A person who cannot be erased (named by ``field``)."""


class ErasureNotFound(errors.NotFound, ErasureError):
    """Nobody, or nobody not already erased, has that e-mail."""


class ErasureNotAllowed(errors.NotAllowed, ErasureError):
    """Erasing this person would lock everyone out, or is the asker themselves."""


def erased_email(person_id: int) -> str:
    """The placeholder address an erased person keeps (the column is unique and required)."""
    return f"erased-{person_id}@{ERASED_DOMAIN}"


def is_erased(person: Person) -> bool:
    return person.email == erased_email(person.id)


@dataclass(frozen=True)
class Erased:
    """What one erasure removed or scrubbed, by kind (for the audit log and the CLI)."""

    person_id: int
    removed: dict[str, int]
    scrubbed: dict[str, int]

    def __str__(self) -> str:
        parts = [f"{count} {kind}" for kind, count in {**self.removed, **self.scrubbed}.items()]
        return ", ".join(parts) if parts else "nothing but the profile"


def _words(*words: str) -> re.Pattern[str] | None:
    """Any of ``words`` as a whole word (not inside a longer one), in any case."""
    found = sorted({word for word in words if word.strip()}, key=len, reverse=True)
    if not found:
        return None
    either = "|".join(re.escape(word) for word in found)
    return re.compile(rf"(?<!\w)(?:{either})(?!\w)", re.IGNORECASE)


def _scrub(value: Any, words: re.Pattern[str] | None) -> Any:
    """``value`` with every whole-word match of ``words`` replaced by :data:`FORMER`, in
    strings, lists and dicts alike ("Al" leaves "Sales" alone)."""
    if words is None:
        return value
    if isinstance(value, str):
        return words.sub(FORMER, value)
    if isinstance(value, list):
        return [_scrub(item, words) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, words) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class _Named:
    """How a person's name and e-mail can appear in stored text, and the SQL that finds it."""

    name: str
    email: str

    @property
    def words(self) -> re.Pattern[str] | None:
        return _words(self.name, self.email, str(escape(self.name)), str(escape(self.email)))

    def spellings(self) -> set[str]:
        """As written, HTML-escaped (``O&#39;Brien``) and JSON-escaped (``Jos\\u00e9``)."""
        found = set()
        for word in (self.name, self.email):
            if word.strip():
                found |= {word, str(escape(word)), json.dumps(word)[1:-1]}
        return {word.lower() for word in found}

    def in_any(self, *columns: Any) -> ColumnElement[bool]:
        """SQL: one of ``columns`` (text, or JSON read as text) holds a spelling, any case.

        A rough first pass: :attr:`words` decides (whole words only) in Python."""
        return or_(
            *[
                func.lower(cast(column, Text)).contains(spelling, autoescape=True)
                for column in columns
                for spelling in sorted(self.spellings())
            ]
        )


def _rewrite_attachments(attachments: list[dict[str, str]], named: _Named) -> list[dict[str, str]]:
    words = named.words
    rewritten = []
    for attachment in attachments:
        content = attachment.get("content")
        if attachment.get("content_type", "").startswith("text/calendar") and content:
            content = without_attendee(content, named.email, lambda text: _scrub(text, words))
            attachment = {**attachment, "content": content}
        rewritten.append(_scrub(attachment, words))
    return rewritten


def _rewrite_messages(session: Session, named: _Named) -> int:
    """Take the name and e-mail out of others' inbox and mail, and out of shout-out words.

    Messages sent to others about the person ("Lee Lead appreciated you", "Coffee: meet Lee
    Lead", the intro's calendar invite) keep their place and read "a former colleague"; an
    e-mail still waiting to go out is rewritten the same way, so it goes out without them.
    """
    changed = 0
    words = named.words
    for note in session.scalars(
        select(Notification).where(
            named.in_any(Notification.subject, Notification.body, Notification.context)
        )
    ):
        before = (note.subject, note.body, note.context)
        note.subject, note.body = _scrub(note.subject, words), _scrub(note.body, words)
        note.context = _scrub(note.context, words)
        changed += before != (note.subject, note.body, note.context)
    columns = ("subject", "text_body", "html_body", "context", "headers", "attachments")
    for mail in session.scalars(
        select(OutboxEmail).where(named.in_any(*[getattr(OutboxEmail, c) for c in columns]))
    ):
        before = tuple(getattr(mail, column) for column in columns)
        for column in columns[:-1]:
            setattr(mail, column, _scrub(getattr(mail, column), words))
        mail.attachments = _rewrite_attachments(mail.attachments or [], named)
        changed += before != tuple(getattr(mail, column) for column in columns)
    name_only = _words(named.name)
    mentioned = func.lower(ShoutOut.message).contains(named.name.lower(), autoescape=True)
    for shoutout in session.scalars(select(ShoutOut).where(mentioned)):
        message = _scrub(shoutout.message, name_only)
        changed += message != shoutout.message
        shoutout.message = message
    return changed


def _scrub_audit(session: Session, person: Person) -> int:
    """Take the person's name and e-mail out of the audit entries that name them.

    The entries stay (who did what stays on record), with "a former colleague" for them:
    their own actions and entries about them, and entries about other things that name them
    (a team's leads, "shout-out 1 from Lee Lead").
    """
    named = _Named(person.name, person.email)
    words = named.words
    entries = session.scalars(
        select(AuditEntry).where(
            or_(
                AuditEntry.actor_id == person.id,
                (AuditEntry.target_type == "person") & (AuditEntry.target_id == person.id),
                named.in_any(AuditEntry.target_label, AuditEntry.reason, AuditEntry.changes),
            )
        )
    ).all()
    changed = 0
    for entry in entries:
        before = (entry.actor_label, entry.target_label, entry.changes, entry.reason)
        if entry.actor_id == person.id:
            entry.actor_label = FORMER
        if entry.target_type == "person" and entry.target_id == person.id:
            entry.target_label = FORMER
        entry.target_label = _scrub(entry.target_label, words)
        entry.changes = _scrub(entry.changes, words)
        entry.reason = _scrub(entry.reason, words)
        changed += before != (entry.actor_label, entry.target_label, entry.changes, entry.reason)
    return changed


def _locked(session: Session, person_id: int) -> Person:
    """The person's row, fresh and locked until the transaction ends, erasures one at a time.

    Erasures queue on one lock before the last-admin check counts (PostgreSQL: an advisory
    lock, as two admins erasing each other lock different rows; SQLite: a write first, so the
    transaction holds the database's one writer). The row lock (PostgreSQL) makes a job or
    request that locked the person finish first; once the row is read, nobody writes it
    until the erasure commits.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Person).where(Person.id == person_id).values(email=Person.email))
    lock_key(session, "erase-person")
    person = session.scalar(
        select(Person)
        .where(Person.id == person_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if person is None:
        raise ErasureNotFound("person", "nobody has that id")
    return person


def _deleted(session: Session, statement: Any) -> int:
    return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]


def erase_person(session: Session, person: Person, *, actor: Person | None) -> Erased:
    """Erase ``person``'s personal data in the caller's transaction (flushed, not committed).

    Parameters
    ----------
    person
        Who to erase; must not be erased already.
    actor
        The admin who asked (None for the command line); recorded in the audit log.

    Returns
    -------
    Erased
        How many rows of each kind were removed or scrubbed.

    Raises
    ------
    ErasureNotAllowed
        If ``actor`` is ``person``, or ``person`` is the last active admin.
    """
    if is_erased(person):
        raise ErasureNotFound("email", "this person's data has been erased already")
    if actor is not None and actor.id == person.id:
        raise ErasureNotAllowed("person", "you cannot erase yourself; ask another admin")
    person = _locked(session, person.id)
    if is_erased(person):
        raise ErasureNotFound("email", "this person's data has been erased already")
    if person.is_admin and person.is_active:
        admins = session.scalar(
            select(func.count())
            .select_from(Person)
            .where(Person.role == Role.admin.value, Person.is_active, Person.id != person.id)
        )
        if not admins:
            raise ErasureNotAllowed("person", "the last admin cannot be erased; make another first")
    pid, email = person.id, person.email.lower()
    mail = func.lower(OutboxEmail.to_address) == email
    never = or_(NeverPair.person_id == pid, NeverPair.other_id == pid)
    failures = LoginFailure.key == f"email:{email[:250]}"  # as accounts.take_sign_in_attempt
    removals = [
        ("sign-in sessions", delete(SignInSession).where(SignInSession.person_id == pid)),
        ("API tokens", delete(ApiToken).where(ApiToken.person_id == pid)),
        ("passwords", delete(Credential).where(Credential.person_id == pid)),
        ("set-password links", delete(PasswordToken).where(PasswordToken.person_id == pid)),
        ("failed sign-ins", delete(LoginFailure).where(failures)),
        ("inbox messages", delete(Notification).where(Notification.person_id == pid)),
        ("outbox e-mails", delete(OutboxEmail).where(or_(OutboxEmail.person_id == pid, mail))),
        ("never-pair entries", delete(NeverPair).where(never)),
        ("programme memberships", delete(Membership).where(Membership.person_id == pid)),
        ("buddy shortages", delete(BuddyShortage).where(BuddyShortage.person_id == pid)),
        ("team leads", delete(TeamLead).where(TeamLead.person_id == pid)),
        ("digest opt-outs", delete(DigestOptOut).where(DigestOptOut.person_id == pid)),
    ]
    removed = {kind: _deleted(session, statement) for kind, statement in removals}
    notes = _deleted(
        session,
        update(GroupMember)
        .where(GroupMember.person_id == pid, GroupMember.private_note != "")
        .values(private_note=""),
    )
    scrubbed = {
        "private notes": notes,
        "messages naming them": _rewrite_messages(session, _Named(person.name, person.email)),
        "audit entries": _scrub_audit(session, person),
    }
    person.name = FORMER
    person.email = erased_email(pid)
    person.title = person.location = person.bio = person.interests = person.pause_reason = ""
    person.paused_until = person.start_date = None
    person.manager_id = None
    person.role = Role.member.value
    person.is_active = False
    session.flush()
    result = Erased(
        person_id=pid,
        removed={kind: count for kind, count in removed.items() if count},
        scrubbed={kind: count for kind, count in scrubbed.items() if count},
    )
    audit.record(session, actor, "person.erase", "person", pid, FORMER,
                 changes={kind: [count, 0] for kind, count in result.removed.items()})  # fmt: skip
    return result


def erase_person_by_email(session: Session, email: str, *, actor: Person | None) -> Erased:
    """:func:`erase_person` for the person with ``email`` (any case)."""
    cleaned = email.strip().lower()
    person = session.scalar(select(Person).where(func.lower(Person.email) == cleaned))
    if person is None or is_erased(person):
        raise ErasureNotFound("email", f"nobody has the e-mail {email!r}")
    return erase_person(session, person, actor=actor)
