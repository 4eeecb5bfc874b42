"""Admin pages for programmes: set one up or change it, see its rounds in aggregate, the new
hires a buddies round left without a buddy, run a round now."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from connectwell.insights import network
from connectwell.insights import service as insights
from connectwell.people import service as people
from connectwell.programs import answers, rounds
from connectwell.programs import service as programs
from connectwell.programs.models import Program
from connectwell.programs.schemas import ProgramIn, ProgramSettings
from connectwell.web.deps import CSRF, DB, AppSettings, PageAdmin
from connectwell.web.forms import PageForm, read_form
from connectwell.web.templating import render

router = APIRouter(prefix="/admin/programs")


def _list_page(
    request: Request, session: DB, *, status_code: int = 200, **extra: object
) -> Response:
    return render(
        request,
        "admin/programs.html",
        {
            "programs": programs.list_programs(session),
            "teams": people.list_teams(session),
            "today": dt.date.today(),
            "form": extra.pop("form", PageForm()),
            **extra,
        },
        session=session,
        status_code=status_code,
    )


@router.get("")
def programs_admin(request: Request, session: DB, viewer: PageAdmin) -> Response:
    return _list_page(request, session)


PROGRAM_LABELS = {
    "team_ids": "team",
    "local_hour": "hour",
    "starts_on": "first day",
    "no_repeat_weeks": "number of weeks",
    "min_overlap_hours": "shared hours",
    "team_mix": "choice of who meets whom",
    "followup_days": "days before the follow-up",
}


@router.post("", dependencies=[CSRF])
async def create(request: Request, session: DB, viewer: PageAdmin) -> Response:
    form = await read_form(request, ProgramIn, labels=PROGRAM_LABELS)
    if form.data is not None:
        try:
            program = programs.create_program(session, form.data, actor=viewer.person)
        except programs.ProgramError as error:
            session.rollback()
            form.refuse(error)
        else:
            return RedirectResponse(f"/admin/programs/{program.id}", status.HTTP_303_SEE_OTHER)
    return _list_page(request, session, form=form, status_code=form.status_code)


def _edit_page(
    request: Request, session: DB, program: Program, form: PageForm[ProgramSettings]
) -> Response:
    return render(
        request,
        "admin/program_edit.html",
        {"program": program, "form": form, "teams": people.list_teams(session)},
        session=session,
        status_code=form.status_code if form.problems else status.HTTP_200_OK,
    )


def _entered(program: Program) -> dict[str, str | list[str]]:
    """The programme's settings as the edit form sends them."""
    values: dict[str, str | list[str]] = {}
    for name in ProgramSettings.model_fields:
        if name == "team_ids":
            values[name] = [str(t.team_id) for t in program.teams]
            continue
        value = getattr(program, name)
        if isinstance(value, bool):
            if value:
                values[name] = "on"
        else:
            values[name] = f"{value:g}" if isinstance(value, float) else str(value)
    return values


@router.get("/{program_id}/edit")
def edit_form(request: Request, session: DB, viewer: PageAdmin, program_id: int) -> Response:
    program = programs.get_program(session, program_id)
    return _edit_page(request, session, program, PageForm(values=_entered(program)))


@router.post("/{program_id}/edit", dependencies=[CSRF])
async def edit(request: Request, session: DB, viewer: PageAdmin, program_id: int) -> Response:
    """Change a programme: from its next round on (a round already made is kept)."""
    program = programs.get_program(session, program_id)
    form = await read_form(request, ProgramSettings, labels=PROGRAM_LABELS)
    if form.data is not None:
        try:
            programs.update_program(session, program, form.data, actor=viewer.person)
        except programs.ProgramError as error:
            session.rollback()
            form.refuse(error)
        else:
            return RedirectResponse(
                f"/admin/programs/{program_id}?changed=1", status.HTTP_303_SEE_OTHER
            )
    return _edit_page(request, session, programs.get_program(session, program_id), form)


@router.get("/{program_id}")
def program_admin(
    request: Request, session: DB, settings: AppSettings, viewer: PageAdmin, program_id: int
) -> Response:
    return _program_page(request, session, settings, programs.get_program(session, program_id))


def _program_page(
    request: Request,
    session: DB,
    settings: AppSettings,
    program: Program,
    *,
    run_form: PageForm[RunForm] | None = None,
) -> Response:
    summaries = answers.overview(session, program)
    check_ins = insights.round_check_ins(
        session, [s.round for s in summaries], floor=settings.anonymity_floor
    )
    today = dt.date.today()
    return render(
        request,
        "admin/program.html",
        {
            "program": program,
            "summaries": summaries,
            "check_ins": check_ins,
            "floor": settings.anonymity_floor,
            "next_round_on": programs.next_round_on(program, today),
            "shortage": programs.buddy_shortage(session, program),
            "audience_size": len(programs.audience_ids(session, program)),
            "today": today,
            "run_form": run_form or PageForm(),
        },
        session=session,
        status_code=run_form.status_code if run_form else status.HTTP_200_OK,
    )


class RunForm(BaseModel):
    round_on: dt.date = Field(title="date of the round")


@router.post("/{program_id}/run", dependencies=[CSRF])
async def run_now(
    request: Request, session: DB, settings: AppSettings, viewer: PageAdmin, program_id: int
) -> Response:
    """Run a round for a date now (for a first round, or a demo); once per date."""
    program = programs.get_program(session, program_id)
    form = await read_form(request, RunForm)
    if form.data is None:
        return _program_page(request, session, settings, program, run_form=form)
    round_on = form.data.round_on
    row = rounds.run_round(
        session,
        program,
        round_on,
        actor=viewer.person,
        settings=settings,
        connections=network.connection_counts,
    )
    outcome = "ran" if row is not None else "exists"
    return RedirectResponse(
        f"/admin/programs/{program_id}?round={outcome}", status.HTTP_303_SEE_OTHER
    )


@router.post("/{program_id}/active", dependencies=[CSRF])
def set_active(
    session: DB, viewer: PageAdmin, program_id: int, active: Annotated[bool, Form()] = False
) -> Response:
    program = programs.get_program(session, program_id)
    programs.set_active(session, program, active, actor=viewer.person)
    return RedirectResponse(f"/admin/programs/{program_id}", status.HTTP_303_SEE_OTHER)
