"""Which database errors are a "busy, try again" (core/db/transient.py); no database needed."""

from __future__ import annotations

import sqlite3

import psycopg
import psycopg.errors
import pytest
import sqlalchemy.exc

from connectwell.core.db.transient import is_transient


def _operational(cause: Exception) -> sqlalchemy.exc.OperationalError:
    return sqlalchemy.exc.OperationalError("SELECT 1", {}, cause)


@pytest.mark.parametrize(
    "cause",
    [
        psycopg.OperationalError("connection failed: Connection refused"),  # no SQLSTATE
        psycopg.errors.ConnectionFailure("server closed the connection"),  # 08006
        psycopg.errors.AdminShutdown("terminating connection"),  # 57P01
        psycopg.errors.CannotConnectNow("the database system is starting up"),  # 57P03
        psycopg.errors.TooManyConnections("too many clients already"),  # 53300
        psycopg.errors.SerializationFailure("could not serialize access"),  # 40001
        psycopg.errors.DeadlockDetected("deadlock detected"),  # 40P01
        psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"),  # 55P03
        sqlite3.OperationalError("database is locked"),
    ],
    ids=lambda cause: type(cause).__name__ + ":" + str(cause)[:20],
)
def test_a_busy_or_lost_database_is_transient(cause: Exception) -> None:
    assert is_transient(_operational(cause))


@pytest.mark.parametrize(
    "cause",
    [
        sqlite3.OperationalError("no such table: notifications"),
        sqlite3.OperationalError("no such column: no_such_column"),
        sqlite3.OperationalError("disk I/O error"),
        psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),  # 57014
        psycopg.errors.DiskFull("could not extend file"),  # 53100
    ],
    ids=lambda cause: type(cause).__name__ + ":" + str(cause)[:20],
)
def test_any_other_operational_error_is_not_transient(cause: Exception) -> None:
    assert not is_transient(_operational(cause))


def test_a_pool_that_waited_in_vain_is_transient_and_a_bad_statement_is_not() -> None:
    undefined = psycopg.errors.UndefinedTable("relation does not exist")
    bad = sqlalchemy.exc.ProgrammingError("SELECT 1", {}, undefined)

    assert is_transient(sqlalchemy.exc.TimeoutError("QueuePool limit of size 1 reached"))
    assert not is_transient(bad)
    assert not is_transient(ValueError("not a database error"))
