"""/api/v1/programs and /api/v1/pairings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.core.ballots import Ballot
from connectwell.core.config import Settings
from connectwell.programs.models import CheckIn, Membership, Program
from tests.conftest import Cast
from tests.web.conftest import Tokens, bearer
from tests.web.programs_setup import coffee, count_check_ins_as_closed, group_of

NEW = {"name": "API coffee", "starts_on": "2026-12-07", "cadence": "weekly"}


def test_an_admins_token_creates_a_programme_and_a_members_token_cannot(
    db: Session, cast: Cast, client, tokens: Tokens
) -> None:  # type: ignore[no-untyped-def]
    refused = client.post("/api/v1/programs", json=NEW, headers=bearer(tokens.member))
    created = client.post("/api/v1/programs", json=NEW, headers=bearer(tokens.admin))

    assert refused.status_code == 403
    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "API coffee" and body["next_round_on"] == "2026-12-07"
    assert db.scalar(select(func.count()).select_from(Program)) == 1


def test_a_bad_programme_names_the_field(client, tokens: Tokens, db: Session) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/programs", json={**NEW, "group_size": 4}, headers=bearer(tokens.admin)
    )

    assert response.status_code == 422
    assert response.json()["field"] == "group_size"
    assert {"field": "group_size", "message": "coffee pairs have a group size of 2"} in (
        response.json()["problems"]
    )
    assert db.scalar(select(func.count()).select_from(Program)) == 0


def test_an_admins_token_changes_a_programme_and_a_members_token_cannot(
    db: Session, cast: Cast, client, tokens: Tokens
) -> None:  # type: ignore[no-untyped-def]
    program = coffee(db)
    change = {"name": "Mixed coffee", "cadence": "monthly", "mix_locations": True}

    refused = client.put(f"/api/v1/programs/{program.id}", json=change,
                         headers=bearer(tokens.member))  # fmt: skip
    too_big = client.put(f"/api/v1/programs/{program.id}", json={**change, "group_size": 3},
                         headers=bearer(tokens.admin))  # fmt: skip
    changed = client.put(f"/api/v1/programs/{program.id}", json=change,
                         headers=bearer(tokens.admin))  # fmt: skip

    assert refused.status_code == 403
    assert too_big.status_code == 422 and too_big.json()["field"] == "group_size"
    assert changed.status_code == 200
    body = changed.json()
    assert (body["name"], body["cadence"], body["mix_locations"], body["kind"]) == (
        "Mixed coffee", "monthly", True, "coffee",
    )  # fmt: skip
    db.expire_all()
    stored = db.get(Program, program.id)
    assert stored is not None and (stored.name, stored.mix_locations) == ("Mixed coffee", True)


def test_a_member_skips_the_next_round_through_the_api(
    db: Session, cast: Cast, client, tokens: Tokens
) -> None:  # type: ignore[no-untyped-def]
    program = coffee(db, weekday=(dt.date.today().weekday() + 2) % 7)

    response = client.post(f"/api/v1/programs/{program.id}/skip", headers=bearer(tokens.member))

    assert response.status_code == 200
    assert response.json()["skip_round_on"] == str(dt.date.today() + dt.timedelta(days=2))
    db.expire_all()
    row = db.scalar(select(Membership).where(Membership.person_id == cast.member.id))
    assert row is not None and row.skip_round_on == dt.date.today() + dt.timedelta(days=2)


def test_pairings_list_the_callers_groups_and_take_an_answer_sealed_until_counted(
    db: Session, cast: Cast, client, tokens: Tokens, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    group = group_of(db, coffee(db), cast.member.id)

    listed = client.get("/api/v1/pairings", headers=bearer(tokens.member))
    answered = client.post(
        f"/api/v1/pairings/{group.id}/answer",
        json={"met": True, "positive_regard": 4, "mutuality": 5, "vitality": 3},
        headers=bearer(tokens.member),
    )

    assert [g["id"] for g in listed.json()] == [group.id]
    assert answered.status_code == 200 and answered.json()["answered"] is True
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 0
    assert db.scalar(select(func.count()).select_from(Ballot)) == 1
    assert count_check_ins_as_closed(db, settings) == 1
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_the_rounds_overview_is_for_admins_and_hides_scores_below_the_floor(
    db: Session, cast: Cast, client, tokens: Tokens, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    program = coffee(db)
    group = group_of(db, program, cast.member.id)
    client.post(
        f"/api/v1/pairings/{group.id}/answer",
        json={"met": True, "positive_regard": 4, "mutuality": 5, "vitality": 3},
        headers=bearer(tokens.member),
    )
    count_check_ins_as_closed(db, settings)

    refused = client.get(f"/api/v1/programs/{program.id}/rounds", headers=bearer(tokens.member))
    [summary] = client.get(
        f"/api/v1/programs/{program.id}/rounds", headers=bearer(tokens.admin)
    ).json()

    assert refused.status_code == 403
    assert summary["check_ins"]["status"] == "pending"  # open: no figure, however many
    assert summary["check_ins"]["figures"] is None and "met_rate" not in summary
    assert summary["participants"] == 4 and summary["groups"] == 2
