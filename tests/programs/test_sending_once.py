"""Two workers that read the same due intros or follow-ups send each one once.

The load scenario (benchmarks/load/) found every intro sent twice with two workers: both read
the pending rows before either committed. Here the second worker reads them, then the first
sends and commits, then the second goes on with what it read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.config import Settings
from connectwell.core.db import transaction
from connectwell.core.notify import Notification, OutboxEmail
from connectwell.people.models import Person
from connectwell.programs import intros, rounds
from connectwell.programs.models import Program
from connectwell.programs.schedule import local_moment
from tests.programs.conftest import MONDAY

EVERYWHERE = local_moment(MONDAY, 23, "America/New_York")  # 09:00 has passed in every zone


def _another_worker_sends_after_this_one_read(
    monkeypatch: pytest.MonkeyPatch,
    factory: sessionmaker[Session],
    settings: Settings,
    send: Any,
    now: dt.datetime,
) -> list[int]:
    """Make the next ``_pending`` read let another worker send and commit before returning."""
    read = intros._pending
    sent_there: list[int] = []

    def read_then_the_other_sends(session: Session, *conditions: object) -> list[Any]:
        found = read(session, *conditions)
        monkeypatch.setattr(intros, "_pending", read)
        with transaction(factory) as other:
            sent_there.append(send(other, settings, now))
        return found

    monkeypatch.setattr(intros, "_pending", read_then_the_other_sends)
    return sent_there


def _count(factory: sessionmaker[Session], kind: str) -> tuple[int, int]:
    with factory() as session:
        emails = session.scalar(
            select(func.count()).select_from(OutboxEmail).where(OutboxEmail.kind == kind)
        )
        lines = session.scalar(
            select(func.count()).select_from(Notification).where(Notification.kind == kind)
        )
    return emails or 0, lines or 0


def test_two_workers_reading_the_same_due_intros_send_each_intro_once(
    factory: sessionmaker[Session],
    org: list[Person],
    coffee: Program,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with transaction(factory) as session:
        rounds.run_round(session, session.get(Program, coffee.id), MONDAY, actor=None)  # type: ignore[arg-type]
    first = _another_worker_sends_after_this_one_read(
        monkeypatch, factory, settings, intros.send_due_intros, EVERYWHERE
    )

    with transaction(factory) as session:
        second = intros.send_due_intros(session, settings, EVERYWHERE)

    assert first == [len(org)] and second == 0
    assert _count(factory, "intro") == (len(org), len(org))


def test_two_workers_reading_the_same_due_follow_ups_send_each_once(
    factory: sessionmaker[Session],
    org: list[Person],
    coffee: Program,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with transaction(factory) as session:
        rounds.run_round(session, session.get(Program, coffee.id), MONDAY, actor=None)  # type: ignore[arg-type]
        intros.send_due_intros(session, settings, EVERYWHERE)
    later = EVERYWHERE + dt.timedelta(days=coffee.followup_days, minutes=1)
    first = _another_worker_sends_after_this_one_read(
        monkeypatch, factory, settings, intros.send_due_followups, later
    )

    with transaction(factory) as session:
        second = intros.send_due_followups(session, settings, later)

    assert first == [len(org)] and second == 0
    assert _count(factory, "followup") == (len(org), len(org))
