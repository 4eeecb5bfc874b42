"""Delivery marks a message `sending` before SMTP has it, keeps one Message-ID per outbox row,
and lets only one worker claim a row, on SQLite as on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from collections import Counter
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.config import Settings
from connectwell.core.db import transaction, utcnow
from connectwell.core.notify import OutboxEmail, deliver_pending, tell
from connectwell.core.notify.delivery import CLAIM_TIMEOUT, claim_batch
from tests.conftest import Cast
from tests.smtp import Mailbox, smtp_server


def _queue(db: Session, cast: Cast, settings: Settings, count: int) -> list[OutboxEmail]:
    for n in range(count):
        tell(db, [cast.member], "password-reset", settings=settings, inbox=False, link=f"/{n}",
             hours=2)  # fmt: skip
    db.commit()
    return list(db.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def _smtp(settings: Settings, mailbox: Mailbox) -> Settings:
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": mailbox.port})


def _rows(factory: sessionmaker[Session]) -> dict[int, OutboxEmail]:
    with transaction(factory) as session:
        return {row.id: row for row in session.scalars(select(OutboxEmail))}


def test_every_outbox_row_gets_its_own_message_id_when_it_is_queued(
    db: Session, cast: Cast, settings: Settings
) -> None:
    rows = _queue(db, cast, settings, 3)

    ids = [row.message_id for row in rows]
    assert len(set(ids)) == 3
    assert all(i.startswith("<") and i.endswith(">") and "@" in i for i in ids)


def test_a_message_is_committed_as_sending_before_smtp_receives_it(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    [row] = _queue(db, cast, settings, 1)
    seen: list[tuple[str, str, dt.datetime | None]] = []

    def look_from_another_connection(message: EmailMessage) -> None:
        with transaction(factory) as other:
            stored = other.scalars(
                select(OutboxEmail).where(OutboxEmail.message_id == message["Message-ID"])
            ).one()
            seen.append((stored.status, stored.claimed_by, stored.claimed_at))

    with smtp_server(on_data=look_from_another_connection) as mailbox:
        report = deliver_pending(factory, _smtp(settings, mailbox), worker="worker-a")

    assert report.sent == 1
    [(status, owner, claimed_at)] = seen
    assert (status, owner) == ("sending", "worker-a") and claimed_at is not None
    stored = _rows(factory)[row.id]
    assert (stored.status, stored.attempts) == ("sent", 1) and stored.sent_at is not None


def test_every_attempt_at_a_message_carries_the_message_id_stored_with_it(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    row, other = _queue(db, cast, settings, 2)

    with smtp_server(refuse=1) as mailbox:  # the first message gets "451 try again later"
        first = deliver_pending(factory, _smtp(settings, mailbox))
        assert _rows(factory)[row.id].status == "pending"
        second = deliver_pending(factory, _smtp(settings, mailbox))

    assert (first.sent, first.failed, second.sent) == (1, 1, 1)  # the next one went on
    [refused] = mailbox.refused
    assert refused["Message-ID"] == row.message_id
    assert [m["Message-ID"] for m in mailbox.messages] == [other.message_id, row.message_id]
    stored = _rows(factory)
    assert (stored[row.id].status, stored[row.id].attempts) == ("sent", 2)
    assert (stored[other.id].status, stored[other.id].attempts) == ("sent", 1)


def test_a_refused_recipient_leaves_no_address_in_the_log_or_the_row(
    factory: sessionmaker[Session],
    db: Session,
    cast: Cast,
    settings: Settings,
    captured_logs: io.StringIO,
) -> None:
    tell(db, [cast.member, cast.lead], "password-reset", settings=settings, inbox=False,
         link="/x", hours=2)  # fmt: skip
    db.commit()

    with smtp_server() as mailbox:
        mailbox.unknown = {cast.member.email}
        report = deliver_pending(factory, _smtp(settings, mailbox), worker="w")

    by_address = {row.to_address: row for row in _rows(factory).values()}
    refused, sent = by_address[cast.member.email], by_address[cast.lead.email]
    assert (report.sent, report.failed) == (1, 1)
    assert (refused.status, sent.status) == ("pending", "sent")
    assert refused.last_error == (
        "SMTPRecipientsRefused: 550 5.1.1 <address>: Recipient address rejected: User unknown"
    )
    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines()]
    ours = "\n".join(json.dumps(x) for x in lines if x["logger"] != "mail.log")  # not the server
    assert "e-mail" in ours and "550" in ours  # the reason is logged, the address is not
    for said in (ours, refused.last_error, *report.errors):
        assert "mia.member" not in said and "@example.org" not in said


def test_a_row_left_sending_by_a_dead_worker_is_sent_again_only_after_the_timeout(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    [row] = _queue(db, cast, settings, 1)
    with transaction(factory) as session:  # a worker claims it, then dies before sending
        assert claim_batch(session, "dead-worker", utcnow()) == [row.id]

    with smtp_server() as mailbox:
        smtp = _smtp(settings, mailbox)
        early = deliver_pending(factory, smtp, worker="b")
        assert _rows(factory)[row.id].status == "sending"
        later = utcnow() + CLAIM_TIMEOUT + dt.timedelta(seconds=1)
        late = deliver_pending(factory, smtp, worker="b", clock=lambda: later)

    assert (early.sent, late.sent) == (0, 1)
    assert [m["Message-ID"] for m in mailbox.messages] == [row.message_id]
    stored = _rows(factory)[row.id]
    assert (stored.status, stored.claimed_by, stored.attempts) == ("sent", "b", 2)


def test_only_one_of_two_claims_of_the_same_row_takes_it(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    rows = _queue(db, cast, settings, 2)
    now = utcnow()
    with transaction(factory) as first:
        taken = claim_batch(first, "a", now)
    with transaction(factory) as second:
        again = claim_batch(second, "b", now)

    assert taken == [row.id for row in rows] and again == []
    assert {row.claimed_by for row in _rows(factory).values()} == {"a"}


def test_two_workers_racing_send_each_message_exactly_once(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    rows = _queue(db, cast, settings, 40)
    start = threading.Barrier(2)
    reports = {}

    with smtp_server(delay=0.005) as mailbox:
        smtp = _smtp(settings, mailbox)

        def work(name: str) -> None:
            start.wait()
            reports[name] = deliver_pending(factory, smtp, worker=name, batch=3)

        workers = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=60)

    received = Counter(m["Message-ID"] for m in mailbox.messages)
    assert received == Counter({row.message_id: 1 for row in rows})
    assert reports["a"].sent + reports["b"].sent == 40
    assert {row.status for row in _rows(factory).values()} == {"sent"}
