"""Two workers that read the same due pulse invitations or reminders send each one once.

The load scenario (benchmarks/load/) found every invitation and reminder sent twice with two
workers: both read the due participations before either committed. Here the second worker
reads them, then the first sends and commits, then the second goes on with what it read.
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
from connectwell.pulses import service
from connectwell.pulses.schemas import PulseIn
from tests.conftest import Cast

TUESDAY = dt.date(2026, 12, 1)
EVERYWHERE = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)  # 10:00 has passed in every zone


def _another_worker_sends_after_this_one_read(
    monkeypatch: pytest.MonkeyPatch,
    factory: sessionmaker[Session],
    settings: Settings,
    send: Any,
    now: dt.datetime,
) -> list[int]:
    """Make the next read of due participations let another worker send and commit first."""
    read = service._participations
    sent_there: list[int] = []

    def read_then_the_other_sends(session: Session, *conditions: object) -> list[Any]:
        found = read(session, *conditions)
        monkeypatch.setattr(service, "_participations", read)
        with transaction(factory) as other:
            sent_there.append(send(other, settings, now))
        return found

    monkeypatch.setattr(service, "_participations", read_then_the_other_sends)
    return sent_there


def _open_round(factory: sessionmaker[Session]) -> int:
    with transaction(factory) as session:
        pulse = service.create_pulse(
            session, PulseIn(name="Team pulse", starts_on=TUESDAY, weekday=1), actor=None
        )
        row = service.open_round(session, pulse, TUESDAY, actor=None)
        assert row is not None
        return row.invited


def _count(factory: sessionmaker[Session], kind: str) -> tuple[int, int]:
    with factory() as session:
        emails = session.scalar(
            select(func.count()).select_from(OutboxEmail).where(OutboxEmail.kind == kind)
        )
        lines = session.scalar(
            select(func.count()).select_from(Notification).where(Notification.kind == kind)
        )
    return emails or 0, lines or 0


def test_two_workers_reading_the_same_due_invitations_send_each_once(
    factory: sessionmaker[Session],
    cast: Cast,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    invited = _open_round(factory)
    first = _another_worker_sends_after_this_one_read(
        monkeypatch, factory, settings, service.send_due_invitations, EVERYWHERE
    )

    with transaction(factory) as session:
        second = service.send_due_invitations(session, settings, EVERYWHERE)

    assert invited > 0 and first == [invited] and second == 0
    assert _count(factory, "pulse") == (invited, invited)


def test_two_workers_reading_the_same_due_reminders_send_each_once(
    factory: sessionmaker[Session],
    cast: Cast,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    invited = _open_round(factory)
    with transaction(factory) as session:
        service.send_due_invitations(session, settings, EVERYWHERE)
    later = EVERYWHERE + dt.timedelta(days=3)
    first = _another_worker_sends_after_this_one_read(
        monkeypatch, factory, settings, service.send_due_reminders, later
    )

    with transaction(factory) as session:
        second = service.send_due_reminders(session, settings, later)

    assert invited > 0 and first == [invited] and second == 0
    assert _count(factory, "pulse-reminder") == (invited, invited)
