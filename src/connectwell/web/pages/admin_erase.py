"""Admin: erase a person's personal data (confirmed by typing their e-mail; audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from connectwell import erasure
from connectwell.people import service as people
from connectwell.people.models import Person
from connectwell.web.deps import CSRF, DB, PageAdmin
from connectwell.web.forms import PageForm, read_form
from connectwell.web.templating import render

router = APIRouter(prefix="/admin/people")


class EraseForm(BaseModel):
    confirm_email: Annotated[str, Field(max_length=254, title="their e-mail")]


def _page(
    request: Request, session: DB, person: Person, form: PageForm[EraseForm], status_code: int = 200
) -> Response:
    context = {"person": person, "form": form, "erased": erasure.is_erased(person)}
    return render(request, "admin/erase.html", context, session=session, status_code=status_code)


@router.get("/{person_id}/erase")
def erase_page(request: Request, session: DB, viewer: PageAdmin, person_id: int) -> Response:
    person = people.get_person(session, person_id, include_inactive=True)
    return _page(request, session, person, PageForm())


@router.post("/{person_id}/erase", dependencies=[CSRF])
async def erase(request: Request, session: DB, viewer: PageAdmin, person_id: int) -> Response:
    person = people.get_person(session, person_id, include_inactive=True)
    form = await read_form(request, EraseForm)
    if form.data is not None:
        typed = form.data.confirm_email.strip().lower()
        if typed != person.email.lower():
            form.add("confirm_email", "Type the person's e-mail exactly to confirm")
        else:
            try:
                done = erasure.erase_person(session, person, actor=viewer.person)
            except erasure.ErasureError as error:
                session.rollback()
                form.refuse(error)
            else:
                return render(
                    request, "admin/erase.html",
                    {"person": person, "form": PageForm(), "erased": True, "done": done},
                    session=session,
                )  # fmt: skip
    return _page(request, session, person, form, form.status_code)
