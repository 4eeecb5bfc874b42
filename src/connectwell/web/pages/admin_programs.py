"""Admin pages for programmes: set one up, see its rounds in aggregate, run a round now."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from connectwell.people import service as people
from connectwell.programs import answers, rounds
from connectwell.programs import service as programs
from connectwell.programs.schemas import ProgramIn
from connectwell.web.deps import CSRF, DB, AppSettings, PageAdmin
from connectwell.web.templating import render

router = APIRouter(prefix="/admin/programs")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _list_page(
    request: Request, session: DB, *, status_code: int = 200, **extra: object
) -> Response:
    return render(
        request,
        "admin/programs.html",
        {
            "programs": programs.list_programs(session),
            "teams": people.list_teams(session),
            "weekdays": WEEKDAYS,
            "today": dt.date.today(),
            "form": extra.pop("form", {}),
            **extra,
        },
        session=session,
        status_code=status_code,
    )


@router.get("")
def programs_admin(request: Request, session: DB, viewer: PageAdmin) -> Response:
    return _list_page(request, session)


@router.post("", dependencies=[CSRF])
async def create(request: Request, session: DB, viewer: PageAdmin) -> Response:
    form = await request.form()
    values: dict[str, object] = {
        k: v for k, v in form.items() if k not in ("csrf_token", "team_ids")
    }
    values["team_ids"] = [
        int(v) for v in form.getlist("team_ids") if isinstance(v, str) and v.isdigit()
    ]
    values = {k: v for k, v in values.items() if v != ""}
    try:
        data = ProgramIn.model_validate(values)
        program = programs.create_program(session, data, actor=viewer.person)
    except ValidationError as error:
        problems = [
            (
                ".".join(str(p) for p in e["loc"]) or "programme",
                e["msg"].removeprefix("Value error, "),
            )
            for e in error.errors()
        ]
        return _list_page(
            request,
            session,
            problems=problems,
            form=values,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    except programs.ProgramError as error:
        session.rollback()
        return _list_page(
            request,
            session,
            problems=[(error.field, error.message)],
            form=values,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return RedirectResponse(f"/admin/programs/{program.id}", status.HTTP_303_SEE_OTHER)


@router.get("/{program_id}")
def program_admin(
    request: Request, session: DB, settings: AppSettings, viewer: PageAdmin, program_id: int
) -> Response:
    program = programs.get_program(session, program_id)
    summaries = answers.overview(session, program, floor=settings.anonymity_floor)
    today = dt.date.today()
    return render(
        request,
        "admin/program.html",
        {
            "program": program,
            "summaries": summaries,
            "floor": settings.anonymity_floor,
            "weekdays": WEEKDAYS,
            "next_round_on": programs.next_round_on(program, today),
            "audience_size": len(programs.audience_ids(session, program)),
            "today": today,
        },
        session=session,
    )


@router.post("/{program_id}/run", dependencies=[CSRF])
def run_now(
    session: DB,
    viewer: PageAdmin,
    program_id: int,
    round_on: Annotated[dt.date, Form()],
) -> Response:
    """Run a round for a date now (for a first round, or a demo); once per date."""
    program = programs.get_program(session, program_id)
    row = rounds.run_round(session, program, round_on, actor=viewer.person)
    outcome = "ran" if row is not None else "exists"
    return RedirectResponse(
        f"/admin/programs/{program_id}?round={outcome}", status.HTTP_303_SEE_OTHER
    )


@router.post("/{program_id}/active", dependencies=[CSRF])
def set_active(
    session: DB, viewer: PageAdmin, program_id: int, active: Annotated[bool, Form()] = False
) -> Response:
    programs.set_active(
        session, programs.get_program(session, program_id), active, actor=viewer.person
    )
    return RedirectResponse(f"/admin/programs/{program_id}", status.HTTP_303_SEE_OTHER)
