"""The sealed ballot box: sealed for one box with the app's secret key, opened all at once,
deleted, and handed back in a random order."""

from __future__ import annotations

import json
import secrets

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from connectwell.core import ballots
from connectwell.core.ballots import Ballot, BallotError
from connectwell.core.config import Settings


def test_a_sealed_ballot_holds_neither_the_payload_nor_a_timestamp_and_opens_in_its_box(
    settings: Settings,
) -> None:
    payload = {"comment": "a unique remark 7f3a", "answers": {"12": 4}}

    sealed = ballots.seal(settings, "pulse_round:1", payload)
    again = ballots.seal(settings, "pulse_round:1", payload)

    assert b"7f3a" not in sealed and b"answers" not in sealed
    assert sealed != again  # a fresh random nonce each time: equal answers look different
    plain = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    assert len(sealed) == ballots.NONCE_BYTES + len(plain) + 16  # nonce, text, tag: no time
    assert ballots.unseal(settings, "pulse_round:1", sealed) == payload


def test_a_ballot_sealed_for_round_1_fails_to_open_as_round_2(settings: Settings) -> None:
    sealed = ballots.seal(settings, "pulse_round:1", {"answers": {"1": 5}})

    with pytest.raises(BallotError) as error:
        ballots.unseal(settings, "pulse_round:2", sealed)

    assert error.value.field == "box" and "pulse_round:2" in error.value.message


def test_a_changed_secret_key_gives_a_clear_error_and_leaves_the_box_whole(
    db: Session, settings: Settings
) -> None:
    ballots.drop(db, settings, "check_ins:3", {"team_id": None, "vitality": 4})
    db.commit()
    changed = settings.model_copy(update={"secret_key": secrets.token_urlsafe(40)})

    with pytest.raises(BallotError, match="secret key") as error:
        ballots.take_all(db, changed, "check_ins:3")
    db.rollback()

    assert "check_ins:3" in error.value.message
    assert ballots.waiting(db, "check_ins:3") == 1
    assert ballots.take_all(db, settings, "check_ins:3") == [{"team_id": None, "vitality": 4}]


def test_taking_a_box_opens_and_deletes_only_its_ballots_in_a_random_order(
    db: Session, settings: Settings
) -> None:
    for k in range(40):
        ballots.drop(db, settings, "pulse_round:7", {"k": k})
    ballots.drop(db, settings, "pulse_round:8", {"k": -1})
    db.commit()

    orders = []
    for _ in range(2):
        taken = ballots.take_all(db, settings, "pulse_round:7")
        orders.append([p["k"] for p in taken])
        db.rollback()  # put the box back, to take it again

    assert sorted(orders[0]) == list(range(40))
    assert orders[0] != list(range(40)) and orders[0] != orders[1]  # 1 in 40! by chance
    ballots.take_all(db, settings, "pulse_round:7")
    db.commit()
    assert db.scalar(select(func.count()).select_from(Ballot)) == 1
    assert ballots.take_all(db, settings, "pulse_round:7") == []


def test_ballots_carry_a_random_key_and_no_time_column(db: Session, settings: Settings) -> None:
    ballots.drop(db, settings, "pulse_round:1", {})
    db.commit()

    [ballot] = db.scalars(select(Ballot)).all()
    assert len(ballot.id) == 32 and int(ballot.id, 16) >= 0
    assert {c.name for c in Ballot.__table__.columns} == {"id", "box", "sealed"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_on_sqlite_ballots_sit_in_the_order_of_their_random_keys_not_of_answering(
    db: Session, settings: Settings
) -> None:
    for n in range(30):
        ballots.drop(db, settings, "pulse_round:1", {"n": n})
    db.commit()

    stored = db.execute(text("SELECT id, sealed FROM ballots")).all()  # the table's own order
    order = [ballots.unseal(settings, "pulse_round:1", sealed)["n"] for _, sealed in stored]

    assert sorted(order) == list(range(30)) and order != list(range(30))
    assert [key for key, _ in stored] == sorted(key for key, _ in stored)
    schema = db.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'ballots'"))
    assert schema is not None and "WITHOUT ROWID" in schema
    with pytest.raises(OperationalError):
        db.execute(text("SELECT rowid FROM ballots"))
