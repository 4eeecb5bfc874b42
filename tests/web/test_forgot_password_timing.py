"""/password/forgot answers the same, in the same time, for an address with an account and one
without: nothing the answer waits for depends on the address.

Timing the two over many requests would be the direct test, but on a shared two-core machine
medians drift by more than the gap being looked for. This test is exact instead: it records
every SQL statement and whether it ran before the last byte of the answer was sent. Before the
answer, neither request may run any (no look-up of the address, no reset link written, no
commit of one); after it, the link is made for the person and for no one else.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from connectwell.accounts.models import PasswordToken
from connectwell.core.notify.models import OutboxEmail
from tests.conftest import Cast
from tests.web.conftest import form_token


@dataclass
class Recorder:
    """SQL statements run while the answer was being made, and after it was sent."""

    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    answered: bool = False

    def reset(self) -> None:
        self.before.clear()
        self.after.clear()
        self.answered = False


@pytest.fixture
def recorded(app: FastAPI, engine: Engine) -> Iterator[tuple[TestClient, Recorder]]:
    recorder = Recorder()

    def statement(*args: Any) -> None:
        (recorder.after if recorder.answered else recorder.before).append(args[2])

    async def spying(scope: Any, receive: Any, send: Any) -> None:
        async def spy(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                recorder.answered = True

        await app(scope, receive, spy)

    event.listen(engine, "before_cursor_execute", statement)
    try:
        with TestClient(spying, follow_redirects=False) as client:
            yield client, recorder
    finally:
        event.remove(engine, "before_cursor_execute", statement)


def _ask(client: TestClient, recorder: Recorder, email: str) -> tuple[str, list[str], list[str]]:
    token = form_token(client)  # the form and its CSRF cookie, before recording
    recorder.reset()
    response = client.post("/password/forgot", data={"csrf_token": token, "email": email})
    assert response.status_code == 200
    return response.text, list(recorder.before), list(recorder.after)


def _written(db: Session) -> tuple[int, int]:
    db.expire_all()
    return (
        db.scalar(select(func.count()).select_from(PasswordToken)) or 0,
        db.scalar(select(func.count()).select_from(OutboxEmail)) or 0,
    )


def test_the_answer_waits_for_no_work_that_depends_on_the_address(
    recorded: tuple[TestClient, Recorder], db: Session, cast: Cast
) -> None:
    client, recorder = recorded

    unknown_page, unknown_before, unknown_after = _ask(client, recorder, "nobody@example.org")
    assert _written(db) == (0, 0)
    known_page, known_before, known_after = _ask(client, recorder, cast.member.email)

    assert known_page == unknown_page  # not a byte to tell them apart
    assert known_before == unknown_before == []  # nothing looked up before the answer
    assert any("password_tokens" in sql for sql in known_after)  # the link, after the answer
    assert not any("password_tokens" in sql for sql in unknown_after)
    assert _written(db) == (1, 1)  # one link, one e-mail: the person's


def test_an_address_with_a_nul_byte_is_refused_naming_the_field(
    client: TestClient, db: Session, cast: Cast
) -> None:
    token = form_token(client)

    response = client.post("/password/forgot", data={"csrf_token": token, "email": "a\x00@b.org"})

    assert response.status_code == 422 and "U+0000" in response.text
    assert _written(db) == (0, 0)
