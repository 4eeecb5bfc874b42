"""answers carry no day; rounds record when their sealed answers were counted

Revision ID: 0010_counted_rounds
Revises: 0009_messages
Create Date: 2026-11-30 00:15:00

No table is rebuilt here. ``batch_alter_table`` would, on SQLite, copy ``pulse_responses`` to a
new table and drop the old one; with foreign keys on (they always are, see
``connectwell.core.db.engine``) that drop cascades into ``pulse_answers`` and deletes every
answer. ``ALTER TABLE ... DROP COLUMN`` / ``ADD COLUMN`` change the table in place, on SQLite
(3.35 or newer) and PostgreSQL alike.
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from alembic import op

revision = "0010_counted_rounds"
down_revision = "0009_messages"
branch_labels = None
depends_on = None

SQLITE_DROP_COLUMN = (3, 35, 0)


def _check_sqlite() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    version = tuple(int(part) for part in sqlite3.sqlite_version.split("."))
    if version < SQLITE_DROP_COLUMN:
        raise RuntimeError(
            f"SQLite {sqlite3.sqlite_version} cannot drop a column in place; connectwell needs "
            "SQLite 3.35 or newer to upgrade (a rebuilt table would lose every pulse answer)"
        )


def upgrade() -> None:
    _check_sqlite()
    op.drop_column("pulse_responses", "answered_on")
    op.drop_column("check_ins", "created_on")
    op.add_column(
        "pulse_rounds", sa.Column("counted_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "rounds", sa.Column("check_ins_counted_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    _check_sqlite()
    op.drop_column("rounds", "check_ins_counted_at")
    op.drop_column("pulse_rounds", "counted_at")
    op.add_column("check_ins", sa.Column("created_on", sa.Date(), nullable=False,
                                         server_default="1970-01-01"))  # fmt: skip
    op.add_column("pulse_responses", sa.Column("answered_on", sa.Date(), nullable=False,
                                               server_default="1970-01-01"))  # fmt: skip
