"""connectwell backup / restore: the demo organisation round-trips on both databases."""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from connectwell.cli import app
from connectwell.core.config import get_settings
from connectwell.core.db import Base, make_engine, transaction
from connectwell.core.db.backup import rows_held
from connectwell.core.db.health import head_revision, not_ready
from connectwell.core.db.migrate import current_revision, upgrade
from connectwell.demo.service import seed_demo
from connectwell.people.models import Team
from tests.conftest import Cast

runner = CliRunner()


def _counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of the schema (zeros included)."""
    with engine.connect() as connection:
        return {
            t.name: connection.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
        }


@pytest.fixture
def other_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, freshly migrated and empty database of the same kind: where a restore goes."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'restored.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    server = make_url(database_url)
    name = f"connectwell_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def use_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[object]:
    """``use_database(url)`` points the next commands at ``url``."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))

    def _use(url: str) -> None:
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()

    yield _use
    get_settings.cache_clear()


@pytest.fixture
def demo_backup(
    factory: sessionmaker[Session], engine: Engine, database_url: str, tmp_path: Path,
    use_database,  # type: ignore[no-untyped-def]
) -> tuple[Path, dict[str, int]]:  # fmt: skip
    """The demo organisation (40 people) in the test database, backed up with the command."""
    with transaction(factory) as session:
        assert seed_demo(session, people=40) is not None
    file = tmp_path / "demo.backup"
    use_database(database_url)
    result = runner.invoke(app, ["backup", str(file)])
    assert result.exit_code == 0, result.output
    return file, _counts(engine)


@pytest.fixture
def small_backup(
    cast: Cast, engine: Engine, database_url: str, tmp_path: Path,
    use_database,  # type: ignore[no-untyped-def]
) -> tuple[Path, dict[str, int]]:  # fmt: skip
    """The four people of the test cast, backed up with the command (quicker than the demo)."""
    file = tmp_path / "cast.backup"
    use_database(database_url)
    result = runner.invoke(app, ["backup", str(file)])
    assert result.exit_code == 0, result.output
    return file, _counts(engine)


def test_a_backup_of_the_demo_restores_into_an_empty_database_with_every_count_equal(
    demo_backup: tuple[Path, dict[str, int]], other_database: str, use_database
) -> None:  # type: ignore[no-untyped-def]
    file, before = demo_backup
    assert before["people"] == 40 and before["shoutouts"] > 0 and before["pulse_answers"] > 0

    use_database(other_database)
    result = runner.invoke(app, ["restore", str(file)])

    assert result.exit_code == 0, result.output
    restored = make_engine(other_database)
    try:
        assert _counts(restored) == before
        assert current_revision(restored) == head_revision()
        assert not_ready(restored) is None
    finally:
        restored.dispose()


def test_restore_refuses_a_database_that_holds_rows_and_leaves_it_as_it_was(
    small_backup: tuple[Path, dict[str, int]], other_database: str, use_database
) -> None:  # type: ignore[no-untyped-def]
    file, _ = small_backup
    target = make_engine(other_database)
    with transaction(sessionmaker(bind=target)) as session:
        session.add(Team(name="Already here"))

    use_database(other_database)
    result = runner.invoke(app, ["restore", str(file)])

    assert result.exit_code == 2
    assert "database: holds 1 rows in 1 tables already" in result.output
    assert "--force" in result.output
    assert rows_held(target) == {"teams": 1}
    target.dispose()


def test_restore_with_force_replaces_what_the_database_held(
    small_backup: tuple[Path, dict[str, int]], other_database: str, use_database
) -> None:  # type: ignore[no-untyped-def]
    file, before = small_backup
    target = make_engine(other_database)
    with transaction(sessionmaker(bind=target)) as session:
        session.add(Team(name="Replaced by the backup"))
    target.dispose()

    use_database(other_database)
    result = runner.invoke(app, ["restore", "--force", str(file)])

    assert result.exit_code == 0, result.output
    target = make_engine(other_database)
    assert _counts(target) == before
    with target.connect() as connection:
        names = connection.scalars(text("SELECT name FROM teams")).all()
    assert "Replaced by the backup" not in names
    target.dispose()


def test_a_backup_is_readable_by_its_owner_only_whatever_the_umask(
    cast: Cast, database_url: str, tmp_path: Path, use_database
) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "private.backup"
    use_database(database_url)

    umask = os.umask(0)  # the most open umask: new files would be world-writable
    try:
        result = runner.invoke(app, ["backup", str(file)])
    finally:
        os.umask(umask)

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert file.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir() if "private" in p.name) == [file.name]


def test_backup_refuses_to_overwrite_a_file(
    factory: sessionmaker[Session], database_url: str, tmp_path: Path, use_database
) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "taken.backup"
    file.write_bytes(b"something precious")
    use_database(database_url)

    result = runner.invoke(app, ["backup", str(file)])

    assert result.exit_code == 2
    assert "file: " in result.output and "exists already" in result.output
    assert file.read_bytes() == b"something precious"


def test_restore_refuses_a_file_that_is_not_a_backup(
    other_database: str, tmp_path: Path, use_database
) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "notes.txt"
    file.write_text("not a backup")
    use_database(other_database)

    result = runner.invoke(app, ["restore", str(file)])

    assert result.exit_code == 2
    assert "is not a" in result.output and "backup made by connectwell backup" in result.output
