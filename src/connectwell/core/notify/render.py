"""Rendering a message: one Jinja environment, one link-maker, one renderer per channel.

A message is a kind plus its context. Each kind is a folder of ``core/messages/``:

- ``subject.txt``: the e-mail subject and the inbox heading (one line);
- ``inbox.txt``: the short inbox line (the one action is the message's link);
- ``body.txt``: the e-mail's plain-text part (always sent);
- ``body.html``: the e-mail's HTML part, extending ``_layout/email.html``.

Templates see the context plus ``recipient`` (id, name, email, timezone, language),
``organisation``, ``base_url`` and ``link`` (the message's link made absolute). Context values
are JSON: datetimes arrive as ISO strings in UTC and are shown in the recipient's zone with
``|local`` ("Monday 7 December, 10:00 CET"), or in another zone with ``|local_in(zone)``.
Undefined names fail loudly (``StrictUndefined``); ``.html`` is auto-escaped.

A channel is a function ``(kind, values) -> Rendered`` in :data:`CHANNELS`: Slack or Teams add
theirs (with their own template files in the same folders) and render stored messages from
their ``kind`` and ``context``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from connectwell.core import times
from connectwell.core.config import Settings
from connectwell.core.text import breaks, linkify

MESSAGES = Path(__file__).resolve().parent.parent / "messages"
LAYOUT_PREFIX = "_"  # folders such as _layout hold shared templates, not kinds
RESERVED = frozenset({"recipient", "organisation", "base_url", "link", "subject"})


class Recipient(Protocol):
    """Anyone a message can be for (a :class:`connectwell.people.models.Person` is one).

    ``language`` is read when present (default ``"en"``).
    """

    @property
    def id(self) -> int: ...

    @property
    def email(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def timezone(self) -> str: ...


class UnknownMessageKind(LookupError):
    """There is no template folder for this kind of message."""


@dataclass(frozen=True)
class Rendered:
    """A message as one channel shows it."""

    subject: str
    text: str
    html: str | None = None


def one_line(value: str, limit: int = 200) -> str:
    return " ".join(value.split())[:limit]


def reader(recipient: Recipient) -> dict[str, Any]:
    """The recipient as templates see it."""
    return {
        "id": recipient.id,
        "name": recipient.name,
        "email": recipient.email,
        "timezone": recipient.timezone or "UTC",
        "language": getattr(recipient, "language", None) or "en",
    }


# --- filters -------------------------------------------------------------------------------


def _moment(value: str | dt.datetime) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError(f"{value!r}: a datetime in a message needs its time zone (UTC)")
    return moment


@pass_context
def local(
    context: Context,
    value: str | dt.datetime,
    format: str = "%A %-d %B, %H:%M",
    zone: bool = True,
) -> str:
    """A UTC moment in the recipient's zone, the zone named: "Monday 7 December, 10:00 CET"
    (an unknown zone shows UTC); ``|local_in(zone)`` shows it in a colleague's zone."""
    timezone = context["recipient"]["timezone"]
    return local_in(value, timezone, format, zone)


def local_in(
    value: str | dt.datetime, timezone: str, format: str = "%A %-d %B, %H:%M", zone: bool = True
) -> str:
    """A UTC moment in ``timezone``: "Monday 7 December, 18:00 JST"."""
    if zone:
        return times.exact(_moment(value), timezone, format)
    return times.local(_moment(value), timezone).strftime(format)


def day(value: str | dt.date, format: str = "%-d %B") -> str:
    """A calendar date: "7 December"."""
    date = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return date.strftime(format)


def and_list(names: list[str]) -> str:
    """ "Ana", "Ana and Ben", "Ana, Ben and Cy"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 shout-out", "2 shout-outs"."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


@pass_context
def url(context: Context, path: str) -> str:
    """A path of the app as an absolute link (as e-mails need)."""
    return path if "://" in path else f"{context['base_url']}{path}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one environment every message is rendered with."""
    env = Environment(
        loader=FileSystemLoader(MESSAGES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(
        local=local,
        local_in=local_in,
        day=day,
        and_list=and_list,
        plural=plural,
        url=url,
        linkify=linkify,
        breaks=breaks,
    )
    return env


@lru_cache(maxsize=1)
def kinds() -> frozenset[str]:
    """Every kind of message there is a template folder for (read once per process)."""
    return frozenset(
        path.name
        for path in MESSAGES.iterdir()
        if path.is_dir() and not path.name.startswith(LAYOUT_PREFIX)
    )


def _template(kind: str, name: str) -> str:
    if kind not in kinds():
        raise UnknownMessageKind(f"no templates for messages of kind {kind!r} in {MESSAGES}")
    return f"{kind}/{name}"


def _render(kind: str, name: str, values: Mapping[str, Any]) -> str:
    return environment().get_template(_template(kind, name)).render(values)


# --- channels ------------------------------------------------------------------------------


def render_inbox(kind: str, values: Mapping[str, Any]) -> Rendered:
    """The inbox: a heading and a short line (the link is shown beside it)."""
    subject = one_line(_render(kind, "subject.txt", values))
    return Rendered(subject=subject, text=_render(kind, "inbox.txt", values).strip())


def render_email(kind: str, values: Mapping[str, Any]) -> Rendered:
    """E-mail: subject, plain-text part and the responsive HTML part."""
    subject = one_line(_render(kind, "subject.txt", values))
    with_subject = {**values, "subject": subject}
    return Rendered(
        subject=subject,
        text=_render(kind, "body.txt", with_subject).strip() + "\n",
        html=_render(kind, "body.html", with_subject),
    )


Renderer = Callable[[str, Mapping[str, Any]], Rendered]
CHANNELS: dict[str, Renderer] = {"inbox": render_inbox, "email": render_email}


def render(
    channel: str,
    kind: str,
    context: Mapping[str, Any],
    recipient: Recipient,
    settings: Settings,
    *,
    link: str = "",
) -> Rendered:
    """Render a message for one recipient on one channel (see :data:`CHANNELS`).

    ``context`` is JSON (see :func:`connectwell.core.notify.message_context`); ``settings``
    give the organisation's name and the base URL that makes ``link`` absolute.
    """
    base_url = settings.base_url
    clash = RESERVED & set(context)
    if clash:
        raise ValueError(f"message context may not use the names {sorted(clash)}")
    values = {
        **context,
        "recipient": reader(recipient),
        "organisation": settings.organisation_name,
        "base_url": base_url,
        "link": (link if "://" in link else f"{base_url}{link}") if link else "",
    }
    return CHANNELS[channel](kind, values)
