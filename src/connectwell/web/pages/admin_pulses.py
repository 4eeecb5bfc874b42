"""Admin pages for pulses and the item bank."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from connectwell.people import service as people
from connectwell.pulses import service as pulses
from connectwell.pulses.bank import BY_KEY, MAX_ITEMS, MIN_ITEMS
from connectwell.pulses.schemas import ConstructIn, ItemIn, PulseIn
from connectwell.web.deps import CSRF, DB, PageAdmin, Viewer
from connectwell.web.forms import PageForm, read_form
from connectwell.web.templating import render

router = APIRouter(prefix="/admin")


PULSE_LABELS = {"team_ids": "team", "local_hour": "hour", "starts_on": "first day"}
BANK_LABELS = {"construct_id": "construct", "text": "statement", "description": "description"}


def _pulses_page(
    request: Request, session: DB, *, status_code: int = 200, **extra: object
) -> Response:
    return render(
        request,
        "admin/pulses.html",
        {
            "pulses": pulses.list_pulses(session),
            "rounds": pulses.rounds_overview(session),
            "teams": people.list_teams(session),
            "today": dt.date.today(),
            "form": extra.pop("form", PageForm()),
            "open_forms": extra.pop("open_forms", {}),
            **extra,
        },
        session=session,
        status_code=status_code,
    )


@router.get("/pulses")
def pulses_admin(request: Request, session: DB, viewer: PageAdmin) -> Response:
    return _pulses_page(request, session)


@router.post("/pulses", dependencies=[CSRF])
async def create_pulse(request: Request, session: DB, viewer: PageAdmin) -> Response:
    form = await read_form(request, PulseIn, labels=PULSE_LABELS)
    if form.data is None:
        return _pulses_page(request, session, form=form, status_code=form.status_code)
    pulses.create_pulse(session, form.data, actor=viewer.person)
    return RedirectResponse("/admin/pulses?saved=1", status.HTTP_303_SEE_OTHER)


class OpenRoundForm(BaseModel):
    opens_on: dt.date = Field(title="round date")


@router.post("/pulses/{pulse_id}/open", dependencies=[CSRF])
async def open_now(request: Request, session: DB, viewer: PageAdmin, pulse_id: int) -> Response:
    pulse = pulses.get_pulse(session, pulse_id)
    form = await read_form(request, OpenRoundForm)
    if form.data is None:  # each pulse has its own small form: the message goes beside it
        return _pulses_page(
            request, session, open_forms={pulse.id: form}, status_code=form.status_code
        )
    row = pulses.open_round(session, pulse, form.data.opens_on, actor=viewer.person)
    outcome = "opened" if row is not None else "exists"
    return RedirectResponse(f"/admin/pulses?round={outcome}", status.HTTP_303_SEE_OTHER)


@router.get("/bank")
def bank(request: Request, session: DB, viewer: PageAdmin) -> Response:
    return _bank_page(request, session)


def _bank_page(
    request: Request, session: DB, *, status_code: int = 200, **forms: PageForm[Any]
) -> Response:
    pulses.ensure_bank(session)
    return render(
        request,
        "admin/bank.html",
        {
            "constructs": pulses.constructs(session),
            "bank": BY_KEY,
            "min_items": MIN_ITEMS,
            "max_items": MAX_ITEMS,
            "construct_form": forms.get("construct_form", PageForm()),
            "item_form": forms.get("item_form", PageForm()),
        },
        session=session,
        status_code=status_code,
    )


def _added(session: DB, form: PageForm[Any], add: Callable[..., object], actor: Viewer) -> bool:
    """Add what the form holds; a refusal (a key taken) lands beside its field."""
    if form.data is None:
        return False
    try:
        add(session, form.data, actor=actor.person)
    except pulses.PulseError as error:
        session.rollback()
        form.refuse(error)
        return False
    return True


@router.post("/bank/constructs", dependencies=[CSRF])
async def add_construct(request: Request, session: DB, viewer: PageAdmin) -> Response:
    form = await read_form(request, ConstructIn, labels=BANK_LABELS)
    if not _added(session, form, pulses.add_construct, viewer):
        return _bank_page(request, session, construct_form=form, status_code=form.status_code)
    return RedirectResponse("/admin/bank?saved=1", status.HTTP_303_SEE_OTHER)


@router.post("/bank/items", dependencies=[CSRF])
async def add_item(request: Request, session: DB, viewer: PageAdmin) -> Response:
    form = await read_form(request, ItemIn, labels=BANK_LABELS)
    if not _added(session, form, pulses.add_item, viewer):
        return _bank_page(request, session, item_form=form, status_code=form.status_code)
    return RedirectResponse("/admin/bank?saved=1", status.HTTP_303_SEE_OTHER)
