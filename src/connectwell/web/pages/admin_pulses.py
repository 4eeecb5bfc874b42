"""Admin pages for pulses and the item bank."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from connectwell.people import service as people
from connectwell.pulses import service as pulses
from connectwell.pulses.schemas import ConstructIn, ItemIn, PulseIn
from connectwell.web.deps import CSRF, DB, PageAdmin
from connectwell.web.templating import render

router = APIRouter(prefix="/admin")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    return [
        (".".join(str(p) for p in e["loc"]) or "form", e["msg"].removeprefix("Value error, "))
        for e in error.errors()
    ]


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
            "weekdays": WEEKDAYS,
            "today": dt.date.today(),
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
    form = await request.form()
    values: dict[str, object] = {
        k: v for k, v in form.items() if k not in ("csrf_token", "team_ids") and v != ""
    }
    values["team_ids"] = [
        int(v) for v in form.getlist("team_ids") if isinstance(v, str) and v.isdigit()
    ]
    try:
        pulses.create_pulse(session, PulseIn.model_validate(values), actor=viewer.person)
    except ValidationError as error:
        return _pulses_page(
            request,
            session,
            problems=_problems(error),
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return RedirectResponse("/admin/pulses?saved=1", status.HTTP_303_SEE_OTHER)


@router.post("/pulses/{pulse_id}/open", dependencies=[CSRF])
def open_now(
    session: DB, viewer: PageAdmin, pulse_id: int, opens_on: Annotated[dt.date, Form()]
) -> Response:
    row = pulses.open_round(
        session, pulses.get_pulse(session, pulse_id), opens_on, actor=viewer.person
    )
    outcome = "opened" if row is not None else "exists"
    return RedirectResponse(f"/admin/pulses?round={outcome}", status.HTTP_303_SEE_OTHER)


@router.get("/bank")
def bank(request: Request, session: DB, viewer: PageAdmin) -> Response:
    return _bank_page(request, session)


def _bank_page(
    request: Request, session: DB, *, status_code: int = 200, **extra: object
) -> Response:
    pulses.ensure_bank(session)
    return render(
        request,
        "admin/bank.html",
        {"constructs": pulses.constructs(session), **extra},
        session=session,
        status_code=status_code,
    )


def _bank_refused(
    request: Request, session: DB, error: ValidationError | pulses.PulseError
) -> Response:
    """The bank page again, naming each problem; nothing was added."""
    session.rollback()
    problems = (
        _problems(error) if isinstance(error, ValidationError) else [(error.field, error.message)]
    )
    return _bank_page(
        request, session, problems=problems, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


@router.post("/bank/constructs", dependencies=[CSRF])
def add_construct(
    request: Request,
    session: DB,
    viewer: PageAdmin,
    key: Annotated[str, Form(max_length=40)],
    name: Annotated[str, Form(max_length=80)],
    description: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        pulses.add_construct(
            session, ConstructIn(key=key, name=name, description=description), actor=viewer.person
        )
    except (ValidationError, pulses.PulseError) as error:
        return _bank_refused(request, session, error)
    return RedirectResponse("/admin/bank?saved=1", status.HTTP_303_SEE_OTHER)


@router.post("/bank/items", dependencies=[CSRF])
def add_item(
    request: Request,
    session: DB,
    viewer: PageAdmin,
    construct_id: Annotated[int, Form()],
    text: Annotated[str, Form(max_length=300)],
    reverse_coded: Annotated[bool, Form()] = False,
) -> Response:
    try:
        pulses.add_item(
            session,
            ItemIn(construct_id=construct_id, text=text, reverse_coded=reverse_coded),
            actor=viewer.person,
        )
    except (ValidationError, pulses.PulseError) as error:
        return _bank_refused(request, session, error)
    return RedirectResponse("/admin/bank?saved=1", status.HTTP_303_SEE_OTHER)
