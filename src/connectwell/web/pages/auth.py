"""Sign in, sign out, and set a password from an e-mailed link."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, BackgroundTasks, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker

from connectwell.accounts import service as accounts
from connectwell.core.config import Settings
from connectwell.core.text import clean_text
from connectwell.people.models import Person
from connectwell.web.deps import CSRF, DB, SESSION_COOKIE, AppSettings, optional_viewer
from connectwell.web.forms import UNPROCESSABLE, PageForm, read_form
from connectwell.web.templating import render

router = APIRouter()


def _safe_next(target: str) -> str:
    """Only same-site paths: never redirect to another host after sign-in."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, session: DB, next: str = "/") -> Response:
    if optional_viewer(request, session):
        return RedirectResponse(_safe_next(next), status.HTTP_303_SEE_OTHER)
    return render(request, "login.html", {"next": _safe_next(next), "form": PageForm()})


class LoginForm(BaseModel):
    # A NUL would fail the look-up on PostgreSQL (a 500): refuse it like any wrong address.
    email: Annotated[str, Field(max_length=254, title="e-mail"), AfterValidator(clean_text)]
    password: Annotated[str, Field(max_length=1024)]
    next: str = "/"


def _login_again(request: Request, form: PageForm[Any], status_code: int) -> Response:
    target = _safe_next(form.value("next", "/") or "/")
    return render(request, "login.html", {"form": form, "next": target}, status_code=status_code)


@router.post("/login", dependencies=[CSRF])
async def login(request: Request, session: DB, settings: AppSettings) -> Response:
    form = await read_form(request, LoginForm)
    form.values.pop("password", None)  # never shown again
    if form.data is None:
        return _login_again(request, form, UNPROCESSABLE)
    address = request.client.host if request.client else "unknown"
    email, password = form.data.email, form.data.password
    try:
        person = await run_in_threadpool(_check, session, email, password, address, settings)
    except accounts.TooManyAttempts as error:
        form.refuse(error)
        response = _login_again(request, form, status.HTTP_429_TOO_MANY_REQUESTS)
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    except accounts.WrongCredentials as error:
        form.refuse(error)  # the attempt, committed already, stays counted as a failure
        return _login_again(request, form, status.HTTP_401_UNAUTHORIZED)
    return _signed_in(request, session, settings, person, _safe_next(form.data.next))


def _check(session: Session, email: str, password: str, address: str, settings: Settings) -> Person:
    """Count the attempt and commit it, then check the password (slow on purpose).

    Committing between the two keeps each attempt counted before its password is checked, so
    parallel requests for one account cannot check more passwords than the slow-down allows,
    and no lock is held during the check. In a worker thread: both block.
    """
    attempt = accounts.take_sign_in_attempt(session, email, address=address, settings=settings)
    session.commit()
    return accounts.check_sign_in(session, attempt, password)


def _signed_in(
    request: Request, session: DB, settings: AppSettings, person: Person, target: str
) -> Response:
    """Start a sign-in session and send the browser on with its cookie."""
    token = accounts.start_session(
        session, person, settings, user_agent=request.headers.get("user-agent", "")
    )
    response = RedirectResponse(target, status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=settings.session_days * 86400,
    )
    return response


@router.post("/logout", dependencies=[CSRF])
def logout(request: Request, session: DB) -> Response:
    if token := request.cookies.get(SESSION_COOKIE):
        accounts.end_session(session, token)
    response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    return response


class ForgotForm(BaseModel):
    # A NUL would fail the look-up on PostgreSQL, after the answer: refuse it in the answer.
    email: Annotated[str, Field(max_length=254, title="e-mail"), AfterValidator(clean_text)]


@router.get("/password/forgot")
def forgot_page(request: Request) -> Response:
    return render(request, "password_forgot.html", {"form": PageForm()})


def _send_reset_link(factory: sessionmaker[Session], email: str, settings: Settings) -> None:
    """After the answer was sent: the reset link, in its own transaction."""
    with factory.begin() as session:
        accounts.request_reset(session, email, settings)


@router.post("/password/forgot", dependencies=[CSRF])
async def forgot(request: Request, settings: AppSettings, background: BackgroundTasks) -> Response:
    form = await read_form(request, ForgotForm)
    if form.data is None:
        return render(request, "password_forgot.html", {"form": form}, status_code=UNPROCESSABLE)
    # The same answer, in the same time, whether or not the address has an account: it waits
    # for nothing that depends on the address. Looking the address up, making the link, the
    # e-mail and committing them (a measurable ~1 ms on SQLite and more on PostgreSQL) all
    # happen once the answer is sent. Lost only if the process dies in between: ask again.
    factory = request.app.state.session_factory
    background.add_task(_send_reset_link, factory, form.data.email, settings)
    return render(request, "password_forgot.html", {"sent": True, "form": form})


@router.get("/password/{secret}")
def password_page(request: Request, session: DB, secret: str) -> Response:
    try:
        link = accounts.person_for_password_link(session, secret)
    except accounts.AccountError as error:
        return render(
            request,
            "password_set.html",
            {"form": PageForm(problems={"link": error.message}), "expired": True},
            status_code=status.HTTP_410_GONE,
        )
    context = {"person": link.person, "secret": secret, "form": PageForm()}
    return render(request, "password_set.html", context)


class PasswordForm(BaseModel):
    password: Annotated[str, Field(max_length=1024, title="new password")]
    confirm: Annotated[str, Field(max_length=1024, title="same password again")]


@router.post("/password/{secret}", dependencies=[CSRF])
async def set_password(
    request: Request, session: DB, settings: AppSettings, secret: str
) -> Response:
    form = await read_form(request, PasswordForm)
    form.values.clear()  # passwords are never shown again
    try:
        link = accounts.person_for_password_link(session, secret)
        if form.data is not None:
            if form.data.password != form.data.confirm:
                raise accounts.AccountError("confirm", "The two passwords are not the same.")
            person = accounts.use_password_link(session, secret, form.data.password)
            return _signed_in(request, session, settings, person, "/")
    except accounts.AccountError as error:
        session.rollback()
        form.refuse(error)
        if error.field == "link":
            context = {"form": form, "expired": True, "secret": secret}
            return render(request, "password_set.html", context, status_code=status.HTTP_410_GONE)
    context = {"form": form, "person": link.person, "secret": secret}
    return render(request, "password_set.html", context, status_code=UNPROCESSABLE)
