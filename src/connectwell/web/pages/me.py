"""The viewer's own profile: what they write, their pause, and what is stored about them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from connectwell.accounts import service as accounts
from connectwell.core import notify
from connectwell.people import service as people
from connectwell.people.schemas import PauseIn, ProfileUpdate
from connectwell.web.deps import CSRF, DB, PageViewer
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
            **extra,
        },
        session=session,
        status_code=status_code,
    )


@router.get("/me")
def me(request: Request, session: DB, viewer: PageViewer) -> Response:
    return _me_page(request, session, viewer)


@router.post("/me", dependencies=[CSRF])
def update_me(
    request: Request,
    session: DB,
    viewer: PageViewer,
    bio: Annotated[str, Form(max_length=5000)] = "",
    interests: Annotated[str, Form(max_length=2000)] = "",
    work_start: Annotated[str, Form(max_length=8)] = "",
    work_end: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    items = [item.strip() for item in interests.replace(";", ",").split(",") if item.strip()]
    hours = {"work_start": work_start, "work_end": work_end} if work_start or work_end else {}
    try:
        changes = ProfileUpdate.model_validate({"bio": bio, "interests": items, **hours})
    except ValidationError as error:
        problem = error.errors()[0]
        field = str(problem["loc"][0]) if problem["loc"] else "work_end"
        return _me_page(
            request,
            session,
            viewer,
            error=f"{field}: {problem['msg']}",
            error_field=field,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    people.update_profile(session, viewer.person, changes)
    return RedirectResponse("/me?saved=profile", status.HTTP_303_SEE_OTHER)


@router.post("/me/pause", dependencies=[CSRF])
def pause(
    request: Request,
    session: DB,
    viewer: PageViewer,
    until: Annotated[dt.date, Form()],
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        people.pause(
            session, viewer.person, PauseIn(until=until, reason=reason), today=dt.date.today()
        )
    except people.PeopleError as error:
        return _me_page(
            request,
            session,
            viewer,
            error=f"Pause: {error.message}",
            error_field="until",
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return RedirectResponse("/me?saved=pause", status.HTTP_303_SEE_OTHER)


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
