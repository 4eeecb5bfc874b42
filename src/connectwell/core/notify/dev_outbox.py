"""What the development outbox shows of each e-mail: enough to check mail, no secrets.

The development outbox (``/admin/outbox``) exists only while SMTP is not configured: then
nothing leaves the server and an admin (a developer, in practice) reads the mail connectwell
would have sent, to see that it is made at all, to whom, with which subject, and what became
of it. It must not become a door into other people's accounts or private words, so each kind
of message shows only what a developer needs and an admin may already know:

- **one-time links** (``invite``, ``password-reset``): the mail is shown, but the link's
  secret is replaced by a plain note. Reading the outbox must never let an admin (or anyone
  who asked ``/password/forgot`` for someone else) sign in as that person. The person gets
  the link by e-mail once SMTP is set up; until then an admin re-sends an invitation.
- **shout-outs** (``shoutout``): only that one went to a person. A shout-out may be private
  (only its sender and recipients read it), and the subject names the sender, so neither
  subject nor words are shown.
- **digests** (``digest``): recipient and subject (counts), not the body: it quotes the
  shout-outs the recipient may see, private ones included, and carries their unsubscribe
  link. Everyone previews their own digest at ``/me/digest``.
- **who did not do something** (``pulse-reminder``: who has not answered a pulse;
  ``program-paused``: who let introductions go unanswered): the recipients are exactly what
  must stay private, so these are counted, not listed: one line per subject and day with
  the number of people and of each status, and no body (it greets the recipient by name).
- the other kinds (introductions, follow-ups, pulse invitations, goals): everything but the
  HTML part and attachments, which repeat the text.
- a kind not listed here (added later): recipient and subject only, until someone decides.

Every subject, body and error shown also goes through :func:`redact`, so a one-time link
that a template puts somewhere unexpected is still not shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from connectwell.core.notify.models import OutboxEmail

LINK_REMOVED = "[link removed: only the person it is for gets it, by e-mail]"

#: Kinds whose text is shown (after :func:`redact`).
BODY_SHOWN = frozenset(
    {
        "invite",
        "password-reset",
        "intro",
        "intro-moved",
        "followup",
        "pulse",
        "goal-reached",
        "goal-reward-ideas",
    }
)
#: Kinds whose recipients are private: counted, never listed.
RECIPIENTS_COUNTED = frozenset({"pulse-reminder", "program-paused"})
#: Kinds whose subject says too much (a shout-out's names its sender).
SUBJECT_WITHHELD = frozenset({"shoutout"})

NOTES = {
    "shoutout": "A shout-out: its words are not shown here (it may be private).",
    "digest": "The weekly digest: not shown here (it quotes shout-outs the person may see).",
    "pulse-reminder": "Reminders go to who has not answered: only how many is shown.",
    "program-paused": "Pauses go to who let introductions go unanswered: only how many.",
}
OTHER_NOTE = "Not shown here."

# The secret of a one-time password link, and of a digest's unsubscribe link.
_SECRET = re.compile(r"(/password/|/digest/unsubscribe/)(?!forgot\b)[A-Za-z0-9_.\-]{8,}")


def redact(text: str) -> str:
    """``text`` with the secret of every one-time link replaced by :data:`LINK_REMOVED`.

    Parameters
    ----------
    text : str
        A subject, body or error of an outbox e-mail.

    Returns
    -------
    str
        The same text; ``https://…/password/<secret>`` reads ``https://…/password/`` followed
        by the note, as does an unsubscribe link. Linear in the length of ``text``.
    """
    return _SECRET.sub(lambda match: match.group(1) + LINK_REMOVED, text)


@dataclass(frozen=True)
class OutboxLine:
    """One line of the development outbox: an e-mail, or several counted together.

    ``to`` is ``None`` where the recipients are counted (``count`` of them); ``subject`` or
    ``body`` is ``None`` where it is withheld, and ``note`` says why.
    """

    kind: str
    to: str | None
    count: int
    subject: str | None
    body: str | None
    note: str
    created_at: dt.datetime
    status: str
    error: str


def _statuses(emails: list[OutboxEmail]) -> str:
    counts = Counter(email.status for email in emails)
    if len(counts) == 1 and len(emails) == 1:
        return emails[0].status
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def outbox_lines(emails: Iterable[OutboxEmail]) -> list[OutboxLine]:
    """What the development outbox shows of ``emails`` (newest first), by the rules above.

    Parameters
    ----------
    emails : iterable of OutboxEmail
        The latest e-mails, newest first.

    Returns
    -------
    list of OutboxLine
        One line per e-mail, except that the e-mails of a kind in
        :data:`RECIPIENTS_COUNTED` with the same subject on the same day make one line,
        placed where the newest of them is. Linear in the number of e-mails.
    """
    lines: list[OutboxLine | tuple[str, str, dt.date]] = []
    groups: dict[tuple[str, str, dt.date], list[OutboxEmail]] = {}
    for email in emails:
        if email.kind in RECIPIENTS_COUNTED:
            key = (email.kind, email.subject, email.created_at.date())
            if key not in groups:
                groups[key] = []
                lines.append(key)
            groups[key].append(email)
            continue
        shown = email.kind in BODY_SHOWN
        lines.append(
            OutboxLine(
                kind=email.kind,
                to=email.to_address,
                count=1,
                subject=None if email.kind in SUBJECT_WITHHELD else redact(email.subject),
                body=redact(email.text_body) if shown else None,
                note="" if shown else NOTES.get(email.kind, OTHER_NOTE),
                created_at=email.created_at,
                status=email.status,
                error=redact(email.last_error),
            )
        )
    result = []
    for line in lines:
        if isinstance(line, OutboxLine):
            result.append(line)
            continue
        group = groups[line]
        failed = sum(1 for email in group if email.last_error)
        result.append(
            OutboxLine(
                kind=line[0],
                to=None,
                count=len(group),
                subject=redact(line[1]),
                body=None,
                note=NOTES.get(line[0], OTHER_NOTE),
                created_at=group[0].created_at,
                status=_statuses(group),
                # an SMTP error often names the address: only how many had one
                error=f"{failed} with an error" if failed else "",
            )
        )
    return result
