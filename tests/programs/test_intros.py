"""Moving a group's slot: one invite, same UID, higher SEQUENCE, sent to everyone."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.core.db import utcnow
from connectwell.core.notify import OutboxEmail
from connectwell.people.models import Person
from connectwell.programs import intros, rounds, service
from connectwell.programs.models import Group, Program
from tests.programs.conftest import MONDAY


def test_moving_the_slot_sends_everyone_the_same_event_with_a_higher_sequence(
    db: Session, org: list[Person], coffee: Program, settings: Settings
) -> None:
    row = rounds.run_round(db, coffee, MONDAY, actor=None)
    assert row is not None
    group = db.scalar(select(Group).where(Group.round_id == row.id).order_by(Group.id).limit(1))
    assert group is not None
    mover = group.members[0].person
    new_start = (utcnow() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)

    intros.reschedule(db, group.id, mover, new_start, settings)

    emails = list(db.scalars(select(OutboxEmail).where(OutboxEmail.subject.contains("new time"))))
    assert sorted(e.to_address for e in emails) == sorted(m.person.email for m in group.members)
    for email in emails:
        event = Calendar.from_ical(email.attachments[0]["content"]).walk("VEVENT")[0]
        assert str(event["UID"]) == f"{group.uid}@connectwell"
        assert event["SEQUENCE"] == 1
        assert event.decoded("DTSTART") == new_start
        assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=30)
        assert mover.name in email.text_body


@pytest.mark.parametrize("days", [-1, 90])
def test_a_slot_in_the_past_or_too_far_ahead_is_refused(
    db: Session, org: list[Person], coffee: Program, settings: Settings, days: int
) -> None:
    row = rounds.run_round(db, coffee, MONDAY, actor=None)
    assert row is not None
    group = row.groups[0]
    before = (group.slot_start, group.sequence)

    with pytest.raises(service.ProgramError) as refused:
        intros.reschedule(
            db, group.id, group.members[0].person, utcnow() + dt.timedelta(days=days), settings
        )

    assert refused.value.field == "start"
    assert (group.slot_start, group.sequence) == before
