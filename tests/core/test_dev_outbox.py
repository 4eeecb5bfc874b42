"""What the development outbox shows of each kind of e-mail (core/notify/dev_outbox.py)."""

from __future__ import annotations

import datetime as dt

from connectwell.core.notify import OutboxEmail
from connectwell.core.notify.dev_outbox import LINK_REMOVED, outbox_lines, redact

SECRET = "Zq3v9T0dE8uS2xkq_7m-AbCdEfGhIjKlMnOpQrStUvW"
WHEN = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def _email(kind: str, to: str = "mia@example.org", body: str = "Hello", **more: str) -> OutboxEmail:
    return OutboxEmail(
        to_address=to, kind=kind, subject=more.get("subject", f"About {kind}"), text_body=body,
        status=more.get("status", "pending"), last_error=more.get("error", ""), created_at=WHEN,
    )  # fmt: skip


def test_redact_removes_one_time_secrets_and_leaves_the_forgot_page_alone() -> None:
    text = (
        f"Reset: https://cw.example.org/password/{SECRET}\n"
        "Unsubscribe: https://cw.example.org/digest/unsubscribe/42.c2lnbmF0dXJl-_x\n"
        "Lost it? https://cw.example.org/password/forgot"
    )

    shown = redact(text)

    assert SECRET not in shown and "c2lnbmF0dXJl" not in shown
    assert shown.count(LINK_REMOVED) == 2
    assert shown.endswith("https://cw.example.org/password/forgot")


def test_a_kind_nobody_has_ruled_on_shows_its_recipient_and_subject_but_not_its_body() -> None:
    (line,) = outbox_lines([_email("something-new", body=f"/password/{SECRET} secret words")])

    assert (line.to, line.subject, line.body) == ("mia@example.org", "About something-new", None)
    assert line.note


def test_reminders_are_counted_per_subject_and_day_without_their_addresses_or_errors() -> None:
    lines = outbox_lines(
        [
            _email("intro", to="lee@example.org"),
            _email("pulse-reminder", to="mia@example.org", status="sent"),
            _email("pulse-reminder", to="noah@example.org", status="failed",
                   error="550 no such user noah@example.org"),
            _email("pulse-reminder", to="ada@example.org", subject="Another pulse"),
        ]
    )  # fmt: skip

    assert [(line.kind, line.to, line.count) for line in lines] == [
        ("intro", "lee@example.org", 1),
        ("pulse-reminder", None, 2),
        ("pulse-reminder", None, 1),
    ]
    assert (lines[1].status, lines[1].error, lines[1].body) == (
        "1 failed, 1 sent", "1 with an error", None,
    )  # fmt: skip
    assert "noah" not in repr(lines) and "mia" not in repr(lines) and "ada" not in repr(lines)
