"""Seed the demo organisation into an empty database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.accounts import service as accounts
from connectwell.demo.generator import DemoOrg, DemoPerson, generate_org
from connectwell.people import roster
from connectwell.people.models import Person

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
    return sign_ins


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
