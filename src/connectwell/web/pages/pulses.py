"""Pulses as people answer them: sixty seconds, anonymous."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from connectwell.pulses import service as pulses
from connectwell.pulses.schemas import PulseAnswer
from connectwell.web.deps import CSRF, DB, PageViewer
from connectwell.web.templating import render

router = APIRouter()
SCALE = (
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither"),
    (4, "Agree"),
    (5, "Strongly agree"),
)


@router.get("/pulses")
def my_pulses(request: Request, session: DB, viewer: PageViewer) -> Response:
    rounds = pulses.open_rounds_for(session, viewer.person, dt.date.today())
    return render(request, "pulses.html", {"rounds": rounds}, session=session)


def _round_page(
    request: Request,
    session: DB,
    viewer: PageViewer,
    round_id: int,
    *,
    status_code: int = 200,
    **extra: object,
) -> Response:
    found = pulses.round_for(session, viewer.person, round_id, dt.date.today())
    return render(
        request,
        "pulse.html",
        {"open": found, "scale": SCALE, **extra},
        session=session,
        status_code=status_code,
    )


@router.get("/pulses/{round_id}")
def pulse_page(request: Request, session: DB, viewer: PageViewer, round_id: int) -> Response:
    return _round_page(request, session, viewer, round_id)


@router.post("/pulses/{round_id}", dependencies=[CSRF])
async def answer(request: Request, session: DB, viewer: PageViewer, round_id: int) -> Response:
    form = await request.form()
    answers: dict[int, int | None] = {}
    for key, value in form.items():
        if key.startswith("item-") and isinstance(value, str) and value:
            answers[int(key.removeprefix("item-"))] = int(value) if value.isdigit() else 0
    comment = form.get("comment")
    try:
        data = PulseAnswer(answers=answers, comment=comment if isinstance(comment, str) else "")
        pulses.answer(session, viewer.person, round_id, data, dt.date.today())
    except ValidationError:
        session.rollback()
        return _round_page(
            request,
            session,
            viewer,
            round_id,
            error="Each answer is a choice from 1 to 5.",
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    except pulses.PulseNotFound:
        raise
    except pulses.PulseError as error:
        session.rollback()
        return _round_page(
            request,
            session,
            viewer,
            round_id,
            error=error.message,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return RedirectResponse(f"/pulses/{round_id}?thanks=1", status.HTTP_303_SEE_OTHER)
