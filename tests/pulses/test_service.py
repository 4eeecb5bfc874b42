"""Pulses: the bank, rotation, rounds claimed once, invitations at the local hour, the one
reminder that reveals nothing, and answers kept apart from who gave them."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.ballots import Ballot
from connectwell.core.config import Settings
from connectwell.core.db import transaction
from connectwell.core.notify import Notification, OutboxEmail
from connectwell.core.words import CONSTRUCT_NAMES
from connectwell.programs.schedule import local_moment
from connectwell.pulses import counting, service
from connectwell.pulses.bank import BANK
from connectwell.pulses.models import (
    Answer,
    Construct,
    Item,
    Participation,
    Pulse,
    PulseRound,
    Response,
)
from connectwell.pulses.schemas import ConstructIn, ItemIn, PulseAnswer, PulseIn
from tests.conftest import Cast

TUESDAY = dt.date(2026, 12, 1)


def _pulse(db: Session, **changes: object) -> Pulse:
    values: dict[str, object] = {"name": "Team pulse", "starts_on": TUESDAY, "weekday": 1}
    values.update(changes)
    pulse = service.create_pulse(db, PulseIn.model_validate(values), actor=None)
    db.commit()
    return pulse


def test_the_bank_has_every_construct_with_its_reverse_coded_items(db: Session) -> None:
    service.ensure_bank(db)
    service.ensure_bank(db)  # twice changes nothing

    keys = {c.key for c in service.constructs(db)}
    assert keys == {entry.key for entry in BANK}
    safety = next(c for c in service.constructs(db) if c.key == "psychological_safety")
    assert len(safety.items) == 5 and sum(i.reverse_coded for i in safety.items) == 2
    assert db.scalar(select(func.count()).select_from(Item)) == sum(len(e.items) for e in BANK)


def test_it_names_the_banks_constructs_with_the_display_words_of_core_words(
    db: Session,
) -> None:
    service.ensure_bank(db)

    stored = {c.key: c.name for c in service.constructs(db) if c.builtin}
    assert stored == {entry.key: entry.name for entry in BANK} == CONSTRUCT_NAMES
    assert stored["psychological_safety"] == "Team psychological safety"


def test_each_round_asks_one_constructs_whole_set_and_every_construct_comes_round(
    db: Session,
) -> None:
    service.ensure_bank(db)
    items_of: dict[int, set[int]] = {}
    for item in db.scalars(select(Item).where(Item.is_active)):
        items_of.setdefault(item.construct_id, set()).add(item.id)
    construct_of = {i: c for c, items in items_of.items() for i in items}

    asked = [service.items_for_round(db, sequence) for sequence in range(2 * len(BANK))]

    for sequence, items in enumerate(asked):
        assert 3 <= len(items) <= 5 and len(set(items)) == len(items)
        [construct] = {construct_of[i] for i in items}  # one construct a round
        assert set(items) == items_of[construct]  # its whole set, so alpha is on full answers
        assert items == asked[sequence % len(BANK)]  # the same items every time it comes round
    order = [construct_of[items[0]] for items in asked[: len(BANK)]]
    assert order == sorted(items_of) and len(set(order)) == len(BANK)


def test_it_refuses_a_sixth_statement_in_a_construct_naming_the_field(db: Session) -> None:
    service.ensure_bank(db)
    safety = db.scalar(select(Construct).where(Construct.key == "psychological_safety"))
    play = db.scalar(select(Construct).where(Construct.key == "play"))
    assert safety is not None and play is not None and len(safety.items) == 5

    with pytest.raises(service.PulseError) as refused:
        service.add_item(db, ItemIn(construct_id=safety.id, text="A sixth statement."), actor=None)
    service.add_item(db, ItemIn(construct_id=play.id, text="A fourth statement."), actor=None)
    service.add_item(db, ItemIn(construct_id=play.id, text="A fifth statement."), actor=None)
    with pytest.raises(service.PulseError):
        service.add_item(db, ItemIn(construct_id=play.id, text="A sixth one."), actor=None)
    db.commit()

    assert refused.value.field == "construct_id" and "at most 5" in refused.value.message
    assert (
        db.scalar(select(func.count()).select_from(Item).where(Item.construct_id == safety.id)) == 5
    )
    assert (
        db.scalar(select(func.count()).select_from(Item).where(Item.construct_id == play.id)) == 5
    )
    assert (
        len(service.items_for_round(db, BANK.index(next(e for e in BANK if e.key == "play")))) == 5
    )


def test_a_construct_joins_the_rotation_once_it_has_three_statements(db: Session) -> None:
    service.ensure_bank(db)
    belonging = service.add_construct(
        db, ConstructIn(key="belonging", name="Belonging"), actor=None
    )
    for text in ("I fit in here.", "People here are like me."):
        service.add_item(db, ItemIn(construct_id=belonging.id, text=text), actor=None)

    before = [service.items_for_round(db, s) for s in range(len(BANK) + 1)]
    service.add_item(db, ItemIn(construct_id=belonging.id, text="I am one of us."), actor=None)
    after = service.items_for_round(db, len(BANK))

    assert before[len(BANK)] == before[0]  # two statements: not asked, the bank comes round
    belonging_items = set(db.scalars(select(Item.id).where(Item.construct_id == belonging.id)))
    assert set(after) == belonging_items and len(after) == 3


def test_a_round_opens_once_for_the_active_unpaused_audience(
    db: Session, cast: Cast, settings: Settings
) -> None:
    cast.other_member.paused_until = TUESDAY + dt.timedelta(days=3)
    pulse = _pulse(db, audience="teams", team_ids=[cast.platform.id])

    row = service.open_round(db, pulse, TUESDAY, actor=None)
    again = service.open_round(db, pulse, TUESDAY, actor=None)

    assert row is not None and again is None
    invited = set(db.scalars(select(Participation.person_id)))
    assert invited == {cast.lead.id, cast.member.id}
    assert row.invited == 2 and len(row.item_ids) <= 5


def test_two_workers_racing_open_a_round_once(factory: sessionmaker[Session], cast: Cast) -> None:
    with transaction(factory) as session:
        pulse_id = service.create_pulse(
            session, PulseIn(name="P", starts_on=TUESDAY), actor=None
        ).id
    barrier = threading.Barrier(2)
    results: list[object] = []

    def worker() -> None:
        try:
            with transaction(factory) as session:
                pulse = session.get(Pulse, pulse_id)
                barrier.wait()
                results.append(service.open_round(session, pulse, TUESDAY, actor=None))  # type: ignore[arg-type]
        except Exception as error:
            results.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(isinstance(r, PulseRound) for r in results) == 1, results
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(PulseRound)) == 1
        assert session.scalar(select(func.count()).select_from(Participation)) == 4


def test_invitations_go_out_at_the_local_hour_and_reminders_once_to_who_has_not_answered(
    db: Session, cast: Cast, settings: Settings
) -> None:
    pulse = _pulse(db)
    row = service.open_round(db, pulse, TUESDAY, actor=None)
    assert row is not None
    berlin_ten = local_moment(TUESDAY, 10, "Europe/Berlin")

    assert service.send_due_invitations(db, settings, berlin_ten) == 2  # Lee and Mia
    assert (
        service.send_due_invitations(db, settings, local_moment(TUESDAY, 10, "America/New_York"))
        == 2
    )
    service.answer(
        db,
        cast.member,
        row.id,
        PulseAnswer(answers={row.item_ids[0]: 4}),
        TUESDAY,
        settings=settings,
    )

    later = local_moment(TUESDAY + dt.timedelta(days=2), 12, "UTC")
    assert service.send_due_reminders(db, settings, later) == 3
    assert service.send_due_reminders(db, settings, later) == 0
    reminders = list(db.scalars(select(Notification).where(Notification.kind == "pulse-reminder")))
    assert cast.member.id not in {n.person_id for n in reminders}
    lines = {n.body for n in reminders}
    assert len(lines) == 1  # the inbox line is the same for everyone
    emails = list(db.scalars(select(OutboxEmail).where(OutboxEmail.kind == "pulse-reminder")))
    assert len(emails) == 3
    bodies = {e.text_body.replace(e.text_body.splitlines()[0], "") for e in emails}
    assert len(bodies) == 1  # the same words for everyone but the greeting
    for words in (*lines, *bodies):
        assert "answered" not in words and "others" not in words


def test_an_answer_is_sealed_until_counted_then_stored_without_the_person_and_only_once(
    db: Session, cast: Cast, settings: Settings
) -> None:
    pulse = _pulse(db)
    row = service.open_round(db, pulse, TUESDAY, actor=None)
    assert row is not None
    answers = dict.fromkeys(row.item_ids, 4)

    service.answer(
        db,
        cast.member,
        row.id,
        PulseAnswer(answers=answers, comment="Good week"),
        TUESDAY,
        settings=settings,
    )
    with pytest.raises(service.PulseError) as again:
        service.answer(
            db, cast.member, row.id, PulseAnswer(answers=answers), TUESDAY, settings=settings
        )
    db.commit()

    assert "already" in again.value.message
    assert db.scalars(select(Response)).all() == []  # sealed while the round is open
    assert db.scalar(select(func.count()).select_from(Ballot)) == 1
    after = dt.datetime.combine(row.closes_on + dt.timedelta(days=1), dt.time(), dt.UTC)
    assert counting.count_round(db, settings, row, floor=1, now=after) == 1
    [response] = db.scalars(select(Response)).all()
    assert response.team_id == cast.platform.id and response.comment == "Good week"
    assert len(response.id) == 32  # a random key, not a counter
    columns = {c.key for c in inspect(Response).columns} | {c.key for c in inspect(Answer).columns}
    assert not columns & {"person_id", "created_at", "participation_id"}
    assert db.get(Participation, (row.id, cast.member.id)).answered is True  # type: ignore[union-attr]
    assert sorted(a.value for a in response.answers) == [4] * len(row.item_ids)
    assert db.scalar(select(func.count()).select_from(Ballot)) == 0


def test_it_refuses_items_not_in_the_round_a_closed_round_and_strangers(
    db: Session, cast: Cast, settings: Settings
) -> None:
    pulse = _pulse(db, audience="teams", team_ids=[cast.platform.id])
    row = service.open_round(db, pulse, TUESDAY, actor=None)
    assert row is not None
    foreign = db.scalar(select(Item.id).where(Item.id.not_in(row.item_ids)).limit(1))
    assert foreign is not None

    with pytest.raises(service.PulseError, match="not in this pulse"):
        service.answer(
            db, cast.member, row.id, PulseAnswer(answers={foreign: 3}), TUESDAY, settings=settings
        )
    with pytest.raises(service.PulseError, match="closed"):
        service.answer(
            db,
            cast.member,
            row.id,
            PulseAnswer(answers={row.item_ids[0]: 3}),
            row.closes_on + dt.timedelta(days=1),
            settings=settings,
        )
    with pytest.raises(service.PulseNotFound):
        service.answer(
            db,
            cast.other_member,
            row.id,
            PulseAnswer(answers={row.item_ids[0]: 3}),
            TUESDAY,
            settings=settings,
        )
    assert db.scalar(select(func.count()).select_from(Response)) == 0
    assert db.scalar(select(func.count()).select_from(Ballot)) == 0


def test_a_round_is_due_when_the_first_time_zone_reaches_the_hour(db: Session, cast: Cast) -> None:
    pulse = _pulse(db)
    berlin = local_moment(TUESDAY, 10, "Europe/Berlin")  # the earliest of the cast's zones
    assert (pulse, TUESDAY) not in service.due_rounds(db, berlin - dt.timedelta(minutes=1))
    assert (pulse, TUESDAY) in service.due_rounds(db, berlin)
