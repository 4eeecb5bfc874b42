"""A worker process killed (SIGKILL) in the middle of delivering: nothing is lost, and at most
one message per kill arrives twice, both copies with the row's one Message-ID."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.config import Settings
from connectwell.core.db import transaction, utcnow
from connectwell.core.notify import OutboxEmail, deliver_pending, tell
from connectwell.core.notify.delivery import CLAIM_TIMEOUT
from tests.conftest import Cast
from tests.smtp import Mailbox, smtp_server

MESSAGES = 30
KILLS = 2
SRC = Path(__file__).resolve().parents[2] / "src"


def _worker(settings: Settings, mailbox: Mailbox) -> subprocess.Popen[bytes]:
    """The real worker, ``python -m connectwell.worker --once``, in its own process."""
    env = {
        **os.environ,
        "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "DATABASE_URL": settings.database_url,
        "INSTANCE_PATH": str(settings.instance_path),
        "SECRET_KEY": settings.secret_key,
        "BASE_URL": settings.base_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
    }
    command = [sys.executable, "-m", "connectwell.worker", "--once"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for(mailbox: Mailbox, count: int, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while len(mailbox.messages) < count:
        assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
        assert time.monotonic() < deadline, "the worker sent nothing"
        time.sleep(0.005)


def test_a_worker_killed_mid_batch_sends_at_most_one_duplicate_with_the_same_message_id(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    for n in range(MESSAGES):
        tell(db, [cast.member], "password-reset", settings=settings, inbox=False, link=f"/{n}",
             hours=2)  # fmt: skip
    db.commit()
    stored = set(db.scalars(select(OutboxEmail.message_id)))

    with smtp_server(delay=0.05) as mailbox:  # a slow server: 50 ms a message
        for _ in range(KILLS):
            child = _worker(settings, mailbox)
            _wait_for(mailbox, len(mailbox.messages) + 4, child)
            child.send_signal(signal.SIGKILL)  # just after the server accepted a message
            child.wait(timeout=10)
            with transaction(factory) as session:  # the claim timeout passes
                session.execute(
                    update(OutboxEmail)
                    .where(OutboxEmail.status == "sending")
                    .values(claimed_at=utcnow() - CLAIM_TIMEOUT - dt.timedelta(seconds=1))
                )
        smtp = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": mailbox.port})
        deliver_pending(factory, smtp)

    copies = Counter(message["Message-ID"] for message in mailbox.messages)
    assert set(copies) == stored  # every row arrived, under its own Message-ID only
    assert max(copies.values()) <= 2
    assert sum(count - 1 for count in copies.values()) <= KILLS
    with transaction(factory) as session:
        assert set(session.scalars(select(OutboxEmail.status))) == {"sent"}
