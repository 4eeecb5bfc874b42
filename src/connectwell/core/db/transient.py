"""Which database errors pass: the ones worth a "try again in a few seconds" (a 503).

A pool that waited in vain, a connection lost or refused (a restart, a failover), a lock
waited for too long, a deadlock or a serialization failure, and SQLite's write lock held too
long. Anything else (a missing table, a bad statement, a value the column refuses) is a bug
or a broken install: retrying will not help, so it stays an error (a 500).
"""

from __future__ import annotations

import sqlite3

import sqlalchemy.exc

# PostgreSQL SQLSTATEs: admin/crash shutdown and "cannot connect now" (57P01-57P03), too many
# connections (53300), serialization failure (40001), deadlock (40P01), lock not available
# (55P03, a lock_timeout). Class 08 (connection exceptions) is matched by its prefix.
TRANSIENT_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300", "40001", "40P01", "55P03"})
CONNECTION_CLASS = "08"

#: Seconds a client is asked to wait when the database is busy or away for a moment.
RETRY_AFTER_SECONDS = 5


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` means the database is busy or away for a moment.

    >>> is_transient(sqlalchemy.exc.TimeoutError("QueuePool limit reached"))
    True
    >>> locked = sqlite3.OperationalError("database is locked")
    >>> is_transient(sqlalchemy.exc.OperationalError("UPDATE x", {}, locked))
    True
    >>> missing = sqlite3.OperationalError("no such table: notifications")
    >>> is_transient(sqlalchemy.exc.OperationalError("SELECT x", {}, missing))
    False
    """
    if isinstance(error, sqlalchemy.exc.TimeoutError):  # the pool's wait
        return True
    if not isinstance(error, sqlalchemy.exc.DBAPIError):
        return False
    if error.connection_invalidated:  # SQLAlchemy saw the connection drop
        return True
    cause = error.orig
    if isinstance(cause, sqlite3.Error):
        name = getattr(cause, "sqlite_errorname", None) or ""
        words = str(cause).lower()
        return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or (
            "database is locked" in words or "database is busy" in words
        )
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:
        # psycopg's own connection failures (refused, closed unexpectedly) carry no SQLSTATE.
        return isinstance(error, sqlalchemy.exc.OperationalError) and _is_psycopg(cause)
    return sqlstate in TRANSIENT_SQLSTATES or sqlstate.startswith(CONNECTION_CLASS)


def _is_psycopg(cause: BaseException | None) -> bool:
    return type(cause).__module__.startswith("psycopg")
