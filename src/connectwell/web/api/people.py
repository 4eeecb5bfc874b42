"""/api/v1/people: the directory; private fields only for the person and admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from connectwell.core.ids import MAX_ID
from connectwell.people import service as people
from connectwell.people.schemas import PeoplePage, PersonOut, PersonPrivateOut
from connectwell.web.api.presenters import person_out
from connectwell.web.deps import DB, ApiViewer, PathId, QueryId

router = APIRouter()


@router.get("", response_model=PeoplePage)
def list_people(
    session: DB,
    viewer: ApiViewer,
    q: Annotated[str, Query(max_length=100, description="Part of a name or e-mail")] = "",
    team_id: QueryId = None,
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="The next_after of the previous page")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PeoplePage:
    page = people.list_people(session, query=q, team_id=team_id, after_id=after, limit=limit + 1)
    paths = people.team_paths(session)
    return PeoplePage(
        items=[person_out(person, paths) for person in page[:limit]],
        next_after=page[limit - 1].id if len(page) > limit else None,
    )


@router.get("/{person_id}", response_model=PersonPrivateOut | PersonOut)
def get_person(session: DB, viewer: ApiViewer, person_id: PathId) -> PersonOut:
    """A colleague's profile; your own (and, for admins, anyone's) with the private fields."""
    person = people.get_person(session, person_id, include_inactive=viewer.is_admin)
    private = viewer.is_admin or person.id == viewer.person.id
    is_lead = bool(people.led_team_ids_by_person(session, [person.id]).get(person.id))
    return person_out(person, people.team_paths(session), private=private, is_lead=is_lead)
