"""The notification port: inbox, transactional outbox, and real SMTP delivery."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core import notify
from connectwell.core.config import Settings
from connectwell.core.notify import Message, Notification, OutboxEmail, Recipient
from tests.conftest import Cast
from tests.smtp import free_port, smtp_server


def _recipient(person) -> Recipient:  # type: ignore[no-untyped-def]
    return Recipient(person.id, person.email, person.name)


def test_a_message_lands_in_the_inbox_and_the_outbox_of_each_recipient(
    db: Session, cast: Cast
) -> None:
    notify.notify(
        db,
        [_recipient(cast.member), _recipient(cast.other_member)],
        Message(kind="hello", subject="Hi\nthere", text="Body <b>as text</b>", link="/people"),
    )
    db.commit()

    inbox = notify.inbox(db, cast.member.id)
    assert [(n.subject, n.body) for n in inbox] == [("Hi there", "Body <b>as text</b>")]
    assert notify.unread_count(db, cast.member.id) == 1
    addresses = sorted(db.scalars(select(OutboxEmail.to_address)))
    assert addresses == sorted([cast.member.email, cast.other_member.email])


def test_nothing_is_kept_when_the_callers_transaction_rolls_back(
    factory: sessionmaker[Session], cast: Cast
) -> None:
    session = factory()
    notify.notify(session, [_recipient(cast.member)], Message("x", "Lost", "never sent"))
    session.rollback()
    session.close()

    with factory() as check:
        assert check.scalar(select(func.count()).select_from(OutboxEmail)) == 0
        assert check.scalar(select(func.count()).select_from(Notification)) == 0


def test_marking_read_touches_only_the_persons_own_notifications(db: Session, cast: Cast) -> None:
    notify.notify(db, [_recipient(cast.member)], Message("x", "Mine", "m", email=False))
    notify.notify(db, [_recipient(cast.other_member)], Message("x", "Theirs", "t", email=False))
    theirs = notify.inbox(db, cast.other_member.id)[0]

    assert notify.mark_read(db, cast.member.id, theirs.id) == 0
    assert notify.unread_count(db, cast.other_member.id) == 1
    assert notify.mark_read(db, cast.member.id) == 1
    assert notify.unread_count(db, cast.member.id) == 0


def test_without_smtp_the_mail_stays_in_the_development_outbox(
    db: Session, cast: Cast, settings: Settings
) -> None:
    notify.notify(db, [_recipient(cast.member)], Message("x", "Kept", "here"))

    report = notify.deliver_pending(db, settings)

    assert report.sent == 0
    assert [e.status for e in notify.outbox(db)] == ["pending"]


def test_it_delivers_text_and_html_over_smtp_and_marks_the_mail_sent(
    db: Session, cast: Cast, settings: Settings
) -> None:
    notify.notify(
        db,
        [_recipient(cast.member)],
        Message(
            "digest",
            "Your week",
            "plain part",
            html="<p>html part</p>",
            headers={"List-Unsubscribe": "<http://testserver/unsubscribe/x>"},
        ),
    )
    db.commit()
    with smtp_server() as mailbox:
        smtp = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": mailbox.port})
        report = notify.deliver_pending(db, smtp)
        db.commit()

    assert report.sent == 1 and report.failed == 0
    [message] = mailbox.messages
    assert message["To"] == f"{cast.member.name} <{cast.member.email}>"
    assert message["Subject"] == "Your week"
    assert message["List-Unsubscribe"] == "<http://testserver/unsubscribe/x>"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and "plain part" in plain.get_content()
    assert html is not None and "<p>html part</p>" in html.get_content()
    stored = db.scalar(select(OutboxEmail))
    assert stored is not None and stored.status == "sent" and stored.sent_at is not None

    with smtp_server() as again:
        smtp = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": again.port})
        assert notify.deliver_pending(db, smtp).sent == 0
    assert again.messages == []


def test_an_unreachable_server_keeps_the_mail_pending_for_the_next_try(
    db: Session, cast: Cast, settings: Settings
) -> None:
    notify.notify(db, [_recipient(cast.member)], Message("x", "Later", "text"))
    closed = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_timeout_seconds": 2}
    )

    report = notify.deliver_pending(db, closed)

    assert report.sent == 0 and report.errors
    assert [e.status for e in notify.outbox(db)] == ["pending"]
