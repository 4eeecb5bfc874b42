"""``0014_outbox_sending`` gives every stored outbox e-mail its own Message-ID, on both
databases, and downgrades back."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from connectwell.core.db import make_engine
from connectwell.core.db.migrate import alembic_config
from tests.conftest import _postgres_url

BEFORE = "0013_legacy_answers"


@pytest.fixture(params=["sqlite", "postgresql"])
def old_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of each kind at ``0013_legacy_answers``."""
    admin, name = None, ""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    else:
        server_url = _postgres_url()
        if server_url is None:
            pytest.skip("PostgreSQL not configured")
        server = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
        name = f"connectwell_outbox_{uuid.uuid4().hex[:10]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine = make_engine(server.set(database=name).render_as_string(hide_password=False))
    _migrate(engine, "upgrade", BEFORE)
    yield engine
    engine.dispose()
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate(engine: Engine, direction: str, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, direction)(config, revision)


def test_the_upgrade_gives_each_stored_email_its_own_message_id(old_engine: Engine) -> None:
    created = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    rows = [
        {"to": f"p{n}@example.org", "status": status, "created": created}
        for n, status in enumerate(["sent", "pending", "failed", "pending"])
    ]
    with old_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO outbox_emails (to_address, to_name, kind, link, context, subject,"
                " text_body, headers, attachments, status, attempts, last_error, created_at)"
                " VALUES (:to, '', 'test', '', '{}', 'Hi', 'Hello.', '{}', '[]', :status, 0, '',"
                " :created)"
            ),
            rows,
        )

    _migrate(old_engine, "upgrade", "0014_outbox_sending")

    with old_engine.connect() as connection:
        stored = connection.execute(
            text("SELECT message_id, status, claimed_by, claimed_at FROM outbox_emails")
        ).all()
    ids = [row.message_id for row in stored]
    assert len(set(ids)) == 4 and all(i.startswith("<outbox-") and i.endswith(">") for i in ids)
    assert sorted(row.status for row in stored) == ["failed", "pending", "pending", "sent"]
    assert {(row.claimed_by, row.claimed_at) for row in stored} == {("", None)}

    _migrate(old_engine, "downgrade", BEFORE)
    with old_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM outbox_emails")).scalar() == 4
