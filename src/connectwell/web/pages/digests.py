"""The weekly digest: unsubscribe links (also the one-click POST of mail clients), the
viewer's own subscription, and each team's day and hour."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from connectwell.digests import service as digests
from connectwell.people import service as people
from connectwell.web.deps import CSRF, DB, AppSettings, PageViewer, optional_viewer
from connectwell.web.forms import PageForm, read_form
from connectwell.web.templating import render

router = APIRouter()


@router.get("/digest/unsubscribe/{token}")
def unsubscribe_page(request: Request, session: DB, settings: AppSettings, token: str) -> Response:
    """The link in every digest: a confirmation page with one button (nothing changes on GET,
    so a mail scanner that follows links does not unsubscribe anyone)."""
    optional_viewer(request, session)
    person = digests.person_for_token(session, settings, token)
    return render(
        request,
        "digest_unsubscribe.html",
        {"person": person, "token": token, "done": False,
         "subscribed": digests.is_subscribed(session, person.id)},
        session=session,
    )  # fmt: skip


@router.post("/digest/unsubscribe/{token}")
def unsubscribe(request: Request, session: DB, settings: AppSettings, token: str) -> Response:
    """Unsubscribe. The signed token is the permission, so no sign-in and no CSRF token: this
    is also the target of the one-click ``List-Unsubscribe-Post`` of mail clients."""
    optional_viewer(request, session)
    person = digests.person_for_token(session, settings, token)
    digests.unsubscribe(session, person)
    return render(
        request,
        "digest_unsubscribe.html",
        {"person": person, "token": token, "done": True, "subscribed": False},
        session=session,
    )


@router.get("/me/digest")
def my_digest(request: Request, session: DB, viewer: PageViewer) -> Response:
    person = viewer.person
    return render(
        request,
        "digest_me.html",
        {
            "subscribed": digests.is_subscribed(session, person.id),
            "schedule": digests.schedule_for(session, person.team_id),
            "deliveries": digests.deliveries(session, person.id),
            "person": person,
        },
        session=session,
    )


@router.post("/me/digest", dependencies=[CSRF])
def set_my_digest(
    session: DB, viewer: PageViewer, subscribed: Annotated[bool, Form()] = False
) -> Response:
    if subscribed:
        digests.resubscribe(session, viewer.person)
    else:
        digests.unsubscribe(session, viewer.person)
    outcome = "subscribed" if subscribed else "unsubscribed"
    return RedirectResponse(f"/me/digest?saved={outcome}", status.HTTP_303_SEE_OTHER)


def _team_digest_page(
    request: Request,
    session: DB,
    viewer: PageViewer,
    team_id: int,
    *,
    status_code: int = 200,
    **extra: object,
) -> Response:
    team = people.get_team(session, team_id)
    if not digests.may_set_schedule(session, viewer.person, team.id):
        raise digests.DigestNotAllowed("team_id", "only the team's leads and admins choose this")
    return render(
        request,
        "digest_team.html",
        {
            "team": team,
            "path": people.team_paths(session)[team.id],
            "schedule": digests.schedule_for(session, team.id),
            "form": extra.pop("form", PageForm()),
            **extra,
        },
        session=session,
        status_code=status_code,
    )


@router.get("/teams/{team_id}/digest")
def team_digest(request: Request, session: DB, viewer: PageViewer, team_id: int) -> Response:
    return _team_digest_page(request, session, viewer, team_id)


class ScheduleForm(BaseModel):
    weekday: int = Field(title="day")
    local_hour: int = Field(title="hour")


@router.post("/teams/{team_id}/digest", dependencies=[CSRF])
async def set_team_digest(
    request: Request, session: DB, viewer: PageViewer, team_id: int
) -> Response:
    form = await read_form(request, ScheduleForm)
    if form.data is not None:
        try:
            digests.set_schedule(
                session, viewer.person, team_id, form.data.weekday, form.data.local_hour
            )
        except (digests.DigestNotFound, digests.DigestNotAllowed):
            raise
        except digests.DigestError as error:
            session.rollback()
            form.refuse(error)
        else:
            return RedirectResponse(f"/teams/{team_id}/digest?saved=1", status.HTTP_303_SEE_OTHER)
    return _team_digest_page(
        request, session, viewer, team_id, form=form, status_code=form.status_code
    )
