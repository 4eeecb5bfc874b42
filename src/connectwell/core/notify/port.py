"""The message port: every message to a person goes through :func:`tell`.

A message is a kind plus its context. :func:`tell` renders it for each recipient, in their
time zone, and writes the inbox line and the outbox e-mail in the caller's transaction: if the
transaction rolls back, nothing is sent (a transactional outbox), and a template that fails
fails the transaction, so nothing is half written. Both rows keep the kind and the JSON
context, so a later channel (Slack, Teams) renders the same message with its own renderer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from connectwell.core.config import Settings, get_settings
from connectwell.core.notify.models import Notification, OutboxEmail
from connectwell.core.notify.render import (
    Recipient,
    UnknownMessageKind,
    kinds,
    one_line,
    render,
)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST"
    content: str


def _json(value: Any, where: str) -> Any:
    """``value`` as JSON: datetimes as ISO strings in UTC, dates as ISO dates."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise TypeError(f"message context {where}: a datetime needs its time zone")
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json(item, f"{where}[{n}]") for n, item in enumerate(value)]
    if isinstance(value, Mapping):
        return {str(key): _json(item, f"{where}.{key}") for key, item in value.items()}
    raise TypeError(
        f"message context {where}: {type(value).__name__} is not JSON; "
        "pass ids, strings, numbers, datetimes, or lists and dicts of them"
    )


def message_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """The context as it is stored and rendered (JSON only)."""
    return {key: _json(value, key) for key, value in context.items()}


def tell(
    session: Session,
    recipients: Iterable[Recipient],
    kind: str,
    *,
    settings: Settings | None = None,
    link: str = "",
    secret_link: bool = False,
    attachments: Sequence[Attachment] = (),
    headers: Mapping[str, str] | None = None,
    email: bool = True,
    inbox: bool = True,
    **context: Any,
) -> None:
    """Tell each recipient a message of ``kind``: an inbox line and an e-mail; flushes only.

    ``link`` is the message's one action, a path of the app (``/pairings/3``). ``context``
    holds what the templates need, as JSON (ids, strings, numbers, lists, aware datetimes),
    never ORM objects. ``settings`` gives the organisation's name and the base URL of links
    (the process's settings when omitted). A ``secret_link`` (a one-time sign-in link) is
    rendered into the message but not stored in its ``link`` column, where a later channel
    would read it: it lives only in the body the recipient receives.
    """
    if kind not in kinds():
        raise UnknownMessageKind(f"no templates for messages of kind {kind!r}")
    site = settings or get_settings()
    stored = message_context(context)
    kept_link = "" if secret_link else link
    sent_headers = {k: one_line(v, 1000) for k, v in (headers or {}).items()}
    files = [
        {"filename": a.filename, "content_type": a.content_type, "content": a.content}
        for a in attachments
    ]
    for recipient in recipients:
        if inbox:
            line = render("inbox", kind, stored, recipient, site, link=link)
            session.add(
                Notification(
                    person_id=recipient.id,
                    kind=kind,
                    subject=line.subject,
                    body=line.text,
                    link=kept_link,
                    context=stored,
                )
            )
        if email:
            mail = render("email", kind, stored, recipient, site, link=link)
            session.add(
                OutboxEmail(
                    person_id=recipient.id,
                    to_address=recipient.email,
                    to_name=one_line(recipient.name),
                    kind=kind,
                    link=kept_link,
                    context=stored,
                    subject=mail.subject,
                    text_body=mail.text,
                    html_body=mail.html,
                    headers=dict(sent_headers),
                    attachments=list(files),
                )
            )
    session.flush()
