"""The load scenario's database: created fresh, migrated, seeded, and work made due.

Everything goes through the app's own services (the demo seed, passwords, a programme, a
pulse, each team's digest day and hour), with the settings the app instances and workers read
from the same environment.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from connectwell.accounts import service as accounts
from connectwell.core.config import get_settings
from connectwell.core.db import make_engine, make_session_factory, transaction, utcnow
from connectwell.core.db.migrate import upgrade
from connectwell.core.notify.models import OutboxEmail
from connectwell.demo.service import DEMO_PASSWORD, seed_demo
from connectwell.digests import service as digests
from connectwell.people import service as people
from connectwell.people.models import Person, Team
from connectwell.programs import service as programs
from connectwell.programs.models import Cadence
from connectwell.programs.schemas import ProgramIn
from connectwell.pulses import service as pulses
from connectwell.pulses.models import Participation
from connectwell.pulses.schemas import PulseIn
from connectwell.shoutouts.models import ShoutOut

LOAD_PROGRAMME = "Coffee during the load test"
LOAD_PULSE = "Load-test pulse"


def create_database(server_url: str, name: str) -> None:
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@dataclass
class Cast:
    """Who the simulated users sign in as, and what the checks compare against."""

    password: str
    admin: str
    members: list[dict[str, object]] = field(default_factory=list)  # email, id
    leads: list[dict[str, object]] = field(default_factory=list)  # email, team_ids
    baseline: dict[str, int] = field(default_factory=dict)
    arranged: dict[str, object] = field(default_factory=dict)

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1, default=str))


def prepare(database_url: str, *, people_count: int) -> Cast:
    """Migrate, seed the demo organisation, give everyone the demo password, make a pairing
    round's intros, a pulse round and this week's digest due; return the cast."""
    settings = get_settings()
    engine = make_engine(database_url)
    upgrade(engine, anonymity_floor=settings.anonymity_floor)
    factory = make_session_factory(engine)
    now = utcnow()
    with transaction(factory) as session:
        seed_demo(session, people=people_count, today=now.date())
        # The seed's twelve weeks of history queued their intros as if they happened now:
        # old news, not the run's mail. Without this the workers would spend the run
        # delivering a few thousand of them.
        session.execute(delete(OutboxEmail))
    with transaction(factory) as session:
        cast = _cast(session)
        cast.arranged = _arrange(session, now, cast.admin)
        cast.baseline = _baseline(session)
    engine.dispose()
    return cast


def _cast(session: Session) -> Cast:
    password_hash = accounts.hash_password(DEMO_PASSWORD)
    everyone = list(session.scalars(select(Person).where(Person.is_active).order_by(Person.id)))
    admin = next(p for p in everyone if p.is_admin)
    cast = Cast(password=DEMO_PASSWORD, admin=admin.email)
    for person in everyone:
        accounts.set_password(session, person, DEMO_PASSWORD, password_hash=password_hash)
        led = sorted(people.led_team_ids(session, person.id))
        if person.is_admin:
            continue
        if led:
            cast.leads.append({"email": person.email, "team_ids": led})
        else:
            cast.members.append({"email": person.email, "id": person.id})
    session.flush()
    return cast


def _arrange(session: Session, now: dt.datetime, admin_email: str) -> dict[str, object]:
    """Work the workers will find due when they start: a pairing round dated yesterday (its
    intros at 09:00 local, passed in every time zone), a pulse round open today, and each
    team's digest day and hour set so this week's digest is due for as many as it can be."""
    yesterday = now.date() - dt.timedelta(days=1)
    programme = programs.create_program(
        session,
        ProgramIn(
            name=LOAD_PROGRAMME,
            cadence=Cadence.weekly,
            weekday=yesterday.weekday(),
            local_hour=9,
            starts_on=yesterday,
        ),
        actor=None,
    )
    pulse = pulses.create_pulse(
        session,
        PulseIn(
            name=LOAD_PULSE,
            cadence="weekly",
            weekday=now.weekday(),
            local_hour=0,
            starts_on=now.date(),
        ),
        actor=None,
    )
    opened = pulses.open_round(session, pulse, now.date(), actor=None)
    assert opened is not None
    admin = session.scalar(select(Person).where(Person.email == admin_email))
    assert admin is not None
    due = 0
    for team in session.scalars(select(Team).order_by(Team.id)):
        zones = list(
            session.scalars(
                select(Person.timezone).where(Person.team_id == team.id, Person.is_active)
            )
        )
        weekday, hour, covered = _digest_moment(zones, now)
        digests.set_schedule(session, admin, team.id, weekday, hour)
        due += covered
    return {
        "programme_id": programme.id,
        "pulse_round_id": opened.id,
        "digests_due": due,
        "now": now.isoformat(),
    }


def _digest_moment(zones: list[str], now: dt.datetime) -> tuple[int, int, int]:
    """The team's (weekday, hour) that makes this week's digest due now for most members
    (a member's moment is in their own zone and week); the latest such moment wins a tie."""
    best: tuple[int, dt.datetime, int, int] | None = None
    margin = digests.GRACE - dt.timedelta(hours=2)  # stays due through a long run
    for weekday in range(7):
        for hour in range(24):
            schedule = digests.Schedule(weekday, hour, None)
            moments = [digests.this_week(zone, schedule, now)[1] for zone in zones]
            covered = sum(1 for m in moments if m <= now and now - m < margin)
            latest = max((m for m in moments if m <= now), default=now - dt.timedelta(days=99))
            key = (covered, latest, weekday, hour)
            if best is None or key[:2] > best[:2]:
                best = key
    assert best is not None
    return best[2], best[3], best[0]


def _baseline(session: Session) -> dict[str, int]:
    """What existed before the load: later rows are the run's."""
    return {
        "max_shoutout_id": session.scalar(select(func.max(ShoutOut.id))) or 0,
        "answered": session.scalar(
            select(func.count()).select_from(Participation).where(Participation.answered)
        )
        or 0,
    }
