"""Pulses as people answer them: sixty seconds, anonymous."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError

from connectwell.core.db import utcnow
from connectwell.pulses import service as pulses
from connectwell.pulses.schemas import PulseAnswer
from connectwell.web.deps import CSRF, DB, AppSettings, PageViewer
from connectwell.web.forms import PageForm, placed, read_form
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
    rounds = pulses.open_rounds_for(session, viewer.person, utcnow().date())
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
    found = pulses.round_for(session, viewer.person, round_id, utcnow().date())
    return render(
        request,
        "pulse.html",
        {"open": found, "scale": SCALE, "form": extra.pop("form", PageForm()), **extra},
        session=session,
        status_code=status_code,
    )


@router.get("/pulses/{round_id}")
def pulse_page(request: Request, session: DB, viewer: PageViewer, round_id: int) -> Response:
    return _round_page(request, session, viewer, round_id)


class CommentForm(BaseModel):
    """The pulse form's comment; the answers are its ``item-<id>`` radio groups."""

    comment: Annotated[str, Field(max_length=2000)] = ""


CHOOSE = "Choose one of the five answers, from 1 to 5, or skip the statement."
NOT_ASKED = "This is not a statement of this pulse: reload the page and answer again."
ITEM_FIELD = re.compile(r"item-([0-9]{1,9})")


def _answers_sent(form: PageForm[CommentForm]) -> dict[str, str | list[str]]:
    """The ``item-<id>`` radio groups answered, by item id; any other ``item-…`` field (one a
    browser never sends) is a problem beside it, not a crash."""
    sent: dict[str, str | list[str]] = {}
    for name, value in form.values.items():
        if not name.startswith("item-") or not value:
            continue
        found = ITEM_FIELD.fullmatch(name)
        if found is None:
            form.add(name, NOT_ASKED)
        else:
            sent[found.group(1)] = value
    return sent


@router.post("/pulses/{round_id}", dependencies=[CSRF])
async def answer(
    request: Request, session: DB, settings: AppSettings, viewer: PageViewer, round_id: int
) -> Response:
    form = await read_form(request, CommentForm)
    sent = _answers_sent(form)
    data: PulseAnswer | None = None
    if form.data is not None and not form.problems:
        try:
            data = PulseAnswer.model_validate({"answers": sent, "comment": form.data.comment})
        except ValidationError as error:
            for item in error.errors():  # ("answers", "<item id>"): not a choice from 1 to 5
                loc = item["loc"]
                if len(loc) > 1 and loc[0] == "answers":
                    form.add(f"item-{loc[1]}", CHOOSE)
                else:
                    where, message = placed(item)
                    form.add(where[0] if where else "comment", message)
    if data is not None:
        try:
            pulses.answer(
                session, viewer.person, round_id, data, utcnow().date(), settings=settings
            )
        except pulses.PulseNotFound:
            raise
        except pulses.PulseError as error:
            session.rollback()
            form.refuse(error)
        else:
            return RedirectResponse(f"/pulses/{round_id}?thanks=1", status.HTTP_303_SEE_OTHER)
    return _round_page(request, session, viewer, round_id, form=form, status_code=form.status_code)
