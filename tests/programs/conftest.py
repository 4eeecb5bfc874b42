"""An organisation and a programme for the programme tests."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.demo.generator import generate_org
from connectwell.demo.service import roster_csv
from connectwell.people import roster
from connectwell.people.models import Person
from connectwell.programs import service
from connectwell.programs.models import Program
from connectwell.programs.schemas import ProgramIn

MONDAY = dt.date(2026, 11, 30)


@pytest.fixture
def org(db: Session) -> list[Person]:
    """41 people (an odd count) in nested teams across four time zones."""
    org = generate_org(41, seed=11, today=MONDAY)
    roster.import_roster(db, roster.parse_roster(roster_csv(org)), actor=None)
    db.commit()
    return list(db.scalars(select(Person).order_by(Person.id)))


@pytest.fixture
def coffee(db: Session, org: list[Person]) -> Program:
    program = service.create_program(
        db,
        ProgramIn(
            name="Coffee across teams",
            cadence="weekly",
            weekday=0,
            local_hour=9,
            starts_on=MONDAY - dt.timedelta(weeks=12),
            min_overlap_hours=0,
        ),
        actor=None,
    )
    db.commit()
    return program
