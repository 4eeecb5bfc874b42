"""The viewer's own profile: what they write, their pause, and what is stored about them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError, model_validator

from connectwell.accounts import service as accounts
from connectwell.core import notify
from connectwell.people import service as people
from connectwell.people.schemas import PauseIn, ProfileUpdate
from connectwell.web.deps import CSRF, DB, PageViewer
from connectwell.web.forms import PageForm, plain_problems, read_form
from connectwell.web.templating import render

router = APIRouter()


def _me_page(
    request: Request, session: DB, viewer: PageViewer, *, status_code: int = 200, **extra: object
) -> Response:
    paths = people.team_paths(session)
    person = viewer.person
    return render(
        request,
        "me.html",
        {
            "person": person,
            "team_path": paths.get(person.team_id) if person.team_id else None,
            "interests_text": ", ".join(person.interest_list),
            "form": extra.pop("form", PageForm()),
            "pause_form": extra.pop("pause_form", PageForm()),
            **extra,
        },
        session=session,
        status_code=status_code,
    )


@router.get("/me")
def me(request: Request, session: DB, viewer: PageViewer) -> Response:
    return _me_page(request, session, viewer)


class ProfileForm(BaseModel):
    """The profile form: interests as one line of text, working hours as two times."""

    bio: Annotated[str, Field(max_length=5000)] = ""
    interests: Annotated[str, Field(max_length=2000)] = ""
    work_start: Annotated[str, Field(max_length=8)] = ""
    work_end: Annotated[str, Field(max_length=8)] = ""

    @model_validator(mode="after")
    def _both_hours(self) -> ProfileForm:
        if self.work_start and not self.work_end:
            raise ValueError("work_end: give the end of your working hours too")
        if self.work_end and not self.work_start:
            raise ValueError("work_start: give the start of your working hours too")
        return self

    def changes(self) -> dict[str, object]:
        items = [item.strip() for item in self.interests.replace(";", ",").split(",")]
        hours = {"work_start": self.work_start, "work_end": self.work_end}
        given = {name: value for name, value in hours.items() if value}
        return {"bio": self.bio, "interests": [item for item in items if item], **given}


PROFILE_LABELS = {
    "interests": "interest",
    "work_start": "start of your working hours",
    "work_end": "end of your working hours",
    "until": "last day of the pause",
}


@router.post("/me", dependencies=[CSRF])
async def update_me(request: Request, session: DB, viewer: PageViewer) -> Response:
    form = await read_form(request, ProfileForm, labels=PROFILE_LABELS, moved={"": "work_end"})
    if form.data is not None:
        try:
            changes = ProfileUpdate.model_validate(form.data.changes())
        except ValidationError as error:
            problems = plain_problems(error.errors(), ProfileUpdate, labels=PROFILE_LABELS)
            for name, message in problems.items():
                form.add(name, message)
        else:
            people.update_profile(session, viewer.person, changes)
            return RedirectResponse("/me?saved=profile", status.HTTP_303_SEE_OTHER)
    return _me_page(request, session, viewer, form=form, status_code=form.status_code)


@router.post("/me/pause", dependencies=[CSRF])
async def pause(request: Request, session: DB, viewer: PageViewer) -> Response:
    form = await read_form(request, PauseIn, labels=PROFILE_LABELS)
    if form.data is not None:
        try:
            people.pause(session, viewer.person, form.data, today=dt.date.today())
        except people.PeopleError as error:
            form.refuse(error)
        else:
            return RedirectResponse("/me?saved=pause", status.HTTP_303_SEE_OTHER)
    return _me_page(request, session, viewer, pause_form=form, status_code=form.status_code)


@router.post("/me/resume", dependencies=[CSRF])
def resume(session: DB, viewer: PageViewer) -> Response:
    people.resume(session, viewer.person)
    return RedirectResponse("/me?saved=resume", status.HTTP_303_SEE_OTHER)


@router.get("/me/data")
def my_data(request: Request, session: DB, viewer: PageViewer) -> Response:
    person = viewer.person
    return render(
        request,
        "my_data.html",
        {
            "stored": people.stored_about(session, person),
            "sessions": accounts.sessions_of(session, person.id),
            "tokens": accounts.list_api_tokens(session, person_id=person.id),
            "notifications": notify.inbox(session, person.id, limit=1000),
        },
        session=session,
    )
