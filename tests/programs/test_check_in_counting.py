"""Micro check-ins: refused after the round's last check-in day, sealed until then, counted
once into shuffled rows whose team at least the floor of the round's members share."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.ballots import Ballot
from connectwell.core.config import Settings
from connectwell.core.db import transaction
from connectwell.demo import service as demo
from connectwell.people.models import Person, Team
from connectwell.programs import answers, rounds
from connectwell.programs.models import CheckIn, Group, GroupMember, Program, Round
from connectwell.programs.schemas import Answer
from connectwell.stats import Attributes, shared_by
from tests.programs.conftest import MONDAY

FLOOR = 5
TAPS = Answer(met=True, positive_regard=4, mutuality=3, vitality=5)


def _after(row: Round) -> dt.datetime:
    return dt.datetime.combine(row.check_ins_close_on + dt.timedelta(days=1), dt.time(), dt.UTC)


def _members(db: Session, row: Round) -> list[GroupMember]:
    return list(
        db.scalars(
            select(GroupMember).join(Group).where(Group.round_id == row.id).order_by(GroupMember.id)
        )
    )


def test_an_answer_after_the_last_check_in_day_is_refused_naming_the_field_and_date(
    db: Session, org: list[Person], coffee: Program, settings: Settings
) -> None:
    row = rounds.run_round(db, coffee, MONDAY, actor=None)
    assert row is not None
    member = _members(db, row)[0]
    too_late = row.check_ins_close_on + dt.timedelta(days=1)

    with pytest.raises(answers.AnswerError) as refused:
        answers.answer(db, member.group_id, member.person, TAPS, too_late, settings=settings)

    assert refused.value.field == "met"
    assert row.check_ins_close_on.strftime("%-d %B %Y") in refused.value.message
    assert member.answered_at is None and db.scalars(select(Ballot)).all() == []


def test_check_ins_are_counted_once_after_the_last_day_with_a_team_the_floor_who_met_share(
    db: Session, org: list[Person], coffee: Program, settings: Settings
) -> None:
    row = rounds.run_round(db, coffee, MONDAY, actor=None)
    assert row is not None
    members = _members(db, row)
    for k, member in enumerate(members):
        said = TAPS if k % 3 else Answer(met=False)  # a third did not meet: no check-in
        answers.answer(db, member.group_id, member.person, said, MONDAY, settings=settings)
    met = [m for m in members if m.met]
    last_day = dt.datetime.combine(row.check_ins_close_on, dt.time(23), dt.UTC)

    assert answers.count_check_ins(db, settings, row, floor=FLOOR, now=last_day) is None
    assert db.scalars(select(CheckIn)).all() == []
    assert answers.count_check_ins(db, settings, row, floor=FLOOR, now=_after(row)) == len(met)
    assert answers.count_check_ins(db, settings, row, floor=FLOOR, now=_after(row)) is None

    stored = db.scalars(select(CheckIn)).all()
    audience = [Attributes(m.person.team_id) for m in members if m.met]
    parents = {t: p for t, p in db.execute(select(Team.id, Team.parent_id))}
    assert len(stored) == len(met) < len(members) and db.scalars(select(Ballot)).all() == []
    assert min(shared_by(Attributes(c.team_id), audience, parents) for c in stored) >= FLOOR
    assert {(c.positive_regard, c.mutuality, c.vitality) for c in stored} == {(4, 3, 5)}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_after_counting_no_xmin_joins_a_check_in_to_fewer_than_the_whole_round(
    factory: sessionmaker[Session], db: Session, org: list[Person], coffee: Program,
    settings: Settings,
) -> None:  # fmt: skip
    row = rounds.run_round(db, coffee, MONDAY, actor=None)
    assert row is not None
    db.commit()
    members = _members(db, row)
    for member in members[:11]:
        with transaction(factory) as session:
            person = session.get(Person, member.person_id)
            answers.answer(session, member.group_id, person, TAPS, MONDAY, settings=settings)  # type: ignore[arg-type]
    with transaction(factory) as session:
        answers.count_check_ins(session, settings, session.get(Round, row.id), floor=FLOOR,  # type: ignore[arg-type]
                                now=_after(row))  # fmt: skip

    joined = db.execute(
        text(
            "SELECT c.id, count(m.id) FROM check_ins c "
            "LEFT JOIN group_members m ON m.xmin = c.xmin GROUP BY c.id"
        )
    ).all()
    assert len(joined) == 11
    assert {n for _, n in joined} <= {0, len(members)}
    order = db.scalars(text("SELECT id FROM check_ins ORDER BY ctid")).all()
    assert len(set(order)) == 11


def test_the_demo_attack_finds_no_check_in_whose_team_matches_one_person(
    db: Session, org: list[Person], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "get_settings", lambda: settings)
    demo.seed_programs(db, today=MONDAY, seed=4, weeks=6)
    db.commit()

    parents = {t: p for t, p in db.execute(select(Team.id, Team.parent_id))}
    counted = db.scalars(select(Round).where(Round.check_ins_counted_at.is_not(None))).all()
    assert counted  # the older rounds are counted, the newest still taking check-ins
    midnight = dt.datetime.combine(MONDAY, dt.time(), dt.UTC)
    assert {row.check_ins_counted_at for row in counted} == {midnight}  # never dated later
    total = 0
    for row in counted:
        # A reader of group_members knows who said they met: the crowd to hide in.
        audience = [Attributes(m.person.team_id) for m in _members(db, row) if m.met]
        for check_in in db.scalars(select(CheckIn).where(CheckIn.round_id == row.id)):
            total += 1
            assert shared_by(Attributes(check_in.team_id), audience, parents) >= FLOOR
    assert total > 20
