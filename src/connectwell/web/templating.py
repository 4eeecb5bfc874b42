"""Render pages: every template gets the viewer, the CSRF token and the unread count."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from connectwell.core import notify, words
from connectwell.core.text import linkify
from connectwell.web.deps import csrf_token

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
# Templates change only with a new release (a restart): do not stat every template file, and
# every one it includes, on each render to see whether it changed on disk.
templates.env.auto_reload = False


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%-d %b %Y, %H:%M UTC")
    return value.strftime("%-d %b %Y")


def _day_in(moment: dt.datetime | None, timezone: str | None) -> str:
    """The day of ``moment`` in the viewer's time zone ("3 November 2026")."""
    if moment is None:
        return ""
    try:
        zone: dt.tzinfo = ZoneInfo(timezone) if timezone else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    return moment.astimezone(zone).strftime("%-d %B %Y")


templates.env.filters["date"] = _date
templates.env.filters["day_in"] = _day_in
templates.env.filters["linkify"] = linkify
templates.env.globals["pathway_names"] = words.PATHWAY_NAMES
templates.env.globals["hqc_elements"] = words.HQC_ELEMENTS
templates.env.globals["element_names"] = words.ELEMENT_NAMES
templates.env.globals["construct_names"] = words.CONSTRUCT_NAMES
templates.env.globals["weekdays"] = words.WEEKDAYS


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
