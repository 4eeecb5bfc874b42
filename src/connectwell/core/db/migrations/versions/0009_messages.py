"""messages keep their kind and JSON context (for channels that render them later)

Revision ID: 0009_messages
Revises: 0008_audit
Create Date: 2026-11-29 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_messages"
down_revision = "0008_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("context", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("link", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("context", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_column("context")
        batch_op.drop_column("link")
        batch_op.drop_column("kind")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("context")
