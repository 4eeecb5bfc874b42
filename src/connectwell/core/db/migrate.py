"""Run the Alembic migrations from code: on start, from the CLI, and in the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


DEFAULT_FLOOR = 5


def upgrade(engine: Engine, *, anonymity_floor: int = DEFAULT_FLOOR) -> None:
    """Bring the database to the newest revision (a no-op when it is there already).

    All pending revisions run in one transaction. ``anonymity_floor`` is the floor the data
    migrations coarsen stored answers to (``0013_legacy_answers``); pass the setting.
    """
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["anonymity_floor"] = anonymity_floor
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
