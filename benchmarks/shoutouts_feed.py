"""Shout-out feed latency with 10,000 people and 1,000,000 shout-outs, SQLite and PostgreSQL.

Seeds the volume once per database (reused on later runs), then times the feed the way a
request does: the API endpoint through the ASGI app in-process (``--via http``), or the
service call plus the conversion to the API schema (``--via service``). Prints p50 and p95.

    .venv/bin/python benchmarks/shoutouts_feed.py --db sqlite --db postgresql

Not a test: it prints figures for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import secrets
import statistics
import tempfile
import time
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
from connectwell.people import roster
from connectwell.people.models import Person
from connectwell.shoutouts import service
from connectwell.shoutouts.models import Recipient, ShoutOut
from connectwell.shoutouts.schemas import FeedFilter
from connectwell.web.app import create_app
from connectwell.web.deps import SESSION_COOKIE

SQLITE_PATH = Path(tempfile.gettempdir()) / "connectwell-bench" / "feed.db"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
POSTGRES_DB = "connectwell_bench_feed"
PATHWAYS = ("respect", "enabling", "trust", "play")


def database_url(kind: str) -> str:
    if kind == "sqlite":
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{SQLITE_PATH}"
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("select 1 from pg_database where datname = :name"), {"name": POSTGRES_DB}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{POSTGRES_DB}"'))
    admin.dispose()
    return make_url(POSTGRES_SERVER).set(database=POSTGRES_DB).render_as_string(False)


def seed(engine: Engine, people: int, shoutouts: int, seed_value: int) -> None:
    factory = make_session_factory(engine)
    with factory() as session:
        have_people = session.scalar(select(func.count()).select_from(Person)) or 0
        have = session.scalar(select(func.count()).select_from(ShoutOut)) or 0
    if have_people < people:
        clock = time.perf_counter()
        with transaction(factory) as session:
            org = generate_org(people, seed=seed_value)
            roster.import_roster(session, roster.parse_roster(roster_csv(org)), actor=None)
        print(f"  seeded {people:,} people in {time.perf_counter() - clock:.1f} s", flush=True)
    if have >= shoutouts:
        print(f"  reusing {have:,} shout-outs", flush=True)
        return
    with factory() as session:
        members = session.execute(select(Person.id, Person.team_id)).all()
    rng = random.Random(seed_value)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(weeks=12)
    step = dt.timedelta(weeks=12) / shoutouts
    clock = time.perf_counter()
    batch = 20_000
    next_id = have + 1
    while next_id <= shoutouts:
        rows, recipients = [], []
        for shout_id in range(next_id, min(next_id + batch, shoutouts + 1)):
            sender = members[rng.randrange(len(members))]
            roll = rng.random()
            visibility = "everyone" if roll < 0.8 else ("teams" if roll < 0.95 else "private")
            rows.append(
                {
                    "id": shout_id,
                    "sender_id": sender[0],
                    "message": f"Thank you! #{shout_id}",
                    "message_hash": f"{shout_id:064d}",
                    "pathway": PATHWAYS[shout_id % 4],
                    "value_id": None,
                    "visibility": visibility,
                    "created_at": start + step * shout_id,
                    "hidden_at": None,
                }
            )
            for _ in range(1 if rng.random() < 0.85 else 2):
                person = members[rng.randrange(len(members))]
                recipients.append(
                    {
                        "shoutout_id": shout_id,
                        "person_id": person[0],
                        "team_id": None,
                        "recipient_team_id": person[1],
                    }
                )
        with engine.begin() as connection:
            connection.execute(insert(ShoutOut), rows)
            connection.execute(insert(Recipient), recipients)
        next_id += batch
        done = next_id - 1
        if done % 200_000 < batch:
            print(
                f"  {min(done, shoutouts):,} shout-outs ({time.perf_counter() - clock:.0f} s)",
                flush=True,
            )
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("SELECT setval('shoutouts_id_seq', (SELECT max(id) FROM shoutouts))")
            )
        connection.execute(text("ANALYZE"))
    if engine.dialect.name == "postgresql":
        # What autovacuum does to a table this size soon after: sets the visibility map, so
        # index-only scans need no heap visits.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    print(f"  seeded {shoutouts:,} shout-outs in {time.perf_counter() - clock:.0f} s", flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(engine: Engine, viewers: int, seed_value: int) -> dict[str, list[float]]:
    """Seconds per feed request, by kind of request."""
    factory = make_session_factory(engine)
    rng = random.Random(seed_value + 1)
    with factory() as session:
        people = list(session.scalars(select(Person.id)))
        teams = [t for t in session.scalars(select(Person.team_id).distinct()) if t]
    timings: dict[str, list[float]] = {
        "first page": [],
        "next pages": [],
        "by team": [],
        "by pathway": [],
        "by person": [],
    }
    for _ in range(viewers):
        viewer_id = rng.choice(people)
        cases = [
            ("first page", FeedFilter(), 3),
            ("by team", FeedFilter(team_id=rng.choice(teams)), 1),
            ("by pathway", FeedFilter(pathway=rng.choice(PATHWAYS)), 1),
            ("by person", FeedFilter(person_id=rng.choice(people)), 1),
        ]
        for label, filters, pages in cases:
            cursor = None
            for page in range(pages):
                with factory() as session:  # a request: its own session and transaction
                    clock = time.perf_counter()
                    viewer = session.get(Person, viewer_id)
                    assert viewer is not None
                    items, cursor = service.feed(session, viewer, filters, before=cursor, limit=20)
                    _ = [service.reaction_counts(s) for s in items]  # what the API renders
                    _ = [(s.sender.name, [r.person or r.team for r in s.recipients]) for s in items]
                    elapsed = time.perf_counter() - clock
                timings["next pages" if page else label].append(elapsed)
                if cursor is None:
                    break
    return timings


def measure_http(engine: Engine, url: str, viewers: int, seed_value: int) -> dict[str, list[float]]:
    """Seconds per GET /api/v1/shoutouts through the whole app in-process (no network)."""
    factory = make_session_factory(engine)
    settings = Settings(
        database_url=url, secret_key=secrets.token_urlsafe(40), instance_path=SQLITE_PATH.parent
    )
    rng = random.Random(seed_value + 2)
    with factory() as session:
        people = list(session.scalars(select(Person.id)))
    timings: dict[str, list[float]] = {"API first": [], "API next": []}
    app = create_app(settings, session_factory=factory, migrate=False)
    with TestClient(app) as client:
        for _ in range(viewers):
            with transaction(factory) as session:
                viewer = session.get(Person, rng.choice(people))
                assert viewer is not None
                token = accounts.start_session(session, viewer, settings)
            client.cookies.set(SESSION_COOKIE, token)
            cursor = None
            for page in range(3):
                params = {"limit": "20"} | ({"before": str(cursor)} if cursor else {})
                clock = time.perf_counter()
                response = client.get("/api/v1/shoutouts", params=params)
                timings["API next" if page else "API first"].append(time.perf_counter() - clock)
                assert response.status_code == 200, response.text
                cursor = response.json()["next_cursor"]
                if cursor is None:
                    break
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--shoutouts", type=int, default=1_000_000)
    parser.add_argument("--viewers", type=int, default=100)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    for kind in args.db or ["sqlite", "postgresql"]:
        print(f"{kind}: {args.people:,} people, {args.shoutouts:,} shout-outs", flush=True)
        engine = make_engine(database_url(kind))
        upgrade(engine)
        seed(engine, args.people, args.shoutouts, args.seed)
        measure(engine, 5, args.seed)  # warm the caches
        timings = measure(engine, args.viewers, args.seed)
        timings |= measure_http(engine, database_url(kind), args.viewers, args.seed)
        for label, values in timings.items():
            print(
                f"  {label:<11} n={len(values):>4}  p50 {1000 * statistics.median(values):6.1f} ms"
                f"  p95 {1000 * percentile(values, 0.95):6.1f} ms"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
