"""Team insights with 10,000 people and 1,000,000 pulse responses, SQLite and PostgreSQL.

Results are published once per closed, counted round (``insights.publish``): the job reads
that round's answers, decides the whole team tree's disclosure through the ledger and stores
the figures per scope; pages read only publications. This script seeds the volume (once per
database): 100 weekly rounds of 10,000 invited who all answered (one construct's full item
set per round), all counted; it times publishing each round, then the team insights page
through the app in-process over all those publications (a lead's team and the admin's
organisation view) and prints p50 and p95.

    .venv/bin/python benchmarks/insights_page.py --db sqlite --db postgresql

Not a test: its figures go into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import secrets
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from connectwell.accounts import service as accounts
from connectwell.core.config import Settings
from connectwell.core.db import make_engine, make_session_factory, transaction
from connectwell.core.db.migrate import upgrade
from connectwell.demo.generator import generate_org
from connectwell.demo.service import roster_csv
from connectwell.insights import publish
from connectwell.insights.models import Publication
from connectwell.people import roster
from connectwell.people.models import Person, TeamLead
from connectwell.pulses import service as pulses
from connectwell.pulses.models import Answer, Construct, Item, PulseRound, Response
from connectwell.pulses.schemas import PulseIn
from connectwell.web.app import create_app
from connectwell.web.deps import SESSION_COOKIE

SQLITE_PATH = Path(tempfile.gettempdir()) / "connectwell-bench" / "publish.db"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
POSTGRES_DB = "connectwell_bench_publish"
TODAY = dt.date(2026, 11, 26)


def database_url(kind: str) -> str:
    if kind == "sqlite":
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{SQLITE_PATH}"
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(
            text("select 1 from pg_database where datname = :name"), {"name": POSTGRES_DB}
        ).scalar():
            connection.execute(text(f'CREATE DATABASE "{POSTGRES_DB}"'))
    admin.dispose()
    return make_url(POSTGRES_SERVER).set(database=POSTGRES_DB).render_as_string(False)


TENURE = ("under 1 year", "1-3 years", "3-5 years", "5+ years")


def seed(engine: Engine, people: int, responses: int, rounds: int, seed_value: int) -> None:
    factory = make_session_factory(engine)
    with factory() as session:
        if (session.scalar(select(func.count()).select_from(Response)) or 0) >= responses:
            print("  reusing the seeded responses", flush=True)
            return
    clock = time.perf_counter()
    with transaction(factory) as session:
        roster.import_roster(
            session,
            roster.parse_roster(roster_csv(generate_org(people, seed=seed_value))),
            actor=None,
        )
        pulse = pulses.create_pulse(
            session,
            PulseIn(name="Pulse", cadence="weekly", starts_on=TODAY - dt.timedelta(weeks=rounds)),
            actor=None,
        )
        constructs = [
            list(session.scalars(select(Item.id).where(Item.construct_id == c).order_by(Item.id)))
            for c in session.scalars(select(Construct.id).order_by(Construct.id))
        ]
        made = []
        for k in range(rounds):
            opens = TODAY - dt.timedelta(weeks=rounds - k + 1)
            row = PulseRound(
                pulse_id=pulse.id,
                opens_on=opens,
                closes_on=opens + dt.timedelta(7),
                sequence=k,
                item_ids=constructs[k % len(constructs)],  # one construct's full set a round
                invited=people,
                counted_at=dt.datetime.combine(opens + dt.timedelta(8), dt.time(), dt.UTC),
            )
            session.add(row)
            made.append(row)
        session.flush()
        members = session.execute(select(Person.team_id, Person.location)).all()
        round_items = [(r.id, r.item_ids) for r in made]
    rng = random.Random(seed_value)
    batch: list[dict[str, object]] = []
    answers: list[dict[str, object]] = []
    per_round = responses // rounds
    for n in range(responses):
        round_id, items = round_items[min(n // per_round, rounds - 1)]
        team_id, location = members[rng.randrange(len(members))]
        rid = uuid.UUID(int=rng.getrandbits(128)).hex
        batch.append(
            {
                "id": rid,
                "round_id": round_id,
                "team_id": team_id,
                "tenure_band": TENURE[rng.randrange(len(TENURE))],
                "location": location,
                "comment": f"comment {n % 7}" if rng.random() < 0.05 else "",
            }
        )
        answers += [{"response_id": rid, "item_id": i, "value": rng.randint(1, 5)} for i in items]
        if len(batch) == 10_000:
            with engine.begin() as connection:
                connection.execute(insert(Response), batch)
                connection.execute(insert(Answer), answers)
            batch, answers = [], []
            if (n + 1) % 200_000 == 0:
                print(f"  {n + 1:,} responses ({time.perf_counter() - clock:.0f} s)", flush=True)
    if batch:
        with engine.begin() as connection:
            connection.execute(insert(Response), batch)
            connection.execute(insert(Answer), answers)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(
            text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
        )
    print(
        f"  seeded {people:,} people and {responses:,} responses in "
        f"{time.perf_counter() - clock:.0f} s",
        flush=True,
    )


def publish_all(engine: Engine) -> None:
    """Publish every counted round, one transaction each (as the job does), timing each."""
    factory = make_session_factory(engine)
    with factory() as session:
        published = set(session.scalars(select(Publication.source_id)))
        todo = [
            (round_id, invited)
            for round_id, invited in session.execute(
                select(PulseRound.id, PulseRound.invited).order_by(PulseRound.opens_on)
            )
            if round_id not in published
        ]
    if not todo:
        print("  every round published already", flush=True)
        return
    timings = []
    for round_id, _invited in todo:
        clock = time.perf_counter()
        with transaction(factory) as session:
            row = session.get(PulseRound, round_id)
            assert row is not None
            now = dt.datetime.combine(TODAY, dt.time(6), dt.UTC)
            assert publish.publish_pulse_round(session, row, floor=5, now=now) is not None
        timings.append(time.perf_counter() - clock)
    with factory() as session:
        answered = session.scalar(
            select(func.count()).select_from(Response).where(Response.round_id == todo[0][0])
        )
    print(
        f"  published {len(timings)} rounds of {todo[0][1]:,} invited ({answered:,} answers "
        f"each): first {timings[0]:.1f} s, median {statistics.median(timings):.1f} s, "
        f"max {max(timings):.1f} s",
        flush=True,
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    for kind in args.db or ["sqlite", "postgresql"]:
        print(f"{kind}: {args.people:,} people, {args.responses:,} responses", flush=True)
        url = database_url(kind)
        engine = make_engine(url)
        upgrade(engine)
        seed(engine, args.people, args.responses, args.rounds, 5)
        publish_all(engine)
        factory = make_session_factory(engine)
        settings = Settings(
            database_url=url, secret_key=secrets.token_urlsafe(40), instance_path=SQLITE_PATH.parent
        )
        with transaction(factory) as session:
            admin = session.scalar(select(Person).order_by(Person.id).limit(1))
            lead_row = session.scalar(select(TeamLead).limit(1))
            assert admin is not None and lead_row is not None
            admin.role = "admin"
            lead = session.get(Person, lead_row.person_id)
            cookies = {
                name: accounts.start_session(session, person, settings)
                for name, person in (("admin", admin), ("lead", lead))
            }
            team_id = lead_row.team_id
        app = create_app(settings, session_factory=factory, migrate=False)
        with TestClient(app) as client:
            for label, role, path in (
                ("lead: team page", "lead", f"/insights/teams/{team_id}"),
                ("admin: organisation", "admin", "/insights/org"),
            ):
                client.cookies.set(SESSION_COOKIE, cookies[role])
                client.get(path)
                timings = []
                for _ in range(args.requests):
                    start = time.perf_counter()
                    response = client.get(path)
                    timings.append(time.perf_counter() - start)
                    assert response.status_code == 200, response.status_code
                print(
                    f"  {label:<20} p50 {1000 * statistics.median(timings):6.1f} ms  "
                    f"p95 {1000 * percentile(timings, 0.95):6.1f} ms"
                )
        engine.dispose()


if __name__ == "__main__":
    main()
