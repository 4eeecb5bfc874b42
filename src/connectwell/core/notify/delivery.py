"""Reading the inbox, and sending the e-mail outbox over SMTP.

:func:`deliver_pending` sends the outbox over SMTP when SMTP is configured; when it is not, the
outbox is the development mailbox admins can read in the app.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.core.db import utcnow
from connectwell.core.notify.models import Notification, OutboxEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


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


def build_email(settings: Settings, email: OutboxEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = formataddr((email.to_name, email.to_address))
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.created_at)
    message["Message-ID"] = make_msgid(idstring=f"cw{email.id}", domain="connectwell")
    for name, value in (email.headers or {}).items():
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


def deliver_pending(session: Session, settings: Settings, *, limit: int = 100) -> DeliveryReport:
    """Send pending e-mail over SMTP, one connection per batch; the caller commits.

    Does nothing without SMTP settings: the mail stays in the development outbox. Rows are
    claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never send one
    e-mail twice.
    """
    report = DeliveryReport()
    if not settings.smtp_configured:
        return report
    statement = (
        select(OutboxEmail)
        .where(OutboxEmail.status == "pending")
        .order_by(OutboxEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    batch = list(session.scalars(statement))
    if not batch:
        return report
    try:
        smtp = smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
        )
    except OSError as error:
        log.warning("SMTP %s:%s unreachable: %s", settings.smtp_host, settings.smtp_port, error)
        report.errors.append(str(error))
        return report
    with smtp:
        smtp.ehlo()
        if settings.smtp_starttls and smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        for email in batch:
            email.attempts += 1
            try:
                smtp.send_message(build_email(settings, email))
            except (smtplib.SMTPException, ValueError) as error:
                email.last_error = str(error)[:2000]
                email.status = "failed" if email.attempts >= MAX_ATTEMPTS else "pending"
                report.failed += 1
                report.errors.append(f"outbox {email.id}: {error}")
                log.warning("e-mail %s not sent: %s", email.id, error)
            else:
                email.status = "sent"
                email.sent_at = utcnow()
                email.last_error = ""
                report.sent += 1
    session.flush()
    return report
