"""Reading the inbox, and sending the e-mail outbox over SMTP.

:func:`deliver_pending` sends the outbox over SMTP when SMTP is configured; when it is not, the
outbox is the development mailbox admins can read in the app.

Delivery survives crashes and races without losing mail and with at most one duplicate per
crash, always under the row's one ``Message-ID`` (given when the row was queued), so mail
clients show it once:

1. *claim*: in its own committed transaction, a few rows go from ``pending`` to ``sending``
   with a claim time and owner, each by a conditional ``UPDATE ... WHERE status = 'pending'``
   (only one of several workers can change a row; on SQLite ``FOR UPDATE SKIP LOCKED`` does
   nothing, so the condition is the claim, as in :mod:`connectwell.core.db.updates`);
2. *send*: each claimed message goes to SMTP;
3. *mark*: right after SMTP accepts it, the row is marked ``sent`` in its own transaction.

A worker killed between 2 and 3 leaves one row in ``sending``: after :data:`CLAIM_TIMEOUT` any
worker claims it again and sends it a second time, with the same ``Message-ID``. Rows claimed
but never handed to SMTP are sent once, after the same timeout.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.config import Settings
from connectwell.core.db import transaction, utcnow
from connectwell.core.notify.models import Notification, OutboxEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CLAIM_TIMEOUT = dt.timedelta(minutes=10)  # a row ``sending`` this long: its worker died
BATCH = 10  # rows claimed at a time: at most this many wait for the timeout after a crash
PER_RUN = 200  # rows one call sends at most, so a worker stopping waits for little


# --- the inbox -----------------------------------------------------------------------------


def inbox(session: Session, person_id: int, *, limit: int = 50) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.person_id == person_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(session: Session, person_id: int) -> int:
    statement = select(func.count()).where(
        Notification.person_id == person_id, Notification.read_at.is_(None)
    )
    return session.scalar(statement) or 0


def mark_read(session: Session, person_id: int, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) notification of a person read; returns how many."""
    statement = (
        update(Notification)
        .where(Notification.person_id == person_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    if notification_id is not None:
        statement = statement.where(Notification.id == notification_id)
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def outbox(session: Session, *, limit: int = 100) -> list[OutboxEmail]:
    return list(session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(limit)))


# --- delivery ------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


# A claimed row: its id, its attempts so far, and its message (or why it cannot be built).
Prepared = tuple[int, int, EmailMessage | ValueError]


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def build_email(settings: Settings, email: OutboxEmail) -> EmailMessage:
    """The message of an outbox row, the same on every attempt: its stored ``Message-ID``."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = formataddr((email.to_name, email.to_address))
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.created_at)
    message["Message-ID"] = email.message_id
    for name, value in (email.headers or {}).items():
        if name.lower() not in {"message-id", "from", "to", "subject", "date"}:
            message[name] = value
    message.set_content(email.text_body)
    if email.html_body:
        message.add_alternative(email.html_body, subtype="html")
    for attachment in email.attachments or []:
        main, _, rest = attachment["content_type"].partition("/")
        subtype, *parameters = [part.strip() for part in rest.split(";")]
        params = dict(p.split("=", 1) for p in parameters if "=" in p)
        if main != "text":
            raise ValueError(f"only text attachments are supported, not {main}/{subtype}")
        message.add_attachment(
            attachment["content"], subtype=subtype, filename=attachment["filename"], params=params
        )
    return message


def _claimable(now: dt.datetime, timeout: dt.timedelta) -> ColumnElement[bool]:
    """Rows a worker may claim: pending, or ``sending`` for longer than ``timeout``."""
    return or_(
        OutboxEmail.status == "pending",
        and_(OutboxEmail.status == "sending", OutboxEmail.claimed_at < now - timeout),
    )


def claim_batch(
    session: Session,
    worker: str,
    now: dt.datetime,
    *,
    size: int = BATCH,
    timeout: dt.timedelta = CLAIM_TIMEOUT,
    after: int = 0,
) -> list[int]:
    """Mark up to ``size`` claimable rows ``sending`` for ``worker``; returns their ids.

    Only rows with an id above ``after`` are taken: one delivery run goes through the outbox
    once, and a message that failed waits for the next run rather than being tried again at
    once.

    Each row is claimed by a conditional ``UPDATE`` that re-checks that it is still claimable,
    so of two workers that read the same candidates only one changes each row (its update
    counts one row); the other skips it. On PostgreSQL ``SKIP LOCKED`` also keeps two workers
    from reading the same candidates. The caller commits before sending anything.
    """
    candidates = list(
        session.scalars(
            select(OutboxEmail.id)
            .where(OutboxEmail.id > after, _claimable(now, timeout))
            .order_by(OutboxEmail.id)
            .limit(size)
            .with_for_update(skip_locked=True)
        )
    )
    claimed = []
    for row_id in candidates:
        result = session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == row_id, _claimable(now, timeout))
            .values(
                status="sending",
                claimed_at=now,
                claimed_by=worker,
                attempts=OutboxEmail.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) == 1:
            claimed.append(row_id)
    return claimed


def _open(settings: Settings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
    )
    try:
        smtp.ehlo()
        if settings.smtp_starttls and smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
    except BaseException:
        smtp.close()
        raise
    return smtp


# Anything shaped like an e-mail address, with the angle brackets around it.
_ADDRESS = re.compile(r"<?[^\s<>@'\"]+@[^\s<>'\"]+>?")


def describe_error(error: BaseException) -> str:
    """What went wrong sending, for the log and ``last_error``: the error's class and the SMTP
    code and reply, with no address in it (a refused recipient's error holds the address, and
    servers repeat it in their replies).

    >>> refused = smtplib.SMTPRecipientsRefused(
    ...     {"mia@example.org": (550, b"5.1.1 <mia@example.org>: Recipient address rejected")})
    >>> describe_error(refused)
    'SMTPRecipientsRefused: 550 5.1.1 <address>: Recipient address rejected'
    >>> describe_error(smtplib.SMTPSenderRefused(553, b"bad sender ops@example.org", "ops@x.org"))
    'SMTPSenderRefused: 553 bad sender <address>'
    """
    name = type(error).__name__
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = {_reply(code, said) for code, said in error.recipients.values()}
        return f"{name}: " + "; ".join(sorted(replies)) if replies else name
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{name}: {_reply(error.smtp_code, error.smtp_error)}"
    return f"{name}: {_ADDRESS.sub('<address>', str(error))}"


def _reply(code: int, said: bytes | str) -> str:
    text = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
    return f"{code} {_ADDRESS.sub('<address>', text)}"


def _finish(factory: sessionmaker[Session], row_id: int, worker: str, **values: object) -> None:
    """Record the outcome of this worker's attempt on a row it claimed, in its own transaction.

    A row another worker claimed again meanwhile (this attempt outlived the timeout) is left
    to that worker, unless this attempt sent it.
    """
    with transaction(factory) as session:
        statement = update(OutboxEmail).where(
            OutboxEmail.id == row_id, OutboxEmail.status == "sending"
        )
        if values.get("status") != "sent":
            statement = statement.where(OutboxEmail.claimed_by == worker)
        session.execute(statement.values(**values).execution_options(synchronize_session=False))


def deliver_pending(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    limit: int = PER_RUN,
    batch: int = BATCH,
    timeout: dt.timedelta = CLAIM_TIMEOUT,
    worker: str | None = None,
    clock: Callable[[], dt.datetime] = utcnow,
) -> DeliveryReport:
    """Send up to ``limit`` outbox e-mails over SMTP, claiming ``batch`` at a time.

    Commits on its own (the one job that does: a row must be seen as ``sending`` by every
    other worker before SMTP has it, see the module's docstring). Does nothing without SMTP
    settings: the mail stays in the development outbox. An error on one message puts it back
    to ``pending`` (``failed`` after :data:`MAX_ATTEMPTS`); a lost connection puts back the
    rest of the batch without counting an attempt for them.
    """
    report = DeliveryReport()
    if not settings.smtp_configured:
        return report
    worker = worker or default_worker_name()
    with transaction(factory) as session:
        due = session.scalar(select(OutboxEmail.id).where(_claimable(clock(), timeout)).limit(1))
    if due is None:
        return report
    try:
        smtp = _open(settings)
    except (OSError, smtplib.SMTPException) as error:
        said = describe_error(error)
        log.warning("SMTP %s:%s unreachable: %s", settings.smtp_host, settings.smtp_port, said)
        report.errors.append(said)
        return report
    after = 0
    with smtp:
        while report.sent + report.failed < limit:
            size = min(batch, limit - report.sent - report.failed)
            with transaction(factory) as session:
                ids = claim_batch(session, worker, clock(), size=size, timeout=timeout, after=after)
                messages: list[Prepared] = []
                for row_id in ids:
                    email = session.get_one(OutboxEmail, row_id)
                    try:
                        messages.append((row_id, email.attempts, build_email(settings, email)))
                    except ValueError as error:
                        messages.append((row_id, MAX_ATTEMPTS, error))
            if not ids:
                break
            after = ids[-1]
            if not _send_batch(factory, smtp, worker, messages, report):
                break
    return report


def _send_batch(
    factory: sessionmaker[Session],
    smtp: smtplib.SMTP,
    worker: str,
    messages: list[Prepared],
    report: DeliveryReport,
) -> bool:
    """Send claimed messages one by one, marking each; False when the connection is lost."""
    for position, (row_id, attempts, message) in enumerate(messages):
        try:
            if isinstance(message, ValueError):
                raise message
            smtp.send_message(message)
        except (OSError, ValueError) as error:  # smtplib.SMTPException is an OSError
            status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
            said = describe_error(error)
            _finish(factory, row_id, worker, status=status, last_error=said[:2000])
            report.failed += 1
            report.errors.append(f"outbox {row_id}: {said}")
            log.warning("e-mail %s not sent: %s", row_id, said)
            lost = isinstance(error, smtplib.SMTPServerDisconnected) or (
                isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)
            )
            if lost:
                for rest, _, _ in messages[position + 1 :]:  # never handed to SMTP
                    _finish(factory, rest, worker, status="pending",
                            attempts=OutboxEmail.attempts - 1)  # fmt: skip
                return False
        else:
            _finish(factory, row_id, worker, status="sent", sent_at=utcnow(), last_error="")
            report.sent += 1
    return True
