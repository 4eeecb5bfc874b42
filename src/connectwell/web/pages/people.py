"""The people directory and profiles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from connectwell.people import service as people
from connectwell.web.deps import DB, PageViewer
from connectwell.web.templating import render

router = APIRouter()
PAGE_SIZE = 50


@router.get("/people")
def directory(
    request: Request,
    session: DB,
    viewer: PageViewer,
    q: Annotated[str, Query(max_length=100)] = "",
    team: int | None = None,
    after: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    page = people.list_people(session, query=q, team_id=team, after_id=after, limit=PAGE_SIZE + 1)
    context = {
        "people": page[:PAGE_SIZE],
        "next_after": page[PAGE_SIZE - 1].id if len(page) > PAGE_SIZE else None,
        "q": q,
        "team": team,
        "paths": people.team_paths(session),
    }
    if request.headers.get("hx-request"):
        return render(request, "_people_rows.html", context, session=session)
    return render(request, "people.html", context, session=session)


@router.get("/people/{person_id}")
def profile(request: Request, session: DB, viewer: PageViewer, person_id: int) -> Response:
    person = people.get_person(session, person_id, include_inactive=viewer.is_admin)
    sees_private = viewer.is_admin or viewer.person.id == person.id
    paths = people.team_paths(session)
    return render(
        request,
        "profile.html",
        {
            "person": person,
            "team_path": paths.get(person.team_id) if person.team_id else None,
            "sees_private": sees_private,
            "reports": people.direct_reports(session, person.id),
        },
        session=session,
    )
