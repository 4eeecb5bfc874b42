"""the audit log covers every admin action: who by name, target label, what changed

Revision ID: 0008_audit
Revises: 0007_insights
Create Date: 2026-11-29 21:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_audit"
down_revision = "0007_insights"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("actor_label", sa.String(length=200), nullable=False, server_default="system")
        )
        batch_op.add_column(
            sa.Column("target_label", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("changes", sa.JSON(), nullable=True))
        batch_op.alter_column("target_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index("ix_audit_log_action", ["action"], unique=False)
        batch_op.create_index("ix_audit_log_actor_id", ["actor_id"], unique=False)
    # The entries written before: hides of shout-outs, each by a person (an admin), who may
    # have left since (``actor_id`` set to NULL): those read "a former admin", never "system".
    # The label names the shout-out and its sender, never its message (it may be private).
    op.execute(
        "UPDATE audit_log SET actor_label = COALESCE("
        "(SELECT people.name FROM people WHERE people.id = audit_log.actor_id), 'a former admin')"
    )
    op.execute(
        "UPDATE audit_log SET action = 'shoutout.hide', target_label = "
        "'shout-out ' || CAST(target_id AS VARCHAR(20)) || COALESCE("
        "(SELECT ' from ' || people.name"
        " FROM shoutouts JOIN people ON people.id = shoutouts.sender_id"
        " WHERE shoutouts.id = audit_log.target_id), '')"
        " WHERE action = 'hide' AND target_type = 'shoutout'"
    )
    op.execute("UPDATE audit_log SET changes = '{}' WHERE changes IS NULL")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("changes", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("actor_label", server_default=None, existing_type=sa.String(200))
        batch_op.alter_column("target_label", server_default=None, existing_type=sa.String(300))


def downgrade() -> None:
    op.execute("UPDATE audit_log SET action = 'hide' WHERE action = 'shoutout.hide'")
    op.execute("DELETE FROM audit_log WHERE target_id IS NULL")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_actor_id")
        batch_op.drop_index("ix_audit_log_action")
        batch_op.alter_column("target_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("changes")
        batch_op.drop_column("target_label")
        batch_op.drop_column("actor_label")
