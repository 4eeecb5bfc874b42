"""Sign in, sign out, and set a password from an e-mailed link."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response

from connectwell.accounts import service as accounts
from connectwell.people.models import Person
from connectwell.web.deps import CSRF, DB, SESSION_COOKIE, AppSettings, optional_viewer
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
    return render(request, "login.html", {"next": _safe_next(next), "email": ""})


@router.post("/login", dependencies=[CSRF])
def login(
    request: Request,
    session: DB,
    settings: AppSettings,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    address = request.client.host if request.client else "unknown"
    try:
        person = accounts.authenticate(session, email, password, address=address, settings=settings)
    except accounts.TooManyAttempts as error:
        session.commit()
        response = render(
            request,
            "login.html",
            {"error": error.message, "next": _safe_next(next), "email": email},
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        )
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    except accounts.WrongCredentials as error:
        session.commit()  # keep the failure: it counts towards the slow-down
        return render(
            request,
            "login.html",
            {"error": error.message, "next": _safe_next(next), "email": email},
            status_code=status.HTTP_401_UNAUTHORIZED,
        )
    return _signed_in(request, session, settings, person, _safe_next(next))


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


@router.get("/password/forgot")
def forgot_page(request: Request) -> Response:
    return render(request, "password_forgot.html", {})


@router.post("/password/forgot", dependencies=[CSRF])
def forgot(
    request: Request,
    session: DB,
    settings: AppSettings,
    email: Annotated[str, Form(max_length=254)],
) -> Response:
    accounts.request_reset(session, email, settings)
    # The same answer whether or not the address has an account.
    return render(request, "password_forgot.html", {"sent": True})


@router.get("/password/{secret}")
def password_page(request: Request, session: DB, secret: str) -> Response:
    try:
        link = accounts.person_for_password_link(session, secret)
    except accounts.AccountError as error:
        return render(
            request,
            "password_set.html",
            {"error": error.message, "expired": True},
            status_code=status.HTTP_410_GONE,
        )
    return render(request, "password_set.html", {"person": link.person, "secret": secret})


@router.post("/password/{secret}", dependencies=[CSRF])
def set_password(
    request: Request,
    session: DB,
    settings: AppSettings,
    secret: str,
    password: Annotated[str, Form(max_length=1024)],
    confirm: Annotated[str, Form(max_length=1024)],
) -> Response:
    try:
        link = accounts.person_for_password_link(session, secret)
        if password != confirm:
            raise accounts.AccountError("confirm", "The two passwords are not the same.")
        person = accounts.use_password_link(session, secret, password)
    except accounts.AccountError as error:
        session.rollback()
        expired = error.field == "link"
        return render(
            request,
            "password_set.html",
            {
                "error": error.message,
                "field": error.field,
                "expired": expired,
                "person": None if expired else link.person,
                "secret": secret,
            },
            status_code=status.HTTP_410_GONE if expired else status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return _signed_in(request, session, settings, person, "/")
