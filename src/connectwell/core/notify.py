"""The notification port: every message to a person goes through :func:`notify`.

A message lands in the person's in-app inbox and, unless the caller says otherwise, in the
e-mail outbox, in the caller's transaction: if the transaction rolls back, nothing is sent
(a transactional outbox). :func:`deliver_pending` sends the outbox over SMTP when SMTP is
configured; when it is not, the outbox is the development mailbox admins can read in the app.
Slack will plug in here as one more channel.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from sqlalchemy import JSON, ForeignKey, Index, String, Text, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from connectwell.core.config import Settings
from connectwell.core.db import Base, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


class Notification(Base):
    """One message in a person's in-app inbox."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_notifications_person_id_id", "person_id", "id"),)


class OutboxEmail(Base):
    """An e-mail waiting to be sent, sent, or (without SMTP) kept for the development outbox."""

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # [{"filename", "content_type", "content"}]: small text attachments such as invites
    attachments: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_outbox_emails_status_id", "status", "id"),)


@dataclass(frozen=True)
class Recipient:
    person_id: int
    email: str
    name: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST"
    content: str


@dataclass(frozen=True)
class Message:
    """What to tell people. ``text`` is plain text; ``html``, when given, must be escaped."""

    kind: str
    subject: str
    text: str
    html: str | None = None
    link: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    email: bool = True
    inbox: bool = True


def _one_line(value: str, limit: int = 200) -> str:
    return " ".join(value.split())[:limit]


def notify(session: Session, recipients: list[Recipient], message: Message) -> None:
    """Put ``message`` in each recipient's inbox and e-mail outbox; flushes, never commits."""
    subject = _one_line(message.subject)
    for recipient in recipients:
        if message.inbox:
            session.add(
                Notification(
                    person_id=recipient.person_id,
                    kind=message.kind,
                    subject=subject,
                    body=message.text,
                    link=message.link,
                )
            )
        if message.email:
            session.add(
                OutboxEmail(
                    person_id=recipient.person_id,
                    to_address=recipient.email,
                    to_name=_one_line(recipient.name),
                    subject=subject,
                    text_body=message.text,
                    html_body=message.html,
                    headers={k: _one_line(v, 1000) for k, v in message.headers.items()},
                    attachments=[
                        {
                            "filename": a.filename,
                            "content_type": a.content_type,
                            "content": a.content,
                        }
                        for a in message.attachments
                    ],
                )
            )
    session.flush()


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
