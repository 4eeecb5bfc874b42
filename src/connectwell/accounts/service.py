"""Sign-in, sessions, API tokens and one-time password links. They flush, never commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import DateTime, String, bindparam, case, delete, func, insert, literal, or_, select
from sqlalchemy.orm import Session, joinedload

from connectwell.accounts.models import (
    ApiToken,
    Credential,
    LoginFailure,
    PasswordToken,
    SignInSession,
)
from connectwell.core import audit, errors
from connectwell.core.config import Settings
from connectwell.core.db import utcnow
from connectwell.core.db.updates import update_once
from connectwell.core.notify import tell
from connectwell.core.text import TextRefused, clean_name
from connectwell.people.models import Person, Role

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "cw_"  # noqa: S105 - a label, not a secret
INVITE_DAYS = 14
RESET_HOURS = 2
# IP addresses may carry many people (an office NAT): they get more room than one account.
ADDRESS_FACTOR = 4

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so timing does not tell who has an account.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(errors.Invalid):
    """A sign-in, token or password request that cannot be done; ``field`` names the culprit."""


class AccountNotFound(errors.NotFound, AccountError):
    """No such API token."""


class AccountNotAllowed(errors.NotAllowed, AccountError):
    """Only admins do that."""


class WrongCredentials(AccountError):
    def __init__(self) -> None:
        super().__init__("password", "Wrong e-mail or password.")


class TooManyAttempts(AccountError):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            "password", f"Too many failed sign-ins. Try again in {retry_after} seconds."
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- passwords -----------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str, person: Person | None = None) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password", f"at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1024:
        raise AccountError("password", "at most 1024 characters")
    if person is not None and password.strip().lower() == person.email:
        raise AccountError("password", "must not be your e-mail address")


def set_password(
    session: Session, person: Person, password: str, *, password_hash: str | None = None
) -> None:
    """Set a person's password (checked against the rules); end their sessions and links."""
    if password_hash is None:
        check_password_rules(password, person)
        password_hash = hash_password(password)
    credential = session.get(Credential, person.id)
    if credential is None:
        session.add(Credential(person_id=person.id, password_hash=password_hash))
    else:
        credential.password_hash = password_hash
        credential.changed_at = utcnow()
    # A new password ends what the old one (or someone who had it) could still use: every
    # sign-in session, and every invitation and reset link not yet used. There is no
    # "change my password" page for a signed-in person, so there is no current session to
    # keep: the reset page starts a fresh one once the password is set.
    session.execute(delete(SignInSession).where(SignInSession.person_id == person.id))
    _end_links(session, person)
    session.flush()


def _waits(limit: int, settings: Settings) -> list[tuple[int, dt.timedelta]]:
    """The wait after ``limit`` failures and each one more: 30 s, doubling up to the window."""
    window = settings.login_failure_window_seconds
    waits: list[tuple[int, dt.timedelta]] = []
    extra = 0
    while True:
        seconds = min(30 * 2**extra, window)
        waits.append((limit + extra, dt.timedelta(seconds=seconds)))
        if seconds >= window:
            return waits
        extra += 1


def lock_key(session: Session, key: str) -> None:
    """PostgreSQL: one transaction at a time holds ``key`` until it ends (SQLite: its one
    writer does the same for every key)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


def _take_attempt(session: Session, key: str, limit: int, settings: Settings) -> int | None:
    """Count one attempt for ``key`` if the slow-down allows it now; None when it does not.

    One statement counts the recent failures and decides: it inserts the attempt's row only
    while fewer than ``limit`` are recent, or when the wait after the last one has passed (30 s
    after ``limit`` failures, doubling with each further one). Requests racing for one key
    queue on the key (PostgreSQL: a transaction-scoped advisory lock; SQLite: the database's
    one writer), so each sees the attempts of those before it: at most ``limit`` pass.
    Returns the id of the attempt's row, which stays as a failure unless the caller deletes it.
    """
    now = utcnow()
    recent = (LoginFailure.key == key) & (
        LoginFailure.at >= now - dt.timedelta(seconds=settings.login_failure_window_seconds)
    )
    count = select(func.count()).where(recent).scalar_subquery()
    last = select(func.max(LoginFailure.at)).where(recent).scalar_subquery()
    waits = _waits(limit, settings)
    allowed_before = case(
        *[(count == failures, literal(now - wait, DateTime())) for failures, wait in waits],
        else_=literal(now - waits[-1][1], DateTime()),
    )
    lock_key(session, key)
    row_id = session.execute(
        insert(LoginFailure)
        .from_select(
            ["key", "at"],
            select(literal(key, String()), literal(now, DateTime())).where(
                or_(count < limit, last <= allowed_before)
            ),
        )
        .returning(LoginFailure.id)
    ).scalar_one_or_none()
    return row_id


def _retry_after(session: Session, key: str, limit: int, settings: Settings) -> int:
    """Seconds to wait before ``key`` may try again (for the message; the insert decides)."""
    since = utcnow() - dt.timedelta(seconds=settings.login_failure_window_seconds)
    count, last = session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(
            LoginFailure.key == key, LoginFailure.at >= since
        )
    ).one()
    if count < limit or last is None:
        return 1
    if last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)
    wait = min(30 * 2 ** (count - limit), settings.login_failure_window_seconds)
    remaining = wait - (utcnow() - last).total_seconds()
    return max(1, int(remaining + 0.999))


@dataclass(frozen=True)
class SignInAttempt:
    """An attempt counted by :func:`take_sign_in_attempt`, waiting for its password check."""

    email: str
    email_key: str
    address_attempt_id: int


def take_sign_in_attempt(
    session: Session, email: str, *, address: str, settings: Settings
) -> SignInAttempt:
    """Count a sign-in attempt for the e-mail and the address, or refuse it.

    Commit right after it, before :func:`check_sign_in`: then the count is kept (and other
    attempts for the same keys stop queueing) while the slow password check runs.

    Raises
    ------
    TooManyAttempts
        After ``login_max_failures`` failures for this e-mail (or four times as many from
        this address) within the window; the wait doubles with each further failure.
    """
    email = email.strip().lower()
    email_key = "email:" + email[:250]
    address_key = "address:" + address[:250]
    limit = settings.login_max_failures
    address_attempt = _take_attempt(session, address_key, limit * ADDRESS_FACTOR, settings)
    if address_attempt is None:
        raise TooManyAttempts(_retry_after(session, address_key, limit * ADDRESS_FACTOR, settings))
    if _take_attempt(session, email_key, limit, settings) is None:
        session.execute(delete(LoginFailure).where(LoginFailure.id == address_attempt))
        raise TooManyAttempts(_retry_after(session, email_key, limit, settings))
    return SignInAttempt(email, email_key, address_attempt)


def check_sign_in(session: Session, attempt: SignInAttempt, password: str) -> Person:
    """Check the password of a counted attempt; a right one takes the failures back.

    Raises
    ------
    WrongCredentials
        The same error for an unknown e-mail, an inactive person and a wrong password; the
        attempt stays counted as a failure.
    """
    person = session.scalar(select(Person).where(Person.email == attempt.email))
    credential = session.get(Credential, person.id) if person is not None else None
    stored = credential.password_hash if credential else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
        valid = credential is not None and person is not None and person.is_active
    except (VerificationError, InvalidHashError):
        valid = False
    if not valid or person is None or credential is None:
        raise WrongCredentials()
    if _hasher.check_needs_rehash(stored):
        credential.password_hash = hash_password(password)
    session.execute(
        delete(LoginFailure).where(
            or_(
                LoginFailure.key == attempt.email_key, LoginFailure.id == attempt.address_attempt_id
            )
        )
    )
    session.flush()
    return person


def authenticate(
    session: Session, email: str, password: str, *, address: str, settings: Settings
) -> Person:
    """Check an e-mail and password in one go, slowing down repeated failures.

    :func:`take_sign_in_attempt` then :func:`check_sign_in` without a commit between them:
    for scripts and tests. The sign-in page commits between them, so the attempt is counted
    before the slow password check and parallel requests cannot check more than the limit.
    """
    attempt = take_sign_in_attempt(session, email, address=address, settings=settings)
    return check_sign_in(session, attempt, password)


def forget_old_failures(session: Session, settings: Settings) -> int:
    since = utcnow() - dt.timedelta(seconds=settings.login_failure_window_seconds)
    result = session.execute(delete(LoginFailure).where(LoginFailure.at < since))
    return int(getattr(result, "rowcount", 0) or 0)


# --- sign-in sessions ----------------------------------------------------------------------


def start_session(
    session: Session, person: Person, settings: Settings, *, user_agent: str = ""
) -> str:
    """Open a sign-in session; returns the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        SignInSession(
            token_hash=token_hash(token),
            person_id=person.id,
            expires_at=utcnow() + dt.timedelta(days=settings.session_days),
            user_agent=user_agent[:200],
        )
    )
    session.flush()
    return token


# Read on every signed-in request: built once (one query for the session and its person).
_SESSION_AND_PERSON = (
    select(SignInSession)
    .where(SignInSession.token_hash == bindparam("token_hash"))
    .options(joinedload(SignInSession.person))
)


def person_for_session(session: Session, token: str) -> Person | None:
    row = session.scalar(_SESSION_AND_PERSON, {"token_hash": token_hash(token)})
    if row is None or row.expires_at <= utcnow() or not row.person.is_active:
        return None
    return row.person


def end_session(session: Session, token: str) -> None:
    session.execute(delete(SignInSession).where(SignInSession.token_hash == token_hash(token)))


def sessions_of(session: Session, person_id: int) -> list[SignInSession]:
    return list(
        session.scalars(
            select(SignInSession)
            .where(SignInSession.person_id == person_id)
            .order_by(SignInSession.id.desc())
        )
    )


# --- API tokens ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once


def create_api_token(session: Session, *, owner: Person, name: str, created_by: Person) -> NewToken:
    """An admin makes a token that acts as themselves (for automation).

    Tokens are personal: a token acts with all of its owner's rights and reads what only
    they may read (private shout-outs, their never-pair list, their inbox), so the only
    person who may make one is its owner. ``owner`` is still a parameter so that the refusal
    is explicit and names the form's field.

    Raises
    ------
    AccountNotAllowed
        ``created_by`` is not an admin, or ``owner`` is someone else (field
        ``owner_email``): a 403, as the request is well formed but asks for a right nobody
        has. Nothing is written, nor audited.
    AccountError
        A name that is blank, longer than 100 characters or holds a control, text-direction
        or invisible character (:func:`connectwell.core.text.clean_name`); an inactive owner.
    """
    if not created_by.is_admin:
        raise AccountNotAllowed("owner", "only admins make API tokens")
    if owner.id != created_by.id:
        raise AccountNotAllowed(
            "owner_email",
            "A token acts as the person who makes it: you can make one only for yourself.",
        )
    try:
        name = clean_name(name, max_length=100)
    except TextRefused as refused:
        raise AccountError("name", f"1 to 100 characters; this one {refused}") from None
    if not owner.is_active:
        raise AccountError("owner", "the owner is not active")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        prefix=secret[:10],
        token_hash=token_hash(secret),
        person_id=owner.id,
        created_by_id=created_by.id,
    )
    session.add(token)
    session.flush()
    after = {"name": token.name, "prefix": token.prefix, "owner": owner.email}
    label = f"{token.name} (acts as {owner.name})"
    audit.record(session, created_by, "token.create", "api_token", token.id, label,
                 changes=audit.changes({}, after))  # fmt: skip
    return NewToken(token=token, secret=secret)


def person_for_api_token(session: Session, secret: str) -> Person | None:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    if token is None or token.revoked_at is not None or not token.person.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        token.last_used_at = now
    return token.person


def list_api_tokens(session: Session, *, person_id: int | None = None) -> list[ApiToken]:
    statement = select(ApiToken).order_by(ApiToken.id.desc())
    if person_id is not None:
        statement = statement.where(ApiToken.person_id == person_id)
    return list(session.scalars(statement))


def revoke_api_token(session: Session, token_id: int, *, actor: audit.Actor) -> ApiToken:
    """Revoke a token for good; admins racing each other write one audit entry (the change is
    a conditional UPDATE, recorded only by the request that made it)."""
    token, revoked = update_once(
        session, ApiToken, token_id, ApiToken.revoked_at.is_(None), revoked_at=utcnow()
    )
    if token is None:
        raise AccountNotFound("token", f"no token {token_id}")
    if revoked:
        label = f"{token.name} (acts as {token.person.name})"
        change = {"revoked": [False, True]}
        audit.record(session, actor, "token.revoke", "api_token", token.id, label, changes=change)
    session.flush()
    return token


# --- invitations and resets ----------------------------------------------------------------


def _end_links(session: Session, person: Person, purpose: str | None = None) -> None:
    """Delete ``person``'s unused one-time links (of ``purpose``, or all): they stop working.

    Used links stay, as the record that they were used."""
    statement = delete(PasswordToken).where(
        PasswordToken.person_id == person.id, PasswordToken.used_at.is_(None)
    )
    if purpose is not None:
        statement = statement.where(PasswordToken.purpose == purpose)
    session.execute(statement, execution_options={"synchronize_session": False})


def _password_link(session: Session, person: Person, purpose: str, lifetime: dt.timedelta) -> str:
    """A new one-time link of ``purpose``; it ends the person's older unused ones of that
    purpose, so only the newest e-mail works (an older one may sit in a shared mailbox).

    Requests racing for one person queue on a lock of their own, so each ends the link of
    the one before it and exactly one link stays live."""
    lock_key(session, f"password-link:{person.id}")
    _end_links(session, person, purpose)
    secret = secrets.token_urlsafe(32)
    session.add(
        PasswordToken(
            token_hash=token_hash(secret),
            person_id=person.id,
            purpose=purpose,
            expires_at=utcnow() + lifetime,
        )
    )
    return secret


def invite(
    session: Session, people: list[Person], settings: Settings, *, actor: audit.Actor
) -> int:
    """E-mail each person a link to set their password and sign in; returns how many."""
    for person in people:
        audit.record(session, actor, "people.invite", "person", person.id, person.name)
        secret = _password_link(session, person, "invite", dt.timedelta(days=INVITE_DAYS))
        tell(
            session,
            [person],
            "invite",
            settings=settings,
            inbox=False,
            link=f"/password/{secret}",
            secret_link=True,
            days=INVITE_DAYS,
        )
    session.flush()
    return len(people)


def request_reset(session: Session, email: str, settings: Settings) -> None:
    """E-mail a reset link if the address belongs to an active person; silent otherwise."""
    person = session.scalar(select(Person).where(Person.email == email.strip().lower()))
    if person is None or not person.is_active:
        return
    secret = _password_link(session, person, "reset", dt.timedelta(hours=RESET_HOURS))
    tell(
        session,
        [person],
        "password-reset",
        settings=settings,
        inbox=False,
        link=f"/password/{secret}",
        secret_link=True,
        hours=RESET_HOURS,
    )


def person_for_password_link(session: Session, secret: str) -> PasswordToken:
    row = session.scalar(
        select(PasswordToken).where(PasswordToken.token_hash == token_hash(secret))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise AccountError("link", "This link has expired or was already used. Ask for a new one.")
    if not row.person.is_active:
        raise AccountError("link", "This account is not active.")
    return row


def use_password_link(session: Session, secret: str, password: str) -> Person:
    """Set the password through a link: the link is used, and every other outstanding link
    of the person (an invitation, an older reset) and every session of theirs ends."""
    row = person_for_password_link(session, secret)
    check_password_rules(password, row.person)
    row.used_at = utcnow()
    session.flush()  # used before set_password ends the unused ones
    set_password(session, row.person, password)
    return row.person


PERSON_NAME_LENGTH = 200  # people.name


def create_admin(session: Session, *, email: str, name: str, password: str) -> Person:
    """Make (or promote) an admin with a password: the first step of a real install."""
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError("email", str(error)) from None
    try:
        name = clean_name(name, max_length=PERSON_NAME_LENGTH) if name.strip() else email
    except TextRefused as refused:
        raise AccountError("name", str(refused)) from None
    person = session.scalar(select(Person).where(Person.email == email))
    before = audit.fields(person, ("role", "is_active")) if person is not None else {}
    if person is None:
        person = Person(email=email, name=name)
        session.add(person)
    person.role = Role.admin.value
    person.is_active = True
    session.flush()
    set_password(session, person, password)
    if change := audit.changes(before, audit.fields(person, ("role", "is_active"))):
        # Only the command line makes admins this way: the person at it is "the system".
        audit.record(session, None, "person.role", "person", person.id, person.name,
                     changes=change)  # fmt: skip
    return person
