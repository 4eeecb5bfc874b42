"""The viewer's pairings: who, when, a conversation starter, and "did you meet?"."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from connectwell.core.db import utcnow
from connectwell.people import service as people
from connectwell.programs import answers, intros
from connectwell.programs.schemas import Answer
from connectwell.programs.service import ProgramError, ProgramNotFound
from connectwell.web.deps import CSRF, DB, AppSettings, PageViewer
from connectwell.web.templating import render

router = APIRouter()


@router.get("/pairings")
def pairings(request: Request, session: DB, viewer: PageViewer) -> Response:
    groups = answers.my_groups(session, viewer.person, limit=50)
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
    zone = ZoneInfo(viewer.person.timezone)
    return render(
        request,
        "pairing.html",
        {
            "group": group,
            "member": member,
            "others": [m.person for m in group.members if m.person_id != viewer.person.id],
            "paths": people.team_paths(session),
            "slot_start": group.slot_start.astimezone(zone),
            "slot_end": group.slot_end.astimezone(zone),
            **extra,
        },
        session=session,
        status_code=status_code,
    )


@router.get("/pairings/{group_id}")
def pairing(request: Request, session: DB, viewer: PageViewer, group_id: int) -> Response:
    return _pairing_page(request, session, viewer, group_id)


@router.post("/pairings/{group_id}/answer", dependencies=[CSRF])
def answer(
    request: Request,
    session: DB,
    viewer: PageViewer,
    group_id: int,
    met: Annotated[str, Form()] = "",
    positive_regard: Annotated[str, Form()] = "",
    mutuality: Annotated[str, Form()] = "",
    vitality: Annotated[str, Form()] = "",
    private_note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        if met not in ("yes", "no"):
            raise answers.AnswerError("met", "say whether you met")
        data = Answer(
            met=met == "yes",
            positive_regard=int(positive_regard) if positive_regard else None,
            mutuality=int(mutuality) if mutuality else None,
            vitality=int(vitality) if vitality else None,
            private_note=private_note,
        )
        answers.answer(session, group_id, viewer.person, data, dt.date.today())
    except (ValidationError, ValueError, answers.AnswerError) as error:
        session.rollback()
        message = (
            error.message
            if isinstance(error, answers.AnswerError)
            else "; ".join(e["msg"].removeprefix("Value error, ") for e in error.errors())
            if isinstance(error, ValidationError)
            else "scores are whole numbers from 1 to 5"
        )
        return _pairing_page(
            request,
            session,
            viewer,
            group_id,
            error=message,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return RedirectResponse(f"/pairings/{group_id}?saved=1", status.HTTP_303_SEE_OTHER)


@router.post("/pairings/{group_id}/reschedule", dependencies=[CSRF])
def reschedule(
    request: Request,
    session: DB,
    settings: AppSettings,
    viewer: PageViewer,
    group_id: int,
    start: Annotated[str, Form()],
) -> Response:
    """Move the slot (a time in the viewer's own time zone); everyone gets the updated invite."""
    try:
        local = dt.datetime.fromisoformat(start)
        if local.tzinfo is None:
            local = local.replace(tzinfo=ZoneInfo(viewer.person.timezone))
        intros.reschedule(session, group_id, viewer.person, local, settings)
    except ValueError:
        session.rollback()
        return _pairing_page(
            request,
            session,
            viewer,
            group_id,
            move_error="start: not a date and time",
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    except ProgramError as error:
        if isinstance(error, ProgramNotFound):
            raise
        session.rollback()
        return _pairing_page(
            request,
            session,
            viewer,
            group_id,
            move_error=f"{error.field}: {error.message}",
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return RedirectResponse(f"/pairings/{group_id}?moved=1", status.HTTP_303_SEE_OTHER)


@router.get("/pairings/{group_id}/invite.ics")
def invite(session: DB, settings: AppSettings, viewer: PageViewer, group_id: int) -> Response:
    group, _ = answers.group_for(session, group_id, viewer.person)
    return Response(
        intros.invite_for(group, settings, utcnow()),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="connectwell-invite.ics"'},
    )
