"""The rows a message becomes: an inbox line and an e-mail in the outbox.

Both keep the message's ``kind`` and its JSON ``context``, so a channel added later (Slack,
Teams) renders the same message from them with its own templates.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from connectwell.core.db import Base, utcnow


class Notification(Base):
    """One message in a person's in-app inbox."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500), default="")
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_notifications_person_id_id", "person_id", "id"),)


MESSAGE_ID_DOMAIN = "connectwell"


def new_message_id() -> str:
    """A fresh, globally unique ``Message-ID`` (RFC 5322 ``<left@right>``), 128 random bits."""
    return f"<{secrets.token_hex(16)}@{MESSAGE_ID_DOMAIN}>"


class OutboxEmail(Base):
    """An e-mail waiting to be sent, being sent, sent, or (without SMTP) kept for the
    development outbox.

    ``message_id`` is given when the row is queued and is the ``Message-ID`` of every attempt,
    so a copy sent twice (a worker killed between SMTP and marking the row) is one message to
    mail clients. ``status`` goes ``pending`` -> ``sending`` (claimed by ``claimed_by`` at
    ``claimed_at``, committed before SMTP sees it) -> ``sent``, or back to ``pending`` after an
    error, or ``failed`` after the last attempt (see :mod:`connectwell.core.notify.delivery`).
    """

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(40), default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # [{"filename", "content_type", "content"}]: small text attachments such as invites
    attachments: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    message_id: Mapped[str] = mapped_column(String(200), default=new_message_id)
    # pending, sending, sent, failed
    status: Mapped[str] = mapped_column(String(12), default="pending")
    claimed_at: Mapped[dt.datetime | None]
    claimed_by: Mapped[str] = mapped_column(String(200), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]

    __table_args__ = (
        Index("ix_outbox_emails_status_id", "status", "id"),
        Index("ix_outbox_emails_message_id", "message_id", unique=True),
    )
