"""Counting a closed round: once, only after it closed, and into rows that name no one.

The attacks of issue 9, re-run: the ``xmin`` join between responses and participation, the
physical order of rows (``ctid``, ``rowid``), a day or time column, attribute combinations
that match one person, the plaintext of an open round in the database file, and log lines.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import Date, DateTime, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.config import Settings
from connectwell.core.db import transaction
from connectwell.demo import service as demo
from connectwell.demo.generator import generate_org
from connectwell.demo.service import roster_csv
from connectwell.people import roster
from connectwell.people.models import Person, Team
from connectwell.pulses import counting, service
from connectwell.pulses.models import Answer, Participation, PulseRound, Response
from connectwell.pulses.schemas import PulseAnswer, PulseIn
from connectwell.stats import Attributes, shared_by

TUESDAY = dt.date(2026, 12, 1)
CLOSED = dt.datetime(2026, 12, 20, 3, tzinfo=dt.UTC)  # after the round's last day
FLOOR = 5


def _org(db: Session, people: int = 41) -> list[Person]:
    org = generate_org(people, seed=11, today=TUESDAY)
    roster.import_roster(db, roster.parse_roster(roster_csv(org)), actor=None)
    db.commit()
    return list(db.scalars(select(Person).order_by(Person.id)))


def _round(db: Session) -> PulseRound:
    pulse = service.create_pulse(db, PulseIn(name="Pulse", starts_on=TUESDAY), actor=None)
    row = service.open_round(db, pulse, TUESDAY, actor=None)
    assert row is not None
    db.commit()
    return row


def _answer_one_by_one(
    factory: sessionmaker[Session], settings: Settings, row: PulseRound, people: list[Person]
) -> list[str]:
    """Each person answers in their own transaction, in this order; their unique comments."""
    comments = []
    run = secrets.token_hex(4)  # this test's own words: the shared database saw other tests'
    for k, person in enumerate(people):
        comment = f"unique remark {k:02d} q8z {run}"
        with transaction(factory) as session:
            answer = PulseAnswer(answers={row.item_ids[0]: 1 + k % 5}, comment=comment)
            service.answer(
                session, session.merge(person), row.id, answer, TUESDAY, settings=settings
            )
        comments.append(comment)
    return comments


def _respondents(db: Session, row: PulseRound) -> tuple[list[Attributes], dict[int, int | None]]:
    """The people a database reader knows answered (``answered``), as the reader sees them."""
    answered = db.scalars(
        select(Person)
        .join(Participation)
        .where(Participation.round_id == row.id, Participation.answered.is_(True))
    )
    audience = [
        Attributes(p.team_id, service.tenure_band(p.start_date, row.opens_on), p.location or "")
        for p in answered
    ]
    return audience, {t: p for t, p in db.execute(select(Team.id, Team.parent_id))}


def test_an_open_round_is_not_counted_and_its_ballots_wait(db: Session, settings: Settings) -> None:
    people = _org(db, 8)
    row = _round(db)
    service.answer(db, people[0], row.id, PulseAnswer(answers={row.item_ids[0]: 3}), TUESDAY,
                   settings=settings)  # fmt: skip
    last_day = dt.datetime.combine(row.closes_on, dt.time(23, 59), dt.UTC)

    assert counting.count_round(db, settings, row, floor=FLOOR, now=last_day) is None
    assert row.counted_at is None and db.scalars(select(Response)).all() == []
    assert counting.count_closed_rounds(db, settings, last_day) == 0


def test_two_workers_racing_count_a_round_once(
    factory: sessionmaker[Session], db: Session, settings: Settings
) -> None:
    people = _org(db, 12)
    row = _round(db)
    _answer_one_by_one(factory, settings, row, people[:10])
    barrier = threading.Barrier(2)
    results: list[object] = []

    def worker() -> None:
        try:
            with transaction(factory) as session:
                mine = session.get(PulseRound, row.id)
                assert mine is not None
                barrier.wait()
                results.append(counting.count_round(session, settings, mine, floor=1, now=CLOSED))
        except Exception as error:
            results.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results, key=str) == sorted([10, None], key=str), results
    db.expire_all()
    assert len(db.scalars(select(Response)).all()) == 10
    assert db.get(PulseRound, row.id).counted_at == CLOSED  # type: ignore[union-attr]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_after_counting_no_xmin_joins_a_response_to_fewer_than_everyone_invited(
    factory: sessionmaker[Session], db: Session, settings: Settings
) -> None:
    people = _org(db, 20)
    row = _round(db)
    _answer_one_by_one(factory, settings, row, people[:8])
    with transaction(factory) as session:
        counting.count_round(session, settings, session.get(PulseRound, row.id), floor=FLOOR,  # type: ignore[arg-type]
                             now=CLOSED)  # fmt: skip

    joined = db.execute(
        text(
            "SELECT r.id, count(p.person_id) FROM pulse_responses r "
            "LEFT JOIN pulse_participation p ON p.xmin = r.xmin AND p.round_id = r.round_id "
            "GROUP BY r.id"
        )
    ).all()
    assert len(joined) == 8
    assert {n for _, n in joined} <= {0, 20}  # no one, or all 20 invited: nobody in particular
    answered_xmins = db.execute(
        text("SELECT count(DISTINCT xmin::text) FROM pulse_participation WHERE answered")
    ).scalar()
    assert answered_xmins == 1  # the answering transactions' ids are gone from every row


def test_the_physical_order_of_responses_is_not_the_order_of_answering(
    factory: sessionmaker[Session], db: Session, settings: Settings
) -> None:
    people = _org(db, 41)
    row = _round(db)
    comments = _answer_one_by_one(factory, settings, row, people[:30])
    with transaction(factory) as session:
        counting.count_round(session, settings, session.get(PulseRound, row.id), floor=FLOOR,  # type: ignore[arg-type]
                             now=CLOSED)  # fmt: skip

    physical = "ctid" if db.get_bind().dialect.name == "postgresql" else "rowid"
    stored = db.scalars(text(f"SELECT comment FROM pulse_responses ORDER BY {physical}")).all()  # noqa: S608
    by_key = db.scalars(select(Response.comment).order_by(Response.id)).all()
    assert sorted(stored) == comments  # the answering order: their sorted order
    assert stored != comments and stored != comments[::-1]
    assert by_key != comments


def test_no_column_of_responses_answers_or_check_ins_holds_a_day_or_a_time() -> None:
    from connectwell.programs.models import CheckIn

    for model in (Response, Answer, CheckIn):
        for column in model.__table__.columns:
            assert not isinstance(column.type, Date | DateTime), (model, column.name)


def test_every_stored_combination_is_shared_by_at_least_the_floor_of_respondents(
    factory: sessionmaker[Session], db: Session, settings: Settings
) -> None:
    people = _org(db, 41)
    row = _round(db)
    _answer_one_by_one(factory, settings, row, people[::2])  # 21 of the 41 invited answer
    counting.count_round(db, settings, row, floor=FLOOR, now=CLOSED)
    respondents, parents = _respondents(db, row)

    stored = db.scalars(select(Response)).all()
    shared = [
        shared_by(Attributes(r.team_id, r.tenure_band, r.location), respondents, parents)
        for r in stored
    ]
    assert len(respondents) == len(stored) == 21 and min(shared) >= FLOOR
    assert any(r.team_id is not None for r in stored)  # coarsened, not simply thrown away


def test_the_demo_attack_finds_no_answer_matching_exactly_one_person(
    db: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "get_settings", lambda: settings)
    today = dt.date(2026, 11, 30)
    _org(db, 150)
    demo.seed_pulses(db, today=today, seed=3, weeks=8)
    db.commit()

    parents = {t: p for t, p in db.execute(select(Team.id, Team.parent_id))}
    unique = total = 0
    for row in db.scalars(select(PulseRound).where(PulseRound.counted_at.is_not(None))):
        respondents, _ = _respondents(db, row)  # a reader of pulse_participation knows them
        for r in db.scalars(select(Response).where(Response.round_id == row.id)):
            total += 1
            stored = Attributes(r.team_id, r.tenure_band, r.location)
            matched = shared_by(stored, respondents, parents)
            unique += matched == 1
            assert matched >= settings.anonymity_floor
    assert total > 200 and unique == 0


def test_the_demo_dates_no_count_or_publication_after_the_day_it_is_made_began(
    db: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectwell.insights.models import Publication

    monkeypatch.setattr(demo, "get_settings", lambda: settings)
    today = dt.date(2026, 11, 30)
    _org(db, 40)
    demo.seed_pulses(db, today=today, seed=3, weeks=3)
    db.commit()

    midnight = dt.datetime.combine(today, dt.time(), dt.UTC)
    rounds = db.scalars(select(PulseRound)).all()
    assert {r.counted_at for r in rounds if r.closes_on < today} == {midnight}
    assert all(r.counted_at is None for r in rounds if r.closes_on >= today)  # still sealed
    assert {p.published_at for p in db.scalars(select(Publication))} == {midnight}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_while_a_round_is_open_the_sqlite_file_holds_no_answer_in_plain_text(
    factory: sessionmaker[Session], db: Session, settings: Settings
) -> None:
    people = _org(db, 10)
    row = _round(db)
    comments = _answer_one_by_one(factory, settings, row, people)
    path = Path(make_url(settings.database_url).database or "")

    def contents() -> bytes:
        # Read by another process: closing a descriptor of the file in this process would drop
        # every POSIX lock SQLite holds on it here, and a later process opening the database
        # would then take itself for the last connection and delete the -wal and -shm files
        # under this process's pooled connections ("disk I/O error" in a later test).
        wal = path.with_name(path.name + "-wal")
        files = [str(path)] + ([str(wal)] if wal.exists() else [])
        return subprocess.run(["cat", *files], capture_output=True, check=True).stdout

    before = contents()
    with factory() as session:
        session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    after = contents()

    for seen in (before, after):
        assert not any(c.encode() in seen for c in comments)
        assert b'"answers":{' not in seen and b'"comment":' not in seen


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_while_a_round_is_open_postgresql_holds_only_sealed_bytes(
    factory: sessionmaker[Session], db: Session, settings: Settings
) -> None:
    people = _org(db, 10)
    row = _round(db)
    comments = _answer_one_by_one(factory, settings, row, people)

    sealed = db.scalars(text("SELECT sealed FROM ballots")).all()
    assert len(sealed) == 10
    for blob in sealed:
        assert not any(c.encode() in bytes(blob) for c in comments)
        assert b"answers" not in bytes(blob)
    assert db.scalars(select(Response)).all() == []


def test_answering_and_counting_write_no_log_line_naming_the_person(
    factory: sessionmaker[Session],
    db: Session,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    people = _org(db, 10)
    row = _round(db)
    with caplog.at_level(logging.DEBUG):
        _answer_one_by_one(factory, settings, row, people)
        with transaction(factory) as session:
            counting.count_round(session, settings, session.get(PulseRound, row.id),  # type: ignore[arg-type]
                                 floor=FLOOR, now=CLOSED)  # fmt: skip

    for record in caplog.records:
        line = record.getMessage()
        for person in people:
            assert person.email not in line and person.name not in line, line
            assert f"person {person.id}" not in line and f"person_id={person.id}" not in line
