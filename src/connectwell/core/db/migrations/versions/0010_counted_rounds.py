"""answers carry no day; rounds record when their sealed answers were counted

Revision ID: 0010_counted_rounds
Revises: 0009_messages
Create Date: 2026-11-30 00:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_counted_rounds"
down_revision = "0009_messages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pulse_responses", schema=None) as batch_op:
        batch_op.drop_column("answered_on")
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_column("created_on")
    with op.batch_alter_table("pulse_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counted_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("check_ins_counted_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("check_ins_counted_at")
    with op.batch_alter_table("pulse_rounds", schema=None) as batch_op:
        batch_op.drop_column("counted_at")
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_on", sa.Date(), nullable=False,
                                      server_default=sa.text("'1970-01-01'")))  # fmt: skip
    with op.batch_alter_table("pulse_responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered_on", sa.Date(), nullable=False,
                                      server_default=sa.text("'1970-01-01'")))  # fmt: skip
