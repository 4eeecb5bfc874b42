"""/api/v1/pulses."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.core.ballots import Ballot
from connectwell.core.config import Settings
from connectwell.pulses import service
from connectwell.pulses.models import Participation, Pulse, Response
from connectwell.pulses.schemas import PulseIn
from tests.conftest import Cast
from tests.web.conftest import Tokens, bearer
from tests.web.pulses_setup import count_as_closed, open_round


def test_a_member_answers_an_open_pulse_through_the_api(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens, settings: Settings
) -> None:
    row = open_round(db)
    headers = bearer(tokens.member)

    [listed] = client.get("/api/v1/pulses/open", headers=headers).json()
    items = client.get(f"/api/v1/pulses/rounds/{row.id}", headers=headers).json()["items"]
    sent = client.post(
        f"/api/v1/pulses/rounds/{row.id}/responses",
        headers=headers,
        json={"answers": {str(i["id"]): 5 for i in items}},
    )
    again = client.post(
        f"/api/v1/pulses/rounds/{row.id}/responses",
        headers=headers,
        json={"answers": {str(items[0]["id"]): 1}},
    )

    assert listed["round_id"] == row.id
    assert sent.status_code == 201
    assert again.status_code == 409 and again.json()["field"] == "answers"  # a conflict
    assert db.scalar(select(func.count()).select_from(Response)) == 0  # sealed while open
    assert count_as_closed(db, settings, row) == 1
    assert db.scalar(select(func.count()).select_from(Response)) == 1
    assert client.get("/api/v1/pulses/open", headers=headers).json() == []


def test_an_answer_sent_after_the_round_was_counted_is_refused_and_nothing_is_kept(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens, settings: Settings
) -> None:
    row = open_round(db)
    count_as_closed(db, settings, row)  # counted: its box will never be opened again

    sent = client.post(
        f"/api/v1/pulses/rounds/{row.id}/responses",
        headers=bearer(tokens.member),
        json={"answers": {str(row.item_ids[0]): 5}},
    )

    assert sent.status_code == 422 and sent.json()["field"] == "answers"
    assert "closed on" in sent.json()["detail"]
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Ballot)) == 0
    assert db.get(Participation, (row.id, cast.member.id)).answered is False  # type: ignore[union-attr]


def test_only_admins_create_pulses(client: TestClient, db: Session, tokens: Tokens) -> None:
    body = {"name": "API pulse", "starts_on": dt.date.today().isoformat()}

    refused = client.post("/api/v1/pulses", json=body, headers=bearer(tokens.member))
    created = client.post("/api/v1/pulses", json=body, headers=bearer(tokens.admin))

    assert refused.status_code == 403 and created.status_code == 201
    assert db.scalar(select(func.count()).select_from(Pulse)) == 1


def test_an_answer_to_a_round_that_opens_next_week_is_refused_naming_the_field(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens
) -> None:
    today = dt.date.today()
    pulse = service.create_pulse(db, PulseIn(name="Next week", starts_on=today), actor=None)
    row = service.open_round(db, pulse, today + dt.timedelta(days=7), actor=None)
    assert row is not None and row.opens_on > today
    db.commit()

    sent = client.post(
        f"/api/v1/pulses/rounds/{row.id}/responses",
        headers=bearer(tokens.member),
        json={"answers": {str(row.item_ids[0]): 5}},
    )

    assert sent.status_code == 422 and sent.json()["field"] == "answers"
    assert "opens on" in sent.json()["detail"]
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Ballot)) == 0
    assert db.get(Participation, (row.id, cast.member.id)).answered is False  # type: ignore[union-attr]


def test_a_comment_with_a_nul_byte_is_refused_before_it_is_sealed(
    client: TestClient, db: Session, cast: Cast, tokens: Tokens, settings: Settings
) -> None:
    row = open_round(db)

    sent = client.post(
        f"/api/v1/pulses/rounds/{row.id}/responses",
        headers=bearer(tokens.member),
        json={"answers": {str(row.item_ids[0]): 5}, "comment": "fine\x00"},
    )

    # Sealed, it would have failed the count on PostgreSQL, which cannot store a NUL.
    assert sent.status_code == 422 and sent.json()["problems"][0]["field"] == "comment"
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Ballot)) == 0
