"""The viewer's pairings: who, when, a conversation starter, and "did you meet?"."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError, model_validator

from connectwell.core import times
from connectwell.core.db import utcnow
from connectwell.people import service as people
from connectwell.programs import answers, intros
from connectwell.programs.schemas import Answer
from connectwell.programs.service import ProgramError, ProgramNotFound
from connectwell.web.deps import CSRF, DB, AppSettings, PageViewer
from connectwell.web.forms import PageForm, plain_problems, read_form
from connectwell.web.templating import render

router = APIRouter()


@router.get("/pairings")
def pairings(request: Request, session: DB, viewer: PageViewer) -> Response:
    groups = answers.my_pairings(session, viewer.person, limit=50)
    return render(request, "pairings.html", {"groups": groups}, session=session)


def _pairing_page(
    request: Request,
    session: DB,
    viewer: PageViewer,
    group_id: int,
    *,
    status_code: int = 200,
    **extra: object,
) -> Response:
    group, member = answers.group_for(session, group_id, viewer.person)
    mine = viewer.person.timezone
    others = [m.person for m in group.members if m.person_id != viewer.person.id]
    return render(
        request,
        "pairing.html",
        {
            "group": group,
            "member": member,
            "others": others,
            "paths": people.team_paths(session),
            "slot_start": times.local(group.slot_start, mine),
            "slot_end": times.local(group.slot_end, mine),
            # The same slot in each colleague's own zone, when theirs is not the viewer's.
            "their_slots": [
                (
                    other,
                    times.local(group.slot_start, other.timezone),
                    times.local(group.slot_end, other.timezone),
                )
                for other in others
                if times.zone(other.timezone) != times.zone(mine)
            ],
            "form": extra.pop("form", PageForm()),
            "move_form": extra.pop("move_form", PageForm()),
            **extra,
        },
        session=session,
        status_code=status_code,
    )


@router.get("/pairings/{group_id}")
def pairing(request: Request, session: DB, viewer: PageViewer, group_id: int) -> Response:
    return _pairing_page(request, session, viewer, group_id)


class AnswerForm(BaseModel):
    """The "did you meet?" form: yes or no, then three taps from 1 to 5 and a note."""

    met: Literal["yes", "no"] | None = None
    positive_regard: Annotated[int, Field(ge=1, le=5)] | None = None
    mutuality: Annotated[int, Field(ge=1, le=5)] | None = None
    vitality: Annotated[int, Field(ge=1, le=5)] | None = None
    private_note: Annotated[str, Field(max_length=2000)] = ""

    @model_validator(mode="after")
    def _said(self) -> AnswerForm:
        if self.met is None:
            raise ValueError("met: say whether you met")
        return self


ANSWER_LABELS = {
    "positive_regard": "positive regard score",
    "mutuality": "mutuality score",
    "vitality": "vitality score",
}


@router.post("/pairings/{group_id}/answer", dependencies=[CSRF])
async def answer(
    request: Request, session: DB, settings: AppSettings, viewer: PageViewer, group_id: int
) -> Response:
    form = await read_form(request, AnswerForm, labels=ANSWER_LABELS)
    if form.data is not None:
        sent = form.data.model_dump()
        try:
            data = Answer.model_validate({**sent, "met": sent["met"] == "yes"})
            answers.answer(
                session, group_id, viewer.person, data, utcnow().date(), settings=settings
            )
        except ValidationError as error:  # the check-in's rules: all three taps, after a meeting
            for name, message in plain_problems(error.errors(), Answer).items():
                form.add("positive_regard" if name == "check-in" else name, message)
        except answers.AnswerError as error:
            session.rollback()
            form.refuse(error)
        else:
            return RedirectResponse(f"/pairings/{group_id}?saved=1", status.HTTP_303_SEE_OTHER)
    return _pairing_page(
        request, session, viewer, group_id, form=form, status_code=form.status_code
    )


class MoveForm(BaseModel):
    start: dt.datetime = Field(title="new time")


@router.post("/pairings/{group_id}/reschedule", dependencies=[CSRF])
async def reschedule(
    request: Request, session: DB, settings: AppSettings, viewer: PageViewer, group_id: int
) -> Response:
    """Move the slot (a time in the viewer's own time zone); everyone gets the updated invite."""
    form = await read_form(request, MoveForm)
    if form.data is not None:
        local = form.data.start
        if local.tzinfo is None:
            local = local.replace(tzinfo=times.zone(viewer.person.timezone))
        try:
            intros.reschedule(session, group_id, viewer.person, local, settings)
        except ProgramNotFound:
            raise
        except ProgramError as error:
            session.rollback()
            form.refuse(error)
        else:
            return RedirectResponse(f"/pairings/{group_id}?moved=1", status.HTTP_303_SEE_OTHER)
    return _pairing_page(
        request, session, viewer, group_id, move_form=form, status_code=form.status_code
    )


@router.get("/pairings/{group_id}/invite.ics")
def invite(session: DB, settings: AppSettings, viewer: PageViewer, group_id: int) -> Response:
    group, _ = answers.group_for(session, group_id, viewer.person)
    return Response(
        intros.invite_for(group, settings, utcnow()),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="connectwell-invite.ics"'},
    )
