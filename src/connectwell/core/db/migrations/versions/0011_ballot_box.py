"""the sealed ballot box: answers wait sealed until their round is counted

Revision ID: 0011_ballot_box
Revises: 0010_counted_rounds
Create Date: 2026-11-30 00:30:00

On SQLite the table is created ``WITHOUT ROWID``: rows then sit in the order of their random
keys, not in an implicit ``rowid`` that would follow the order of answering. No table is
rebuilt (creating an index in a batch is done in place).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_ballot_box"
down_revision = "0010_counted_rounds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ballots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("box", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballots")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ballots_box"), ["box"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ballots_box"))
    op.drop_table("ballots")
