"""The message port: templates per kind, inbox and transactional outbox, real SMTP delivery."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from jinja2 import UndefinedError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core import notify
from connectwell.core.config import Settings
from connectwell.core.notify import (
    CHANNELS,
    Attachment,
    Notification,
    OutboxEmail,
    Rendered,
    UnknownMessageKind,
    kinds,
    message_context,
    render,
    tell,
)
from tests.conftest import Cast
from tests.smtp import free_port, smtp_server

HOSTILE = "<script>alert(1)</script>"
MONDAY_NINE_UTC = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)
REL = 'rel="noopener nofollow ugc"'


@dataclass(frozen=True)
class Someone:
    """A recipient that is not a Person: anything with these attributes will do."""

    id: int = 1
    email: str = "someone@example.org"
    name: str = f"Sam {HOSTILE}"
    timezone: str = "Europe/Berlin"
    language: str = "en"


# One sample context per kind: people's words carry HOSTILE, so every kind checks escaping.
SAMPLES: dict[str, dict[str, Any]] = {
    "intro": {
        "program": "Coffee",
        "others": [{"name": f"Noah {HOSTILE}", "title": "", "where": "New York"}],
        "slot": MONDAY_NINE_UTC,
        "shared_hours": False,
        "starter": "What made you smile this week?",
    },
    "followup": {"others": [f"Noah {HOSTILE}"]},
    "intro-moved": {"program": "Coffee", "mover": f"Noah {HOSTILE}", "slot": MONDAY_NINE_UTC},
    "program-paused": {"program": "Coffee", "ignored": 3, "until": dt.date(2026, 12, 28)},
    "goal-reached": {
        "team": "Platform",
        "goal": "Ship it",
        "celebration": f"Platform reached “Ship it”. Thank you, {HOSTILE}: you did it together.",
        "helpers": [f"Noah {HOSTILE}", "Mia"],
        "done_looks_like": "Live, see https://example.org/release.",
    },
    "goal-reward-ideas": {
        "team": "Platform",
        "goal": "Ship it",
        "celebration": f"Platform reached “Ship it”. Thank you, {HOSTILE}.",
        "helpers": [f"Noah {HOSTILE}"],
        "ideas": ["a team lunch", "a shout-out round"],
    },
    "shoutout": {
        "sender": f"Noah {HOSTILE}",
        "pathway": "task enabling",
        "message": f"Thanks {HOSTILE}!\nNotes: https://example.org/notes?a=1&b=2.",
    },
    "pulse": {"pulse": "Team pulse", "questions": 5, "closes_on": dt.date(2026, 12, 11)},
    "pulse-reminder": {"pulse": "Team pulse", "closes_on": dt.date(2026, 12, 11)},
    "invite": {"days": 14},
    "password-reset": {"hours": 2},
    "digest": {
        "empty": False,
        "shoutout_count": 9,
        "shoutouts": [
            {  # a FeedItem, as JSON
                "id": 7,
                "sender": f"Noah {HOSTILE}",
                "recipients": [
                    {"person_id": 2, "team_id": None, "name": "Mia"},
                    {"person_id": None, "team_id": 3, "name": "Support"},
                ],
                "pathway_name": "task enabling",
                "value": None,
                "message": f"{HOSTILE} see https://example.org/a.",
            }
        ],
        "more_shoutouts": 8,
        "connections": 2,
        "met": ["Noah"],
        "celebration_count": 1,
        "celebrations": [{"text": f"Support reached {HOSTILE}", "goal_id": 4}],
        "more_celebrations": 0,
        "schedule": "every Friday at 15:00",
        "unsubscribe_url": "http://testserver/digest/unsubscribe/1.abc",
    },
}


def _render(channel: str, kind: str, settings: Settings, **override: Any) -> Rendered:
    context = message_context({**SAMPLES[kind], **override})
    return render(channel, kind, context, Someone(), settings, link="/somewhere")


# --- templates -----------------------------------------------------------------------------


def test_it_has_a_sample_for_every_kind_of_message() -> None:
    assert sorted(SAMPLES) == sorted(kinds())


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_it_renders_every_kind_as_inbox_line_text_and_responsive_escaped_html(
    kind: str, settings: Settings
) -> None:
    named = settings.model_copy(update={"organisation_name": "Acme & Co"})

    line = _render("inbox", kind, named)
    email = _render("email", kind, named)

    assert line.subject and line.text and "\n" not in line.subject
    assert email.subject == line.subject
    assert email.text.strip() and "<p>" not in email.text
    assert email.html is not None
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in email.html
    assert "Acme &amp; Co" in email.html
    assert "max-width: 600px" in email.html  # fluid up to 600 px: readable on a 390 px phone
    assert "<script>" not in email.html
    assert email.html.count("&lt;script&gt;") >= 1
    assert 'href="http://testserver/somewhere"' in email.html  # the one action, absolute


def test_the_plain_text_part_keeps_peoples_words_as_they_wrote_them(settings: Settings) -> None:
    email = _render("email", "shoutout", settings)

    assert f"Thanks {HOSTILE}!" in email.text
    assert "http://testserver/somewhere" in email.text


def test_links_in_peoples_words_are_made_by_the_one_link_maker(settings: Settings) -> None:
    email = _render("email", "shoutout", settings)

    assert email.html is not None
    url = "https://example.org/notes?a=1&amp;b=2"
    assert f'<a href="{url}" {REL}>{url}</a>.' in email.html  # the full stop stays outside
    assert "Thanks &lt;script&gt;alert(1)&lt;/script&gt;!<br>" in email.html


def test_times_are_shown_in_each_recipients_own_zone(settings: Settings) -> None:
    context = message_context(SAMPLES["intro"])

    berlin = render("email", "intro", context, Someone(timezone="Europe/Berlin"), settings)
    new_york = render("email", "intro", context, Someone(timezone="America/New_York"), settings)

    assert "A proposed 30 minutes: Monday 7 December, 10:00 CET" in berlin.text
    assert "Monday 7 December, 04:00 EST" in new_york.text
    moved = render(
        "inbox", "intro-moved", message_context(SAMPLES["intro-moved"]), Someone(), settings
    )
    assert moved.subject == "Coffee: new time Mon 7 Dec, 10:00"


def test_an_intro_shows_the_slot_in_each_colleagues_own_zone_too(settings: Settings) -> None:
    others = [
        {"name": "Noah", "title": "", "where": "New York", "timezone": "America/New_York"},
        {"name": "Lee", "title": "", "where": "Berlin", "timezone": "Europe/Berlin"},
    ]
    context = message_context({**SAMPLES["intro"], "others": others})

    email = render("email", "intro", context, Someone(timezone="Europe/Berlin"), settings)

    assert "  - Noah, colleague, New York (Monday 7 December, 04:00 EST their time)\n" in email.text
    assert "  - Lee, colleague, Berlin\n" in email.text  # the same zone as the reader's
    assert email.html is not None
    assert "<li>Noah, colleague, New York (Monday 7 December, 04:00 EST their time)</li>" in (
        email.html
    )


def test_an_unknown_zone_shows_times_in_utc(settings: Settings) -> None:
    context = message_context(SAMPLES["intro"])

    email = render("email", "intro", context, Someone(timezone="Atlantis/Lost"), settings)

    assert "A proposed 30 minutes: Monday 7 December, 09:00 UTC" in email.text


def test_an_unknown_kind_fails_loudly(settings: Settings) -> None:
    with pytest.raises(UnknownMessageKind):
        render("email", "no-such-kind", {}, Someone(), settings)
    with pytest.raises(UnknownMessageKind):
        render("email", "_layout", {}, Someone(), settings)


def test_a_missing_template_variable_fails_loudly(settings: Settings) -> None:
    context = message_context({k: v for k, v in SAMPLES["pulse"].items() if k != "closes_on"})

    with pytest.raises(UndefinedError, match="closes_on"):
        render("email", "pulse", context, Someone(), settings)


def test_a_context_may_not_hide_what_every_template_is_given(settings: Settings) -> None:
    with pytest.raises(ValueError, match="recipient"):
        render("inbox", "invite", {"days": 1, "recipient": "x"}, Someone(), settings)


def test_the_context_must_be_json_and_datetimes_become_utc_iso_strings() -> None:
    berlin = dt.timezone(dt.timedelta(hours=1))
    stored = message_context(
        {"at": dt.datetime(2026, 12, 7, 10, tzinfo=berlin), "on": dt.date(2026, 12, 7)}
    )

    assert stored == {"at": "2026-12-07T09:00:00+00:00", "on": "2026-12-07"}
    with pytest.raises(TypeError, match="person"):
        message_context({"person": Someone()})
    with pytest.raises(TypeError, match="time zone"):
        message_context({"at": dt.datetime(2026, 12, 7, 10)})


# --- telling people ------------------------------------------------------------------------


def _tell_shoutout(session: Session, people: list[Any], settings: Settings, **options: Any) -> None:
    tell(
        session,
        people,
        "shoutout",
        settings=settings,
        link="/shoutouts/7",
        **{**SAMPLES["shoutout"], "sender": "Ana\nBee", **options},
    )


def test_a_message_lands_in_the_inbox_and_the_outbox_of_each_recipient(
    db: Session, cast: Cast, settings: Settings
) -> None:
    _tell_shoutout(db, [cast.member, cast.other_member], settings)
    db.commit()

    [line] = notify.inbox(db, cast.member.id)
    assert line.subject == "Ana Bee appreciated you"  # one line
    assert HOSTILE in line.body and line.link == "/shoutouts/7" and line.kind == "shoutout"
    assert notify.unread_count(db, cast.member.id) == 1
    emails = list(db.scalars(select(OutboxEmail).order_by(OutboxEmail.to_address)))
    assert [e.to_address for e in emails] == sorted([cast.member.email, cast.other_member.email])
    assert all(e.text_body.endswith("http://testserver/shoutouts/7\n") for e in emails)
    assert all(e.html_body and REL in e.html_body for e in emails)


def test_it_stores_the_kind_and_json_context_with_the_message(
    db: Session, cast: Cast, settings: Settings
) -> None:
    tell(db, [cast.member], "intro-moved", settings=settings, link="/pairings/3",
         **SAMPLES["intro-moved"])  # fmt: skip
    db.commit()
    db.expire_all()

    line = db.scalar(select(Notification))
    email = db.scalar(select(OutboxEmail))
    assert line is not None and email is not None
    expected = {
        "program": "Coffee",
        "mover": f"Noah {HOSTILE}",
        "slot": "2026-12-07T09:00:00+00:00",
    }
    assert line.context == email.context == expected
    assert (email.kind, email.link) == ("intro-moved", "/pairings/3")
    assert "Monday 7 December, 10:00 CET" in email.text_body  # Mia is in Berlin


def test_a_later_channel_renders_a_stored_message_from_its_kind_and_context(
    db: Session, cast: Cast, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def chat(kind: str, values: Mapping[str, Any]) -> Rendered:
        return Rendered(subject=kind, text=f"{values['mover']} moved it ({values['link']})")

    monkeypatch.setitem(CHANNELS, "chat", chat)
    tell(db, [cast.member], "intro-moved", settings=settings, link="/pairings/3",
         **SAMPLES["intro-moved"])  # fmt: skip
    db.commit()
    stored = db.scalar(select(Notification))
    assert stored is not None

    shown = render("chat", stored.kind, stored.context, cast.member, settings, link=stored.link)

    assert shown.text == f"Noah {HOSTILE} moved it (http://testserver/pairings/3)"


def test_an_unknown_kind_or_bad_context_writes_nothing(
    db: Session, cast: Cast, settings: Settings
) -> None:
    with pytest.raises(UnknownMessageKind):
        tell(db, [cast.member], "hello", settings=settings)
    with pytest.raises(TypeError):
        tell(db, [cast.member], "followup", settings=settings, others=[cast.other_member])
    with pytest.raises(UndefinedError):
        tell(db, [cast.member], "followup", settings=settings)

    assert db.scalar(select(func.count()).select_from(OutboxEmail)) == 0
    assert db.scalar(select(func.count()).select_from(Notification)) == 0


def test_an_email_only_message_leaves_the_inbox_alone(
    db: Session, cast: Cast, settings: Settings
) -> None:
    tell(db, [cast.member], "password-reset", settings=settings, inbox=False,
         link="/password/secret", hours=2)  # fmt: skip

    assert db.scalar(select(func.count()).select_from(Notification)) == 0
    email = db.scalar(select(OutboxEmail))
    assert email is not None and "http://testserver/password/secret" in email.text_body


def test_nothing_is_kept_when_the_callers_transaction_rolls_back(
    factory: sessionmaker[Session], cast: Cast, settings: Settings
) -> None:
    session = factory()
    _tell_shoutout(session, [session.merge(cast.member)], settings)
    session.rollback()
    session.close()

    with factory() as check:
        assert check.scalar(select(func.count()).select_from(OutboxEmail)) == 0
        assert check.scalar(select(func.count()).select_from(Notification)) == 0


def test_marking_read_touches_only_the_persons_own_notifications(
    db: Session, cast: Cast, settings: Settings
) -> None:
    _tell_shoutout(db, [cast.member], settings, email=False)
    _tell_shoutout(db, [cast.other_member], settings, email=False)
    theirs = notify.inbox(db, cast.other_member.id)[0]

    assert notify.mark_read(db, cast.member.id, theirs.id) == 0
    assert notify.unread_count(db, cast.other_member.id) == 1
    assert notify.mark_read(db, cast.member.id) == 1
    assert notify.unread_count(db, cast.member.id) == 0


# --- delivery ------------------------------------------------------------------------------


def test_without_smtp_the_mail_stays_in_the_development_outbox(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    _tell_shoutout(db, [cast.member], settings)
    db.commit()

    report = notify.deliver_pending(factory, settings)

    assert report.sent == 0
    assert [e.status for e in notify.outbox(db)] == ["pending"]


def test_it_delivers_text_and_html_over_smtp_and_marks_the_mail_sent(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    tell(
        db,
        [cast.member],
        "pulse-reminder",
        settings=settings,
        link="/pulses/1",
        headers={"List-Unsubscribe": "<http://testserver/unsubscribe/x>"},
        attachments=(Attachment("note.txt", "text/plain", "a note"),),
        **SAMPLES["pulse-reminder"],
    )
    db.commit()
    with smtp_server() as mailbox:
        smtp = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": mailbox.port})
        report = notify.deliver_pending(factory, smtp)
        db.commit()

    assert report.sent == 1 and report.failed == 0
    [message] = mailbox.messages
    assert message["To"] == f"{cast.member.name} <{cast.member.email}>"
    assert message["Subject"] == "Team pulse is open until 11 December"
    assert message["List-Unsubscribe"] == "<http://testserver/unsubscribe/x>"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and "open until 11 December" in plain.get_content()
    assert html is not None and 'name="viewport"' in html.get_content()
    assert [part.get_filename() for part in message.iter_attachments()] == ["note.txt"]
    stored = db.scalar(select(OutboxEmail))
    assert stored is not None and stored.status == "sent" and stored.sent_at is not None

    with smtp_server() as again:
        smtp = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": again.port})
        assert notify.deliver_pending(factory, smtp).sent == 0
    assert again.messages == []


def test_an_unreachable_server_keeps_the_mail_pending_for_the_next_try(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    _tell_shoutout(db, [cast.member], settings)
    db.commit()
    closed = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_timeout_seconds": 2}
    )

    report = notify.deliver_pending(factory, closed)

    assert report.sent == 0 and report.errors
    assert [e.status for e in notify.outbox(db)] == ["pending"]
