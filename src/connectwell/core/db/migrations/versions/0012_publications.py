"""publications, published figures and the disclosure ledger; published rows never change

Revision ID: 0012_publications
Revises: 0011_ballot_box
Create Date: 2026-11-30 01:00:00

The stored ``insight_snapshots`` are emptied: they were written by the previous version (live
figures at full precision, a network payload of another shape) and the nightly ``insights``
job rebuilds them. No table is rebuilt.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_publications"
down_revision = "0011_ballot_box"
branch_labels = None
depends_on = None

IMMUTABLE = ("publications", "published_figures", "disclosure_ledger")


def upgrade() -> None:
    op.execute("DELETE FROM insight_snapshots")
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint("kind", "source_id", name="uq_publications_kind_source"),
    )
    op.create_table(
        "published_figures",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_published_figures_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("publication_id", "scope", name=op.f("pk_published_figures")),
    )
    op.create_index("ix_published_figures_scope", "published_figures", ["scope"], unique=False)
    op.create_table(
        "disclosure_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("universe", sa.String(length=40), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_disclosure_ledger_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_ledger")),
    )
    op.create_index(
        op.f("ix_disclosure_ledger_publication_id"),
        "disclosure_ledger",
        ["publication_id"],
        unique=False,
    )
    op.create_index(
        "ix_disclosure_ledger_universe", "disclosure_ledger", ["universe", "measure"], unique=False
    )
    # Published rows never change: UPDATE is refused by the database itself. DELETE is not
    # blocked (a publication's rows go with it; the test fixtures empty every table).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION connectwell_refuse_update() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'published rows never change (table %)', TG_TABLE_NAME;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        for table in IMMUTABLE:
            op.execute(
                f"CREATE TRIGGER {table}_never_updated BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION connectwell_refuse_update()"
            )
    else:
        for table in IMMUTABLE:
            op.execute(
                f"CREATE TRIGGER {table}_never_updated BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'published rows never change (table {table})'); END"
            )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in IMMUTABLE:
        op.execute(
            f"DROP TRIGGER IF EXISTS {table}_never_updated" + (f" ON {table}" if postgresql else "")
        )
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS connectwell_refuse_update()")
    op.drop_index("ix_disclosure_ledger_universe", table_name="disclosure_ledger")
    op.drop_index(op.f("ix_disclosure_ledger_publication_id"), table_name="disclosure_ledger")
    op.drop_table("disclosure_ledger")
    op.drop_index("ix_published_figures_scope", table_name="published_figures")
    op.drop_table("published_figures")
    op.drop_table("publications")
