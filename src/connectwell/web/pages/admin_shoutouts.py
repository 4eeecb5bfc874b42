"""Admin pages for shout-outs: the organisation's values."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from connectwell.shoutouts import service, values
from connectwell.web.deps import CSRF, DB, PageAdmin
from connectwell.web.forms import PageForm, read_form
from connectwell.web.templating import render

router = APIRouter(prefix="/admin")


def _values_page(
    request: Request, session: DB, *, status_code: int = 200, **extra: object
) -> Response:
    return render(
        request,
        "admin/values.html",
        {
            "values": values.list_values(session, active_only=False),
            "form": extra.pop("form", PageForm()),
            **extra,
        },
        session=session,
        status_code=status_code,
    )


@router.get("/values")
def values_page(request: Request, session: DB, viewer: PageAdmin) -> Response:
    return _values_page(request, session)


class ValueForm(BaseModel):
    name: Annotated[str, Field(max_length=200)] = ""
    description: Annotated[str, Field(max_length=1000)] = ""


@router.post("/values", dependencies=[CSRF])
async def add_value(request: Request, session: DB, viewer: PageAdmin) -> Response:
    form = await read_form(request, ValueForm)
    if form.data is not None:
        try:
            values.add_value(session, form.data.name, form.data.description, actor=viewer.person)
        except service.ShoutOutError as error:
            session.rollback()
            form.refuse(error)
        else:
            return RedirectResponse("/admin/values?saved=added", status.HTTP_303_SEE_OTHER)
    return _values_page(request, session, form=form, status_code=form.status_code)


@router.post("/values/{value_id}/retire", dependencies=[CSRF])
def retire_value(session: DB, viewer: PageAdmin, value_id: int) -> Response:
    """A retired value stays on the shout-outs that named it; nobody can choose it any more."""
    values.retire_value(session, value_id, actor=viewer.person)
    return RedirectResponse("/admin/values?saved=retired", status.HTTP_303_SEE_OTHER)
