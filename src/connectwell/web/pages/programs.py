"""Programmes as people see them: take part, leave, skip a round, pause, volunteer as buddy."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from connectwell.core.errors import DomainError
from connectwell.programs import service as programs
from connectwell.web.deps import CSRF, DB, PageViewer
from connectwell.web.errors import status_for
from connectwell.web.forms import PageForm, read_form
from connectwell.web.templating import render

router = APIRouter()


@router.get("/programs")
def programs_page(request: Request, session: DB, viewer: PageViewer) -> Response:
    return _programs_page(request, session, viewer)


def _programs_page(
    request: Request, session: DB, viewer: PageViewer, *, status_code: int = 200, **extra: object
) -> Response:
    today = dt.date.today()
    standings = [
        programs.standing(session, program, viewer.person, today)
        for program in programs.list_programs(session, active_only=True)
    ]
    return render(
        request,
        "programs.html",
        {"standings": standings, "pause_forms": {}, "buddy_forms": {}, **extra},
        session=session,
        status_code=status_code,
    )


def _done(program_id: int, what: str) -> Response:
    return RedirectResponse(
        f"/programs?done={what}#program-{program_id}", status.HTTP_303_SEE_OTHER
    )


def _refused(
    request: Request, session: DB, viewer: PageViewer, error: DomainError | programs.ProgramError
) -> Response:
    session.rollback()
    return _programs_page(request, session, viewer, status_code=status_for(error), error=error)


@router.post("/programs/{program_id}/join", dependencies=[CSRF])
def join(request: Request, session: DB, viewer: PageViewer, program_id: int) -> Response:
    program = programs.get_program(session, program_id)
    try:
        programs.join(session, program, viewer.person)
    except programs.ProgramError as error:
        return _refused(request, session, viewer, error)
    return _done(program_id, "joined")


@router.post("/programs/{program_id}/leave", dependencies=[CSRF])
def leave(session: DB, viewer: PageViewer, program_id: int) -> Response:
    programs.leave(session, programs.get_program(session, program_id), viewer.person)
    return _done(program_id, "left")


@router.post("/programs/{program_id}/skip", dependencies=[CSRF])
def skip(request: Request, session: DB, viewer: PageViewer, program_id: int) -> Response:
    program = programs.get_program(session, program_id)
    try:
        programs.skip_next(session, program, viewer.person, dt.date.today())
    except programs.ProgramError as error:
        return _refused(request, session, viewer, error)
    return _done(program_id, "skipping")


class PauseForm(BaseModel):
    until: dt.date = Field(title="last day of the pause")


def _form_again(
    request: Request,
    session: DB,
    viewer: PageViewer,
    forms: str,
    program_id: int,
    form: PageForm[Any],
) -> Response:
    """The page again with ``form`` beside its own programme: each has its small forms."""
    session.rollback()
    return _programs_page(
        request, session, viewer, status_code=form.status_code, **{forms: {program_id: form}}
    )


@router.post("/programs/{program_id}/pause", dependencies=[CSRF])
async def pause(request: Request, session: DB, viewer: PageViewer, program_id: int) -> Response:
    program = programs.get_program(session, program_id)
    form = await read_form(request, PauseForm)
    if form.data is not None:
        try:
            programs.pause(session, program, viewer.person, form.data.until, dt.date.today())
        except programs.ProgramError as error:
            form.refuse(error)
        else:
            return _done(program_id, "paused")
    return _form_again(request, session, viewer, "pause_forms", program_id, form)


@router.post("/programs/{program_id}/resume", dependencies=[CSRF])
def resume(session: DB, viewer: PageViewer, program_id: int) -> Response:
    programs.resume(session, programs.get_program(session, program_id), viewer.person)
    return _done(program_id, "resumed")


class BuddyForm(BaseModel):
    capacity: int = Field(title="number of new hires")


@router.post("/programs/{program_id}/buddy", dependencies=[CSRF])
async def buddy(request: Request, session: DB, viewer: PageViewer, program_id: int) -> Response:
    program = programs.get_program(session, program_id)
    form = await read_form(request, BuddyForm)
    if form.data is not None:
        try:
            programs.set_buddy_capacity(session, program, viewer.person, form.data.capacity)
        except programs.ProgramError as error:
            form.refuse(error)
        else:
            return _done(program_id, "buddy")
    return _form_again(request, session, viewer, "buddy_forms", program_id, form)


@router.get("/me/never-pair")
def never_pair_page(request: Request, session: DB, viewer: PageViewer) -> Response:
    return _never_pair_page(request, session, viewer)


def _never_pair_page(
    request: Request, session: DB, viewer: PageViewer, *, status_code: int = 200, **extra: object
) -> Response:
    people = programs.never_pair_list(session, viewer.person)
    return render(
        request,
        "never_pair.html",
        {"people": people, "form": extra.pop("form", PageForm()), **extra},
        session=session,
        status_code=status_code,
    )


class NeverPairForm(BaseModel):
    email: Annotated[str, Field(max_length=254, title="colleague's e-mail")]


@router.post("/me/never-pair", dependencies=[CSRF])
async def add_never_pair(request: Request, session: DB, viewer: PageViewer) -> Response:
    form = await read_form(request, NeverPairForm)
    if form.data is not None:
        try:
            programs.add_never_pair(session, viewer.person, form.data.email)
        except programs.ProgramError as error:
            session.rollback()
            form.refuse(error)
        else:
            return RedirectResponse("/me/never-pair?saved=1", status.HTTP_303_SEE_OTHER)
    return _never_pair_page(request, session, viewer, form=form, status_code=form.status_code)


@router.post("/me/never-pair/{other_id}/remove", dependencies=[CSRF])
def remove_never_pair(session: DB, viewer: PageViewer, other_id: int) -> Response:
    programs.remove_never_pair(session, viewer.person, other_id)
    return RedirectResponse("/me/never-pair", status.HTTP_303_SEE_OTHER)
