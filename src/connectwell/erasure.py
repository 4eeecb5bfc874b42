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
without a buddy, and digest opt-outs; their name and e-mail
also go from the audit log's labels and recorded changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from connectwell.accounts.models import (
    ApiToken,
    Credential,
    LoginFailure,
    PasswordToken,
    SignInSession,
)
from connectwell.core import audit, errors
from connectwell.core.audit import AuditEntry
from connectwell.core.notify.models import Notification, OutboxEmail
from connectwell.digests.models import DigestOptOut
from connectwell.people.models import Person, Role, TeamLead
from connectwell.programs.models import BuddyShortage, GroupMember, Membership, NeverPair

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


def _scrub(value: Any, words: tuple[str, ...]) -> Any:
    """``value`` with every string that contains one of ``words`` replaced by :data:`FORMER`."""
    if isinstance(value, str):
        lowered = value.lower()
        return FORMER if any(word.lower() in lowered for word in words if word) else value
    if isinstance(value, list):
        return [_scrub(item, words) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, words) for key, item in value.items()}
    return value


def _scrub_audit(session: Session, person: Person) -> int:
    """Take the person's name and e-mail out of the audit entries that name them.

    The entries stay (who did what stays on record), with "a former colleague" for them.
    """
    words = (person.name, person.email)
    entries = session.scalars(
        select(AuditEntry).where(
            or_(
                AuditEntry.actor_id == person.id,
                (AuditEntry.target_type == "person") & (AuditEntry.target_id == person.id),
                func.lower(AuditEntry.target_label).contains(person.email.lower()),
            )
        )
    ).all()
    for entry in entries:
        if entry.actor_id == person.id:
            entry.actor_label = FORMER
        entry.target_label = _scrub(entry.target_label, words)
        entry.changes = _scrub(entry.changes, words)
        entry.reason = _scrub(entry.reason, words)
    return len(entries)


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
    if person.is_admin and person.is_active:
        admins = session.scalar(
            select(func.count())
            .select_from(Person)
            .where(Person.role == Role.admin.value, Person.is_active, Person.id != person.id)
        )
        if not admins:
            raise ErasureNotAllowed("person", "the last admin cannot be erased; make another first")
    pid, email = person.id, person.email.lower()
    mail = func.lower(OutboxEmail.to_address) == email.lower()
    never = or_(NeverPair.person_id == pid, NeverPair.other_id == pid)
    removals = [
        ("sign-in sessions", delete(SignInSession).where(SignInSession.person_id == pid)),
        ("API tokens", delete(ApiToken).where(ApiToken.person_id == pid)),
        ("passwords", delete(Credential).where(Credential.person_id == pid)),
        ("set-password links", delete(PasswordToken).where(PasswordToken.person_id == pid)),
        ("failed sign-ins", delete(LoginFailure).where(func.lower(LoginFailure.key) == email)),
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
    scrubbed = {"private notes": notes, "audit entries": _scrub_audit(session, person)}
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
