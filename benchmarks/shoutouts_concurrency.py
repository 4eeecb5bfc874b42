"""Fifty clients post shout-outs at once for 30 seconds on PostgreSQL: nothing is lost, nobody
goes over the daily quota.

Each client is a thread with its own connection (a pool of 60), posting one shout-out per
transaction through the service, the way a request does. Afterwards it checks every accepted
post is stored exactly once and every sender's count is at most the quota, and prints the
throughput and the refusals by reason.

    .venv/bin/python benchmarks/shoutouts_concurrency.py --clients 50 --seconds 30

Not a test (tests/shoutouts/test_concurrency.py runs the same for 3 seconds).
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import threading
import time
from collections import Counter

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from connectwell.core.config import Settings
from connectwell.core.db import make_engine, make_session_factory, transaction
from connectwell.core.db.migrate import upgrade
from connectwell.demo.generator import generate_org
from connectwell.demo.service import roster_csv
from connectwell.people import roster
from connectwell.people.models import Person
from connectwell.shoutouts import service
from connectwell.shoutouts.models import DailyCount, ShoutOut
from connectwell.shoutouts.schemas import ShoutOutIn

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def fresh_database(name: str) -> str:
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(SERVER).set(database=name).render_as_string(False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--people", type=int, default=500)
    args = parser.parse_args()

    engine = make_engine(fresh_database("connectwell_bench_posting"), pool_size=args.clients + 10)
    upgrade(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        org = generate_org(args.people, seed=9)
        roster.import_roster(session, roster.parse_roster(roster_csv(org)), actor=None)
    with factory() as session:
        ids = list(session.scalars(select(Person.id)))
    settings = Settings(database_url=str(engine.url), secret_key=secrets.token_urlsafe(40))

    accepted: list[tuple[int, str]] = []
    refused: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(args.clients)
    deadline = 0.0

    def client(number: int) -> None:
        rng = random.Random(number)
        start_gate.wait()
        posted = 0
        while time.monotonic() < deadline:
            sender_id, recipient_id = rng.sample(ids, 2)
            posted += 1
            message = f"Thanks from client {number}, post {posted}"
            clock = time.perf_counter()
            try:
                with transaction(factory) as session:
                    sender = session.get(Person, sender_id)
                    assert sender is not None
                    data = ShoutOutIn(
                        message=message, pathway="enabling", person_ids=[recipient_id]
                    )
                    service.give(session, sender, data, settings)
                with lock:
                    accepted.append((sender_id, message))
                    latencies.append(time.perf_counter() - clock)
            except service.ShoutOutError as error:
                with lock:
                    refused[error.field] += 1
            except Exception as error:
                with lock:
                    errors[type(error).__name__] += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
    deadline = time.monotonic() + args.seconds + 1
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with factory() as session:
        stored = session.execute(select(ShoutOut.sender_id, ShoutOut.message)).all()
        counts = {p: n for p, n in session.execute(select(DailyCount.person_id, DailyCount.given))}
        total = session.scalar(select(func.count()).select_from(ShoutOut))
    per_sender = Counter(sender for sender, _ in stored)
    lost = len(set(accepted) - {tuple(row) for row in stored})
    duplicated = len(stored) - len(set(stored))
    over_quota = sum(1 for n in per_sender.values() if n > settings.shoutout_daily_quota)
    counter_mismatch = sum(1 for p, n in per_sender.items() if counts.get(p) != n)
    print(
        f"PostgreSQL, {args.clients} clients for {args.seconds:.0f} s, {args.people} people, "
        f"quota {settings.shoutout_daily_quota}/day"
    )
    print(f"  accepted {len(accepted):,} ({len(accepted) / args.seconds:.0f}/s), stored {total:,}")
    print(f"  refused: {dict(refused)}; errors: {dict(errors) or 'none'}")
    if latencies:
        p95 = sorted(latencies)[int(0.95 * len(latencies))]
        print(
            f"  accepted post latency p50 {1000 * statistics.median(latencies):.1f} ms, "
            f"p95 {1000 * p95:.1f} ms"
        )
    print(
        f"  lost {lost}, stored twice {duplicated}, senders over quota {over_quota}, "
        f"counters not matching rows {counter_mismatch}"
    )
    engine.dispose()
    if lost or duplicated or over_quota or counter_mismatch or errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
