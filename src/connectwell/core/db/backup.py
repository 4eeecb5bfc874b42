"""Back up and restore the whole database: one file, taken while the app runs.

SQLite uses its online backup API (a consistent copy page by page while others read and
write); PostgreSQL uses ``pg_dump`` and ``pg_restore`` in the custom format, found on ``PATH``
(Debian: ``apt-get install postgresql-client``, the same major version as the server or newer).

A restore refuses a database that holds rows already unless ``force`` is given, so a
mistyped ``DATABASE_URL`` does not wipe a live install. The caller migrates to head after a
restore (a backup of an older version is brought up to date).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select, table
from sqlalchemy.engine import URL

from connectwell.core import errors

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
BOOKKEEPING = {"alembic_version"}  # tables a freshly migrated, empty database has rows in


class BackupError(errors.Invalid):
    """A backup or restore that cannot be done; ``field`` names the file or the database."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("database", "an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The URL as libpq reads it (no driver name) and the environment with its password.

    The password goes in ``PGPASSWORD``, never on the command line where ``ps`` shows it.
    """
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            "database",
            f"{name} is not on PATH: install the PostgreSQL client tools "
            "(Debian/Ubuntu: apt-get install postgresql-client)",
        )
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    # The command is ours: a tool found on PATH and the configured database; no shell.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tool = Path(command[0]).name
        words = done.stderr.strip() or f"exit code {done.returncode}"
        raise BackupError("database", f"{tool} failed: {words}")


def rows_held(engine: Engine) -> dict[str, int]:
    """Rows in each table that holds any, leaving out Alembic's version table.

    Complexity: one ``count(*)`` per table.
    """
    counts: dict[str, int] = {}
    names = inspect(engine).get_table_names()
    with engine.connect() as connection:
        for name in sorted(set(names) - BOOKKEEPING):
            found = connection.scalar(select(func.count()).select_from(table(name))) or 0
            if found:
                counts[name] = found
    return counts


def backup(engine: Engine, file: Path) -> None:
    """Write a consistent copy of the database behind ``engine`` to ``file`` (a new file,
    readable and writable by its owner only: mode 0600, whatever the umask).

    Raises
    ------
    BackupError
        If ``file`` exists already, or ``pg_dump`` is missing or fails.
    """
    if file.exists():
        raise BackupError("file", f"{file} exists already: choose a new file name")
    url = engine.url
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        _create_private(file)  # before SQLite opens it: never readable by others
        try:
            target = sqlite3.connect(file)
            try:
                with target:
                    source.backup(target)
            finally:
                target.close()
        except BaseException:
            file.unlink(missing_ok=True)
            raise
        finally:
            source.close()
        return
    conninfo, env = _libpq(url)
    partial = file.with_name(file.name + ".partial")
    partial.unlink(missing_ok=True)  # left by a run that was killed
    try:
        _create_private(partial)  # pg_dump writes into it and keeps its mode
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}",
              f"--dbname={conninfo}"], env)  # fmt: skip
        partial.rename(file)
    finally:
        partial.unlink(missing_ok=True)


def _create_private(file: Path) -> None:
    """Create ``file`` empty, readable and writable by its owner only (0600) whatever the
    umask: a backup holds every person's e-mail and every answer.

    Raises
    ------
    BackupError
        If ``file`` exists already (created meanwhile by someone else).
    """
    try:
        handle = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as error:
        raise BackupError("file", f"{file} exists already: choose a new file name") from error
    try:
        os.fchmod(handle, 0o600)  # the umask may have taken bits away, never added: be exact
    finally:
        os.close(handle)


def _check_file(file: Path, magic: bytes, kind: str) -> None:
    if not file.is_file():
        raise BackupError("file", f"{file} does not exist")
    with file.open("rb") as handle:
        if handle.read(len(magic)) != magic:
            raise BackupError("file", f"{file} is not a {kind} backup made by connectwell backup")


def restore(engine: Engine, file: Path, *, force: bool = False) -> None:
    """Replace the database behind ``engine`` with the backup in ``file``.

    Raises
    ------
    BackupError
        If the file is not a backup of this kind of database, if the database holds rows and
        ``force`` is false, or if ``pg_restore`` is missing or fails. On PostgreSQL the restore
        is one transaction: it happens whole or not at all.
    """
    url = engine.url
    sqlite = url.get_backend_name() == "sqlite"
    _check_file(
        file, SQLITE_MAGIC if sqlite else PG_DUMP_MAGIC, "SQLite" if sqlite else "PostgreSQL"
    )
    held = rows_held(engine)
    if held and not force:
        total = sum(held.values())
        raise BackupError(
            "database",
            f"holds {total} rows in {len(held)} tables already; restoring would replace them. "
            "Restore into an empty database, or pass --force to replace what is there",
        )
    engine.dispose()  # no pooled connection of ours holds the old schema
    if sqlite:
        source = sqlite3.connect(file)
        target = sqlite3.connect(_sqlite_path(url), timeout=30)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        return
    conninfo, env = _libpq(url)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", f"--dbname={conninfo}", str(file)], env)  # fmt: skip
