"""Ballot stuffing: 20 parallel requests with one member's token store exactly one answer.

Each thread has its own client of the real app, so each request is its own transaction on
the real database (SQLite in WAL mode, PostgreSQL), as in production.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.core.ballots import Ballot
from connectwell.core.config import Settings
from connectwell.core.db import utcnow
from connectwell.programs.models import CheckIn, GroupMember
from connectwell.pulses.models import Participation, Response
from tests.conftest import Cast, api_token_for
from tests.web.programs_setup import coffee, count_check_ins_as_closed, group_of
from tests.web.pulses_setup import count_as_closed, open_round

PARALLEL = 20


def _token(db: Session, cast: Cast) -> str:
    made = api_token_for(db, cast.member)
    db.commit()
    return made.secret


def _stuff(app: FastAPI, path: str, body: dict[str, Any], token: str) -> Counter[int]:
    """POST ``body`` to ``path`` from PARALLEL threads at once; the statuses."""
    barrier = threading.Barrier(PARALLEL)
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def client() -> None:
        with TestClient(app, raise_server_exceptions=False) as http:
            barrier.wait()
            sent = http.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        with lock:
            statuses[sent.status_code] += 1

    threads = [threading.Thread(target=client) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_twenty_parallel_pulse_answers_store_one_ballot_and_nineteen_clean_conflicts(
    app: FastAPI, db: Session, cast: Cast, settings: Settings
) -> None:
    row = open_round(db)
    token = _token(db, cast)
    body = {"answers": {str(i): 5 for i in row.item_ids}}

    statuses = _stuff(app, f"/api/v1/pulses/rounds/{row.id}/responses", body, token)

    assert statuses == Counter({201: 1, 409: PARALLEL - 1})  # never a 500
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Ballot)) == 1
    answered = db.scalars(select(Participation.person_id).where(Participation.answered)).all()
    assert answered == [cast.member.id]
    assert count_as_closed(db, settings, row) == 1
    assert db.scalar(select(func.count()).select_from(Response)) == 1


def test_stuffing_cannot_move_a_figure_one_row_per_person(
    app: FastAPI, db: Session, cast: Cast, settings: Settings
) -> None:
    row = open_round(db)
    token = _token(db, cast)
    first = row.item_ids[0]

    _stuff(app, f"/api/v1/pulses/rounds/{row.id}/responses", {"answers": {str(first): 5}}, token)
    count_as_closed(db, settings, row)

    values = db.scalars(select(Response).where(Response.round_id == row.id)).all()
    assert [a.value for r in values for a in r.answers] == [5]  # one person, one answer
    assert len(values) == db.scalar(
        select(func.count()).select_from(Participation).where(Participation.answered)
    )


def test_twenty_parallel_did_you_meet_answers_store_one_check_in_and_nineteen_conflicts(
    app: FastAPI, db: Session, cast: Cast, settings: Settings
) -> None:
    group = group_of(db, coffee(db), cast.member.id)
    token = _token(db, cast)
    body = {"met": True, "positive_regard": 5, "mutuality": 5, "vitality": 5}

    statuses = _stuff(app, f"/api/v1/pairings/{group.id}/answer", body, token)

    assert statuses == Counter({200: 1, 409: PARALLEL - 1})
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Ballot)) == 1
    member = db.scalar(select(GroupMember).where(GroupMember.person_id == cast.member.id))
    assert member is not None and member.met is True
    assert member.answered_at == dt.datetime.combine(utcnow().date(), dt.time(), dt.UTC)
    assert count_check_ins_as_closed(db, settings) == 1
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 1
