"""programmes get the pairing library's preferences; buddies rounds record who got no buddy

Revision ID: 0015_programme_options
Revises: 0014_outbox_sending
Create Date: 2026-12-01 09:00:00

``programs`` gets ``mix_levels``, ``mix_locations`` and ``match_interests`` (false for the
programmes there are: they pair as before). ``buddy_shortages`` lists, per buddies round, the
new hires left without a buddy, so the admin's page can name them. No table is rebuilt (see
``0010_counted_rounds``); SQLite adds a NOT NULL column only with a default, so the three
columns keep a server default there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_programme_options"
down_revision = "0014_outbox_sending"
branch_labels = None
depends_on = None

OPTIONS = ("mix_levels", "mix_locations", "match_interests")


def upgrade() -> None:
    for name in OPTIONS:
        op.add_column(
            "programs", sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())
        )
    if op.get_bind().dialect.name == "postgresql":
        for name in OPTIONS:
            op.alter_column("programs", name, server_default=None)
    op.create_table(
        "buddy_shortages",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_buddy_shortages_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_buddy_shortages_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "person_id", name=op.f("pk_buddy_shortages")),
    )
    op.create_index(
        op.f("ix_buddy_shortages_person_id"), "buddy_shortages", ["person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_buddy_shortages_person_id"), table_name="buddy_shortages")
    op.drop_table("buddy_shortages")
    for name in reversed(OPTIONS):
        op.drop_column("programs", name)
