"""The worker process logs as the web does: one JSON object a line on standard error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.core.notify import tell
from tests.conftest import Cast
from tests.smtp import free_port

SRC = Path(__file__).resolve().parents[2] / "src"


def test_the_worker_writes_its_log_as_json_lines_without_addresses(
    db: Session, cast: Cast, settings: Settings
) -> None:
    tell(db, [cast.member], "password-reset", settings=settings, inbox=False, link="/x", hours=2)
    db.commit()
    env = {
        **os.environ,
        "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "DATABASE_URL": settings.database_url,
        "INSTANCE_PATH": str(settings.instance_path),
        "SECRET_KEY": settings.secret_key,
        "BASE_URL": settings.base_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(free_port()),  # nothing listens: delivery logs a warning
    }
    command = [sys.executable, "-m", "connectwell.worker", "--once"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=True)

    lines = [json.loads(line) for line in done.stderr.splitlines()]  # each one JSON
    [warning] = [x for x in lines if x["logger"] == "connectwell.core.notify.delivery"]
    assert warning["level"] == "WARNING" and "unreachable" in warning["message"]
    assert {"time", "level", "logger", "message", "request_id"} <= warning.keys()
    assert "mia.member" not in done.stderr
