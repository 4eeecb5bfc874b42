"""Many people posting at once lose nothing and never exceed the quota.

50 threads, each its own transaction per post, for a few seconds; the benchmark
``benchmarks/shoutouts_concurrency.py`` runs the same for 30 seconds.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.config import Settings
from connectwell.core.db import transaction
from connectwell.demo.generator import generate_org
from connectwell.demo.service import roster_csv
from connectwell.people import roster
from connectwell.people.models import Person
from connectwell.shoutouts import service
from connectwell.shoutouts.models import DailyCount, Recipient, ShoutOut
from connectwell.shoutouts.schemas import ShoutOutIn

CLIENTS = 50
SECONDS = 3.0


def test_fifty_clients_posting_at_once_lose_nothing_and_never_exceed_the_quota(
    factory: sessionmaker[Session], db: Session, settings: Settings
) -> None:
    roster.import_roster(db, roster.parse_roster(roster_csv(generate_org(30, seed=5))), actor=None)
    db.commit()
    ids = list(db.scalars(select(Person.id)))
    accepted: list[tuple[int, str]] = []
    refused: Counter[str] = Counter()
    errors: list[BaseException] = []
    deadline = time.monotonic() + SECONDS
    lock = threading.Lock()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        n = 0
        while time.monotonic() < deadline:
            sender_id, recipient_id = rng.sample(ids, 2)
            n += 1
            message = f"Thanks from client {seed}, post {n}"
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
            except service.ShoutOutError as error:
                with lock:
                    refused[error.field] += 1
            except Exception as error:
                with lock:
                    errors.append(error)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    db.expire_all()
    stored = db.execute(select(ShoutOut.sender_id, ShoutOut.message)).all()
    assert sorted(stored) == sorted(accepted)  # every accepted post stored, exactly once
    per_sender = Counter(sender for sender, _ in stored)
    assert max(per_sender.values()) <= settings.shoutout_daily_quota
    counts = {p: n for p, n in db.execute(select(DailyCount.person_id, DailyCount.given))}
    assert {p: counts[p] for p in per_sender} == dict(per_sender)
    assert db.scalar(select(func.count()).select_from(Recipient)) == len(stored)
    assert refused["quota"] > 0  # the race was real: the quota did refuse posts
    if db.get_bind().dialect.name == "postgresql":
        assert errors == []  # PostgreSQL serialises the quota row: no errors at all
