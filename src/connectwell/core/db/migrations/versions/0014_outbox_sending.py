"""outbox e-mails get one stable Message-ID, and a ``sending`` state with its claim

Revision ID: 0014_outbox_sending
Revises: 0013_legacy_answers
Create Date: 2026-11-30 03:00:00

Each ``outbox_emails`` row gets ``message_id`` (the ``Message-ID`` of every attempt to send it),
``claimed_at`` and ``claimed_by`` (who marked it ``sending``, and when). Existing rows get a
Message-ID made of their id and one random token of this upgrade, unique here and elsewhere.

No table is rebuilt (see ``0010_counted_rounds``): the columns are added in place. SQLite adds a
NOT NULL column only with a default, so the two text columns keep an empty server default
there; the model always gives a value.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0014_outbox_sending"
down_revision = "0013_legacy_answers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "outbox_emails",
        sa.Column("message_id", sa.String(length=200), nullable=False, server_default=""),
    )
    op.add_column(
        "outbox_emails",
        sa.Column("claimed_by", sa.String(length=200), nullable=False, server_default=""),
    )
    op.add_column(
        "outbox_emails", sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True)
    )
    outbox = sa.table("outbox_emails", sa.column("id", sa.Integer), sa.column("message_id"))
    token = secrets.token_hex(8)
    op.execute(
        outbox.update().values(
            message_id=sa.literal("<outbox-")
            + sa.cast(outbox.c.id, sa.String)
            + sa.literal(f".{token}@connectwell>")
        )
    )
    # A row claimed by the old code does not exist: it sent in one transaction.
    op.create_index("ix_outbox_emails_message_id", "outbox_emails", ["message_id"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("outbox_emails", "message_id", server_default=None)
        op.alter_column("outbox_emails", "claimed_by", server_default=None)


def downgrade() -> None:
    op.execute("UPDATE outbox_emails SET status = 'pending' WHERE status = 'sending'")
    op.drop_index("ix_outbox_emails_message_id", table_name="outbox_emails")
    op.drop_column("outbox_emails", "claimed_at")
    op.drop_column("outbox_emails", "claimed_by")
    op.drop_column("outbox_emails", "message_id")
