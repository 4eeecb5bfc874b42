"""A programme round's micro check-ins: published once after they close, through the gate;
the share who met only from the floor up."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.insights import publish
from connectwell.insights.models import LedgerEntry, Publication, PublishedFigure
from connectwell.insights.schemas import PUBLISHED, CheckInRoundFigures
from connectwell.people.models import Person, Team
from connectwell.programs import rounds
from connectwell.programs import service as programs
from connectwell.programs.models import CheckIn, GroupMember, Round
from connectwell.programs.schemas import ProgramIn
from connectwell.stats import AnonymityPolicy, verify_disclosure

FLOOR = 5
ROUND_ON = dt.date(2026, 10, 5)
NOW = dt.datetime(2026, 11, 26, 6, tzinfo=dt.UTC)


def _round(db: Session, people: int = 12) -> Round:
    team = Team(name="Everyone")
    db.add(team)
    db.flush()
    db.add_all(
        Person(email=f"p{k}@example.org", name=f"P {k}", team=team, timezone="Europe/London")
        for k in range(people)
    )
    db.flush()
    program = programs.create_program(
        db,
        ProgramIn(name="Coffee", cadence="weekly", weekday=ROUND_ON.weekday(),
                  starts_on=ROUND_ON, min_overlap_hours=0),
        actor=None,
    )  # fmt: skip
    row = rounds.run_round(db, program, ROUND_ON, actor=None)
    assert row is not None
    return row


def answer(db: Session, row: Round, taps: list[tuple[int, int, int] | None]) -> None:
    """The first members answer: a tuple is "we met" with its taps, None is "we did not"."""
    members = list(
        db.scalars(
            select(GroupMember)
            .join(GroupMember.group)
            .where(GroupMember.group.has(round_id=row.id))
            .order_by(GroupMember.id)
        )
    )
    for member, given in zip(members, taps, strict=False):
        member.met = given is not None
        member.answered_at = dt.datetime.combine(ROUND_ON, dt.time(), dt.UTC)
        if given is not None:
            db.add(
                CheckIn(program_id=row.program_id, round_id=row.id,
                        team_id=member.person.team_id, positive_regard=given[0],
                        mutuality=given[1], vitality=given[2])
            )  # fmt: skip
    db.flush()


def _org(db: Session) -> CheckInRoundFigures | None:
    row = db.scalar(select(PublishedFigure).where(PublishedFigure.scope == "org"))
    if row is None:
        return None
    figures = PUBLISHED.validate_python(row.payload)
    assert isinstance(figures, CheckInRoundFigures)
    return figures


def test_check_ins_are_published_only_after_they_were_counted(db: Session) -> None:
    row = _round(db)
    answer(db, row, [(4, 4, 5)] * 6)

    with pytest.raises(publish.PublishError) as refused:
        publish.publish_check_in_round(db, row, floor=FLOOR, now=NOW)
    assert refused.value.field == "round"
    assert publish.publish_due(db, floor=FLOOR, now=NOW) == []

    row.check_ins_counted_at = NOW
    db.flush()
    assert publish.publish_due(db, floor=FLOOR, now=NOW) == [
        f"check-ins of round {row.id} ({ROUND_ON})"
    ]
    assert publish.publish_check_in_round(db, row, floor=FLOOR, now=NOW) is None


def test_six_check_ins_publish_means_with_intervals_rounded_as_shown(db: Session) -> None:
    row = _round(db)
    answer(db, row, [(4, 4, 5), (5, 3, 4), (4, 4, 4), (3, 5, 5), (4, 4, 4), (5, 4, 3), None])
    row.check_ins_counted_at = NOW
    db.flush()

    publish.publish_check_in_round(db, row, floor=FLOOR, now=NOW)

    org = _org(db)
    assert org is not None and org.n == 6
    assert org.positive_regard is not None and org.positive_regard.mean == 4.17  # 25 / 6
    assert org.positive_regard.ci_low is not None and org.positive_regard.ci_high is not None
    assert org.positive_regard.ci_low < 4.17 < org.positive_regard.ci_high
    assert (org.met_n, org.met_pct) == (7, 86)  # 6 of 7, whole percent
    assert org.met_low is not None and org.met_high is not None and org.met_low < 86 < org.met_high


def test_below_the_floor_neither_taps_nor_the_met_share_are_shown(db: Session) -> None:
    row = _round(db)
    answer(db, row, [(5, 5, 5), (5, 5, 5), None, (1, 1, 1)])
    row.check_ins_counted_at = NOW
    db.flush()

    publication = publish.publish_check_in_round(db, row, floor=FLOOR, now=NOW)

    assert publication is not None
    assert _org(db) is None  # 3 check-ins and 4 answers: nothing for anyone
    assert db.scalars(select(LedgerEntry)).all() == []


def test_the_met_share_appears_from_the_floor_while_the_taps_stay_hidden(db: Session) -> None:
    row = _round(db)
    answer(db, row, [(5, 5, 5), None, None, None, (2, 2, 2)])
    row.check_ins_counted_at = NOW
    db.flush()

    publish.publish_check_in_round(db, row, floor=FLOOR, now=NOW)

    org = _org(db)
    assert org is not None and org.n is None and org.positive_regard is None
    assert (org.met_n, org.met_pct) == (5, 40)
    groups = [frozenset(e.members) for e in db.scalars(select(LedgerEntry))]
    assert verify_disclosure(groups, AnonymityPolicy(floor=FLOOR)) == []
    assert db.scalar(select(Publication.kind)) == "check_in_round"
