"""Run the Alembic migrations from code: on start, from the CLI, and in the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


DEFAULT_FLOOR = 5
MIGRATION_LOCK = 0x636F6E6E6563  # "connec": the advisory lock instances migrate under


def upgrade(engine: Engine, *, anonymity_floor: int = DEFAULT_FLOOR) -> None:
    """Bring the database to the newest revision (a no-op when it is there already).

    All pending revisions run in one transaction; on PostgreSQL under an advisory lock, so
    several instances starting at once migrate one after the other. ``anonymity_floor`` is
    the floor the data migrations coarsen stored answers to (``0013_legacy_answers``); pass
    the setting.
    """
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Instances starting together on one database queue here: the first migrates, the
            # others then find the schema at head (without it their DDL deadlocks or collides).
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        config.attributes["anonymity_floor"] = anonymity_floor
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
