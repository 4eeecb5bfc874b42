"""Render pages: every template gets the viewer, the CSRF token and the unread count."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from connectwell.core import notify, words
from connectwell.web.deps import csrf_token

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%-d %b %Y, %H:%M UTC")
    return value.strftime("%-d %b %Y")


# A link starts a word with http:// or https:// and runs to the next space, quote or bracket.
_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
_SENTENCE_END = ".,;:!?"


def linkify(text: str | None) -> Markup:
    """People's plain text as safe HTML: everything escaped, http(s) URLs made links.

    No other scheme ever becomes a link (``javascript:``, ``data:``…); the URL is escaped in
    both the ``href`` and the text, and the link says it is user content
    (``rel="noopener nofollow ugc"``). Line breaks stay as they are: show the result in an
    element with ``white-space: pre-wrap`` (the ``prewrap`` class).
    """
    if not text:
        return Markup("")
    parts: list[Markup] = []
    done = 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(_SENTENCE_END)
        # A closing bracket belongs to the sentence unless the URL opened one: (see http://x)
        while url.endswith(")") and url.count("(") < url.count(")"):
            url = url[:-1].rstrip(_SENTENCE_END)
        if "://" not in url or url.endswith("://"):
            continue
        parts.append(escape(text[done : match.start()]))
        parts.append(Markup('<a href="{0}" rel="noopener nofollow ugc">{0}</a>').format(url))
        done = match.start() + len(url)
    parts.append(escape(text[done:]))
    return Markup("").join(parts)


templates.env.filters["date"] = _date
templates.env.filters["linkify"] = linkify
templates.env.globals["pathway_names"] = words.PATHWAY_NAMES
templates.env.globals["hqc_elements"] = words.HQC_ELEMENTS
templates.env.globals["element_names"] = words.ELEMENT_NAMES
templates.env.globals["construct_names"] = words.CONSTRUCT_NAMES


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    session: Session | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    viewer = getattr(request.state, "viewer", None)
    values: dict[str, Any] = {
        "viewer": viewer,
        "csrf_token": csrf_token(request),
        "unread": notify.unread_count(session, viewer.person.id) if viewer and session else 0,
        "settings": request.app.state.settings,
        "today": dt.date.today(),
    }
    values.update(context or {})
    return templates.TemplateResponse(request, template, values, status_code=status_code)
