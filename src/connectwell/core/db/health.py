"""Is the database ready to serve: reachable, and its schema at the newest migration?"""

from __future__ import annotations

from functools import cache

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from connectwell.core.db.migrate import alembic_config


@cache
def head_revision() -> str | None:
    """The newest migration this code knows (read once from the migrations folder)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def not_ready(engine: Engine) -> str | None:
    """Why the database cannot serve requests now, in a few words; None when it can.

    One connection and one short query of Alembic's version table (read directly: Alembic's
    own reader logs two lines a call, too many for a probe every few seconds). The words never
    hold the URL or a password.
    """
    try:
        connection = engine.connect()
    except Exception as error:  # any driver error: the database is not reachable
        return f"database unreachable ({type(error).__name__})"
    with connection:
        try:
            found = connection.scalar(text("SELECT version_num FROM alembic_version"))
        except DBAPIError:  # no version table: never migrated
            found = None
    if found != head_revision():
        return "database schema is not at the newest migration: run connectwell migrate"
    return None
