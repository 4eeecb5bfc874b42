"""Admin pages: the roster, API tokens, and the development outbox."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from connectwell.accounts import service as accounts
from connectwell.core import notify
from connectwell.core.notify.dev_outbox import outbox_lines
from connectwell.people import roster
from connectwell.people import service as people
from connectwell.web.deps import CSRF, DB, AppSettings, PageAdmin
from connectwell.web.forms import UNPROCESSABLE, PageForm, read_form
from connectwell.web.templating import render

router = APIRouter(prefix="/admin")
MAX_ROSTER_BYTES = 20 * 1024 * 1024


@router.get("")
def admin_home(request: Request, session: DB, settings: AppSettings, viewer: PageAdmin) -> Response:
    context = {"smtp": settings.smtp_configured}
    return render(request, "admin/index.html", context, session=session)


@router.get("/roster")
def roster_page(request: Request, session: DB, viewer: PageAdmin) -> Response:
    return render(request, "admin/roster.html", {"form": PageForm()}, session=session)


class RosterForm(BaseModel):
    """The upload's two checkboxes; the file itself is read as it streams in."""

    deactivate_missing: bool = False
    invite: bool = False


@router.post("/roster", dependencies=[CSRF])
async def import_roster(
    request: Request, session: DB, settings: AppSettings, viewer: PageAdmin
) -> Response:
    form = await read_form(request, RosterForm)
    options = form.data or RosterForm()
    file = (await request.form()).get("file")
    if not isinstance(file, UploadFile):
        form.add("file", "Choose a CSV or Excel file to upload.")
        return render(
            request, "admin/roster.html", {"form": form}, session=session,
            status_code=UNPROCESSABLE,
        )  # fmt: skip
    content = await file.read(MAX_ROSTER_BYTES + 1)
    filename = file.filename or "roster.csv"
    try:
        if len(content) > MAX_ROSTER_BYTES:
            raise roster.RosterError(
                filename, [roster.RosterProblem(1, "file", "larger than 20 MB")]
            )
        parsed = roster.parse_roster(content, filename=filename)
        summary = roster.import_roster(
            session,
            parsed,
            deactivate_missing=options.deactivate_missing,
            actor=viewer.person,
        )
    except roster.RosterError as error:
        session.rollback()
        return render(
            request,
            "admin/roster.html",
            {"error": error, "form": form},
            session=session,
            status_code=UNPROCESSABLE,
        )
    invited = 0
    if options.invite and summary.new_people:
        new = [people.get_person(session, person_id) for person_id in summary.new_people]
        invited = accounts.invite(session, new, settings, actor=viewer.person)
    return render(
        request,
        "admin/roster.html",
        {"summary": summary, "filename": filename, "invited": invited, "form": PageForm()},
        session=session,
    )


@router.get("/roster.csv")
def export_roster(session: DB, viewer: PageAdmin, include_inactive: bool = False) -> Response:
    return Response(
        roster.export_roster(session, include_inactive=include_inactive),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="roster.csv"'},
    )


@router.get("/tokens")
def tokens_page(request: Request, session: DB, viewer: PageAdmin) -> Response:
    return _tokens_page(request, session, PageForm())


def _tokens_page(
    request: Request, session: DB, form: PageForm[Any], status_code: int = 200, **extra: object
) -> Response:
    tokens = accounts.list_api_tokens(session)
    context = {"tokens": tokens, "form": form, **extra}
    return render(request, "admin/tokens.html", context, session=session, status_code=status_code)


class TokenForm(BaseModel):
    owner_email: Annotated[str, Field(max_length=254, title="owner's e-mail")]
    name: Annotated[str, Field(max_length=100, title="purpose")] = ""


@router.post("/tokens", dependencies=[CSRF])
async def create_token(request: Request, session: DB, viewer: PageAdmin) -> Response:
    form = await read_form(request, TokenForm)
    if form.data is not None:
        owner_email, name = form.data.owner_email, form.data.name
        owner = people.find_by_email(session, owner_email)
        try:
            if owner is None:
                raise accounts.AccountError("owner_email", f"nobody has the e-mail {owner_email!r}")
            new = accounts.create_api_token(
                session, owner=owner, name=name, created_by=viewer.person
            )
        except accounts.AccountError as error:
            session.rollback()
            form.refuse(error)
        else:
            return _tokens_page(request, session, PageForm(), status.HTTP_201_CREATED, new=new)
    return _tokens_page(request, session, form, form.status_code)


@router.post("/tokens/{token_id}/revoke", dependencies=[CSRF])
def revoke_token(session: DB, viewer: PageAdmin, token_id: int) -> Response:
    accounts.revoke_api_token(session, token_id, actor=viewer.person)
    return RedirectResponse("/admin/tokens", status.HTTP_303_SEE_OTHER)


@router.get("/outbox")
def outbox(request: Request, session: DB, settings: AppSettings, viewer: PageAdmin) -> Response:
    """The development outbox: only while SMTP is not configured, and never with a secret.

    With SMTP configured mail goes out by e-mail and there is nothing to read here: the page
    is a 404, so its bodies (once a way into any account through ``/password/forgot``) are
    not kept within an admin's reach. What it shows of each kind of message is decided, and
    justified, in :mod:`connectwell.core.notify.dev_outbox`.
    """
    if settings.smtp_configured:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            "There is no outbox to read: SMTP is configured, so connectwell sends its mail "
            "by e-mail. The outbox is only for installs without SMTP.",
        )
    lines = outbox_lines(notify.outbox(session, limit=200))
    return render(request, "admin/outbox.html", {"lines": lines}, session=session)
