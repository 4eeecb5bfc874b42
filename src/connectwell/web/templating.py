"""Render pages: every template gets the viewer, the CSRF token and the unread count."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from sqlalchemy.orm import Session

from connectwell.core import notify, times, words
from connectwell.core.text import linkify
from connectwell.web.deps import csrf_token

STATIC = Path(__file__).parent / "static"


def _app_colours(css: str) -> dict[str, str]:
    """The light theme's colours that app.css declares first (``--accent: #0b5cad``): the
    phone's title bar and splash screen use them (theme-color, the manifest)."""
    found = {}
    for name in ("accent", "paper"):
        match = re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{3,8}})\b", css)
        if match is None:
            raise LookupError(f"app.css declares no --{name} colour")
        found[name] = match.group(1).lower()
    return found


APP_COLOURS = _app_colours((STATIC / "app.css").read_text(encoding="utf-8"))
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
# Templates change only with a new release (a restart): do not stat every template file, and
# every one it includes, on each render to see whether it changed on disk.
templates.env.auto_reload = False


def viewer_zone(context: Context) -> str:
    """The time zone of whoever reads the page: the signed-in person's, else UTC."""
    viewer = context.get("viewer")
    return getattr(getattr(viewer, "person", None), "timezone", None) or "UTC"


@pass_context
def _date(context: Context, value: dt.date | dt.datetime | None, timezone: str = "") -> str:
    """A day ("3 Nov 2026"), or a moment in the viewer's zone ("3 Nov 2026, 14:05 CET")."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return times.exact(value, timezone or viewer_zone(context))
    return value.strftime("%-d %b %Y")


@pass_context
def _when(context: Context, value: dt.datetime | None, timezone: str = "") -> Markup:
    """A moment as people say it ("2 hours ago", "yesterday", "in 3 days"), in a ``<time>``
    element whose title is the exact time in the viewer's zone; a moment a week or more
    away shows the exact time itself."""
    if value is None:
        return Markup("")
    zone = timezone or viewer_zone(context)
    exact = times.exact(value, zone)
    said = times.relative(value, zone, dt.datetime.now(dt.UTC)) or exact
    moment = times.local(value, "UTC").isoformat()
    return Markup('<time datetime="{}" title="{}">{}</time>').format(moment, exact, said)


@pass_context
def _day_in(context: Context, moment: dt.datetime | None, timezone: str | None = None) -> str:
    """The day of ``moment`` in the viewer's time zone ("3 November 2026")."""
    if moment is None:
        return ""
    return times.day(moment, timezone or viewer_zone(context))


templates.env.filters["date"] = _date
templates.env.filters["day_in"] = _day_in
templates.env.filters["when"] = _when
templates.env.filters["zone_label"] = times.zone_label
templates.env.filters["linkify"] = linkify
templates.env.globals["pathway_names"] = words.PATHWAY_NAMES
templates.env.globals["hqc_elements"] = words.HQC_ELEMENTS
templates.env.globals["element_names"] = words.ELEMENT_NAMES
templates.env.globals["construct_names"] = words.CONSTRUCT_NAMES
templates.env.globals["weekdays"] = words.WEEKDAYS
templates.env.globals["theme_color"] = APP_COLOURS["accent"]


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
