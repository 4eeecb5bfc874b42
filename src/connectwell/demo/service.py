"""Seed the demo organisation into an empty database."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.accounts import service as accounts
from connectwell.core.config import get_settings
from connectwell.demo.generator import DemoOrg, DemoPerson, generate_org
from connectwell.people import roster
from connectwell.people.models import Person
from connectwell.programs import answers, intros, rounds
from connectwell.programs import service as programs
from connectwell.programs.models import Cadence, GroupMember, Kind, Program
from connectwell.programs.schedule import round_dates
from connectwell.programs.schemas import Answer, ProgramIn

DEMO_PASSWORD = "connectwell-demo"  # noqa: S105 - a public demo, printed on start


@dataclass(frozen=True)
class DemoSignIn:
    role: str
    email: str
    password: str
    name: str
    team: str


def roster_csv(org: DemoOrg) -> str:
    return roster.rows_from_records(
        {
            "email": p.email,
            "name": p.name,
            "team": p.team,
            "manager_email": p.manager_email or "",
            "title": p.title,
            "timezone": p.timezone,
            "location": p.location,
            "start_date": p.start_date.isoformat(),
            "role": p.role,
        }
        for p in org.people
    )


def demo_cast(org: DemoOrg) -> dict[str, DemoPerson]:
    """The three people whose sign-in the demo prints: an admin, a lead and a member."""
    admin = next(p for p in org.people if p.role == "admin")
    lead = next(p for p in org.people if p.role == "lead" and p.team != admin.team)
    member = next(
        p for p in org.people if p.role == "member" and p.team not in (admin.team, lead.team)
    )
    return {"admin": admin, "lead": lead, "member": member}


def seed_demo(
    session: Session, *, people: int = 240, seed: int = 7, today: dt.date | None = None
) -> list[DemoSignIn] | None:
    """Fill an empty database with the demo organisation; None when people exist already."""
    if session.scalar(select(func.count()).select_from(Person)):
        return None
    today = today or dt.date.today()
    org = generate_org(people, seed=seed, today=today)
    roster.import_roster(session, roster.parse_roster(roster_csv(org), filename="demo roster"))
    password_hash = accounts.hash_password(DEMO_PASSWORD)
    sign_ins = []
    for role, demo_person in demo_cast(org).items():
        person = session.scalar(select(Person).where(Person.email == demo_person.email))
        assert person is not None
        accounts.set_password(session, person, DEMO_PASSWORD, password_hash=password_hash)
        sign_ins.append(
            DemoSignIn(role, person.email, DEMO_PASSWORD, person.name, demo_person.team)
        )
    seed_programs(session, today=today, seed=seed)
    return sign_ins


def after_every_zone(day: dt.date) -> dt.datetime:
    """Noon UTC the next day: past 09:00 on ``day`` in every time zone on Earth."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC)


def seed_programs(session: Session, *, today: dt.date, seed: int, weeks: int = 12) -> Program:
    """A weekly coffee programme with ``weeks`` of history (intros, answers, check-ins), and
    an onboarding-buddies programme with a few volunteers."""
    rng = random.Random(seed)
    coffee = programs.create_program(
        session,
        ProgramIn(
            name="Coffee across teams",
            description="Thirty minutes with someone from another team, every week.",
            cadence=Cadence.weekly,
            weekday=0,
            local_hour=9,
            starts_on=today - dt.timedelta(weeks=weeks),
        ),
    )
    past = [day for day in round_dates(coffee.starts_on, 0, "weekly", today) if day < today]
    settings = get_settings()
    for day in past[-weeks:]:
        rounds.run_round(session, coffee, day)
        intros.send_due_intros(session, settings, after_every_zone(day))
        for member in session.scalars(
            select(GroupMember).where(
                GroupMember.answered_at.is_(None), GroupMember.intro_sent_at.is_not(None)
            )
        ):
            if rng.random() < 0.25:
                continue  # some people never answer
            met = rng.random() < 0.8
            taps = (
                [min(5, max(1, round(rng.gauss(4.1, 0.8)))) for _ in range(3)]
                if met
                else [None] * 3
            )
            answers.answer(
                session,
                member.group_id,
                member.person,
                Answer(met=met, positive_regard=taps[0], mutuality=taps[1], vitality=taps[2]),
                day + dt.timedelta(days=3),
            )
    buddies = programs.create_program(
        session,
        ProgramIn(
            name="Onboarding buddies",
            kind=Kind.buddies,
            cadence=Cadence.weekly,
            weekday=0,
            starts_on=today,
            description="Every new hire gets a buddy from another team.",
        ),
    )
    veterans = session.scalars(
        select(Person)
        .where(Person.start_date < today - dt.timedelta(days=365))
        .order_by(Person.id)
        .limit(12)
    )
    for person in veterans:
        programs.set_buddy_capacity(session, buddies, person, 2)
    return coffee


def demo_sign_ins(session: Session, *, people: int = 240, seed: int = 7) -> list[DemoSignIn]:
    """The demo's sign-ins, to print again on later starts (the generator is deterministic)."""
    org = generate_org(people, seed=seed)
    result = []
    for role, demo_person in demo_cast(org).items():
        if session.scalar(select(Person.id).where(Person.email == demo_person.email)):
            result.append(
                DemoSignIn(
                    role, demo_person.email, DEMO_PASSWORD, demo_person.name, demo_person.team
                )
            )
    return result
