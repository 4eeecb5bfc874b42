"""Sending the weekly digest: at each team's local day and hour, once per person and week
(even with two workers), never to paused, inactive or unsubscribed people; and the links."""

from __future__ import annotations

import datetime as dt
import threading
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.config import Settings
from connectwell.core.db import transaction
from connectwell.core.notify import Notification, OutboxEmail, deliver_pending
from connectwell.digests import service
from connectwell.digests.models import DigestDelivery
from connectwell.people.models import Person
from tests.conftest import Cast
from tests.digests.conftest import (
    BERLIN_DIGEST,
    FRIDAY,
    LONDON_DIGEST,
    MONDAY,
    NEW_YORK_DIGEST,
    give,
)
from tests.smtp import smtp_server


def _sent_to(db: Session) -> set[int]:
    db.expire_all()
    return set(db.scalars(select(DigestDelivery.person_id)))


def _send(db: Session, settings: Settings, now: dt.datetime) -> int:
    sent = service.send_due_digests(db, settings, now)
    db.commit()
    return sent


def test_each_person_gets_the_digest_on_friday_at_15_in_their_own_time_zone(
    db: Session, cast: Cast, settings: Settings
) -> None:
    assert _send(db, settings, BERLIN_DIGEST - dt.timedelta(minutes=10)) == 0

    assert _send(db, settings, BERLIN_DIGEST) == 2
    assert _sent_to(db) == {cast.member.id, cast.lead.id}  # Berlin
    assert _send(db, settings, LONDON_DIGEST) == 1
    assert _send(db, settings, NEW_YORK_DIGEST) == 1
    assert _sent_to(db) == {cast.member.id, cast.lead.id, cast.admin.id, cast.other_member.id}
    weeks = set(db.scalars(select(DigestDelivery.week_of)))
    assert weeks == {MONDAY}


def test_a_digest_goes_out_once_a_week_and_again_the_next_week(
    db: Session, cast: Cast, settings: Settings
) -> None:
    _send(db, settings, NEW_YORK_DIGEST)
    assert _send(db, settings, NEW_YORK_DIGEST + dt.timedelta(hours=1)) == 0

    assert _send(db, settings, NEW_YORK_DIGEST + dt.timedelta(days=7)) == 4

    assert db.scalar(select(func.count()).select_from(DigestDelivery)) == 8
    assert db.scalar(select(func.count()).where(Notification.kind == "digest")) == 8
    assert db.scalar(select(func.count()).select_from(OutboxEmail)) == 8


def test_a_lead_chooses_the_teams_day_and_hour_and_nested_teams_follow(
    db: Session, cast: Cast, settings: Settings
) -> None:
    engineering_id = cast.platform.parent_id
    assert engineering_id is not None
    service.set_schedule(db, cast.admin, engineering_id, 0, 9)  # Monday 09:00
    db.commit()

    assert service.schedule_for(db, cast.platform.id) == service.Schedule(0, 9, engineering_id)
    assert service.schedule_for(db, cast.support.id) == service.DEFAULT
    monday_nine_in_berlin = dt.datetime(2026, 11, 30, 8, 5, tzinfo=dt.UTC)
    assert _send(db, settings, monday_nine_in_berlin) == 2
    assert _sent_to(db) == {cast.member.id, cast.lead.id}
    assert _send(db, settings, BERLIN_DIGEST) == 0  # Friday: they had this week's


def test_only_the_teams_leads_and_admins_choose_and_bad_values_name_the_field(
    db: Session, cast: Cast
) -> None:
    with pytest.raises(service.DigestNotAllowed):
        service.set_schedule(db, cast.member, cast.platform.id, 0, 9)
    with pytest.raises(service.DigestNotAllowed):
        service.set_schedule(db, cast.lead, cast.support.id, 0, 9)
    with pytest.raises(service.DigestError) as refused:
        service.set_schedule(db, cast.lead, cast.platform.id, 0, 24)
    assert refused.value.field == "local_hour"
    with pytest.raises(service.DigestError) as refused:
        service.set_schedule(db, cast.lead, cast.platform.id, 7, 9)
    assert refused.value.field == "weekday"
    db.rollback()
    assert service.schedule_for(db, cast.platform.id) == service.DEFAULT


def test_paused_inactive_and_unsubscribed_people_get_none(
    db: Session, cast: Cast, settings: Settings
) -> None:
    member = db.get(Person, cast.member.id)
    lead = db.get(Person, cast.lead.id)
    admin = db.get(Person, cast.admin.id)
    assert member and lead and admin
    member.paused_until = FRIDAY
    lead.is_active = False
    service.unsubscribe(db, admin)
    db.commit()

    _send(db, settings, NEW_YORK_DIGEST)

    assert _sent_to(db) == {cast.other_member.id}
    service.resubscribe(db, admin)
    db.commit()
    assert _send(db, settings, NEW_YORK_DIGEST) == 1  # back in for this week


def test_a_digest_more_than_two_days_late_is_not_sent(
    db: Session, cast: Cast, settings: Settings
) -> None:
    service.set_schedule(db, cast.admin, cast.support.id, 0, 9)  # Monday 09:00
    db.commit()
    sunday_noon = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)

    _send(db, settings, sunday_noon)

    # Friday's digests are late but within two days; Support's Monday one is six days late.
    assert _sent_to(db) == {cast.admin.id, cast.lead.id, cast.member.id}


def test_an_empty_week_sends_a_gentle_prompt_to_appreciate_someone(
    db: Session, cast: Cast, settings: Settings
) -> None:
    _send(db, settings, BERLIN_DIGEST)

    [note] = db.scalars(select(Notification).where(Notification.person_id == cast.member.id)).all()
    assert note.subject == "A quiet week: who would you like to thank?"
    assert "shout-out" in note.body
    delivery = db.scalar(select(DigestDelivery).where(DigestDelivery.person_id == cast.member.id))
    assert delivery is not None and delivery.prompt_only is True


def test_the_unsubscribe_token_names_one_person_and_cannot_be_forged(
    db: Session, cast: Cast, settings: Settings
) -> None:
    token = service.unsubscribe_token(settings, cast.member.id)

    assert service.person_for_token(db, settings, token).id == cast.member.id
    forged = f"{cast.lead.id}.{token.split('.', 1)[1]}"
    other_key = settings.model_copy(update={"secret_key": "another-secret-" * 3})
    for bad in (forged, "nonsense", f"{cast.member.id}.", service.unsubscribe_token(other_key, 1)):
        with pytest.raises(service.DigestNotFound):
            service.person_for_token(db, settings, bad)


def test_two_workers_racing_send_each_digest_exactly_once(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    barrier = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with transaction(factory) as session:
                due = service.due_digests(session, NEW_YORK_DIGEST)
                assert len(due) == 4  # both see everyone due
                barrier.wait()
                sent.append(service.send_due_digests(session, settings, NEW_YORK_DIGEST))
        except BaseException as error:  # SQLite: the loser may see "database is locked"
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(sent) == 4, (sent, errors)
    if db.get_bind().dialect.name == "postgresql":
        assert sorted(sent) == [0, 4] and errors == []
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(DigestDelivery)) == 4
    emails = list(db.scalars(select(OutboxEmail.to_address)))
    assert sorted(emails) == sorted(
        p.email for p in (cast.admin, cast.lead, cast.member, cast.other_member)
    )


def _part(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    assert part is not None and part.get_content_type() == f"text/{kind}"
    return str(part.get_content())


def test_the_delivered_email_has_text_and_html_parts_unsubscribe_headers_and_escaped_script(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    give(db, settings, cast.other_member, "<script>alert('hi')</script> Thank you, Mia!",
         person_ids=[cast.member.id])  # fmt: skip
    _send(db, settings, BERLIN_DIGEST)
    db.execute(OutboxEmail.__table__.delete().where(OutboxEmail.person_id != cast.member.id))
    db.execute(OutboxEmail.__table__.delete().where(OutboxEmail.subject.contains("appreciated")))
    db.commit()

    with smtp_server() as mailbox:
        smtp = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": mailbox.port})
        report = deliver_pending(factory, smtp)
        db.commit()

    assert report.sent == 1
    [message] = mailbox.messages
    assert message["To"] == f"Mia Member <{cast.member.email}>"
    assert message["Subject"] == "Your week at connectwell: 1 shout-out"
    token = service.unsubscribe_token(settings, cast.member.id)
    url = f"http://testserver/digest/unsubscribe/{token}"
    assert message["List-Unsubscribe"].strip() == f"<{url}>"  # folded: a long single word
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = _part(message, "plain"), _part(message, "html")
    assert "<script>alert('hi')</script> Thank you, Mia!" in text
    assert "Noah Member to Mia Member" in text and url in text
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt; Thank you, Mia!" in html
    assert f'href="{url}"' in html
