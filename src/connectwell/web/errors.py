"""Errors as the web shows them: one status per kind, an error page or an RFC 9457 problem.

Domains raise the kinds of :mod:`connectwell.core.errors`; this module is the one place that
turns a kind into an HTTP status (:data:`STATUS`). Pages get ``error.html`` with that status;
``/api/`` paths get ``application/problem+json`` (RFC 9457) with the members ``type``
(``about:blank``: the status says it all), ``title``, ``status``, ``detail`` and the extensions
``field`` (the field the refusal concerns) and, for request validation, ``problems`` (one
``{"field", "message"}`` entry per problem)::

    {"type": "about:blank", "title": "Not Found", "status": 404,
     "detail": "no goal 7", "field": "goal"}

The ``HTTPException`` that ``deps`` raise (401, 403) and Starlette's own 404 and 405 take the
same two shapes.
"""

from __future__ import annotations

import dataclasses
import logging
from http import HTTPStatus
from typing import Any

import sqlalchemy.exc
from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from connectwell.accounts import service as accounts
from connectwell.core import notify
from connectwell.core.db.transient import RETRY_AFTER_SECONDS, is_transient
from connectwell.core.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound, kind_of
from connectwell.people import service as people
from connectwell.web.deps import SESSION_COOKIE, NotSignedIn, Viewer, csrf_token
from connectwell.web.forms import REQUEST_PARTS, placed, plain_problems
from connectwell.web.templating import templates

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

# The one table from a kind to its HTTP status.
STATUS: dict[type[DomainError], int] = {
    Invalid: status.HTTP_422_UNPROCESSABLE_CONTENT,
    NotFound: status.HTTP_404_NOT_FOUND,
    NotAllowed: status.HTTP_403_FORBIDDEN,
    Conflict: status.HTTP_409_CONFLICT,
}

# RFC 9110's names, fixed here so a problem's title does not change with the Python version.
TITLES = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    422: "Unprocessable Content",
    429: "Too Many Requests",
}


# The problem document as the OpenAPI document declares it (components/schemas/Problem).
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem: why the request was refused.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "example": "about:blank"},
        "title": {"type": "string", "example": "Not Found"},
        "status": {"type": "integer", "example": 404},
        "detail": {"type": "string", "example": "no goal 7"},
        "field": {"type": "string", "description": "The field the refusal concerns"},
        "problems": {
            "type": "array",
            "description": "Every problem of a refused request, by field (and row)",
            "items": {"type": "object"},
        },
    },
}


def problem_response(description: str) -> dict[str, Any]:
    """An OpenAPI response of a route's ``responses=``: a problem, in these words."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {PROBLEM_JSON: {"schema": schema}}}


# What any /api/v1 operation may answer besides its own success (FastAPI's default 422, a
# body nothing here sends, is replaced by the problem the app does send).
API_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: problem_response("The body could not be read (it is not JSON, or not UTF-8)"),
    401: problem_response("No sign-in and no valid API token"),
    403: problem_response("Not allowed for you (or a sign-in session without the CSRF header)"),
    404: problem_response("Nothing of that id that you may see"),
    409: problem_response("Refused as things stand (answered already, a name taken...)"),
    422: problem_response("The request is not valid: every problem, by field"),
}


def document_problems(app: FastAPI) -> None:
    """Add the Problem schema that :data:`API_PROBLEMS` refers to to ``app``'s OpenAPI."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = (
                PROBLEM_SCHEMA
            )
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def status_for(error: DomainError) -> int:
    """The HTTP status of a domain error: its kind's, from :data:`STATUS`."""
    return STATUS[kind_of(error)]


def title_for(code: int) -> str:
    return TITLES.get(code) or HTTPStatus(code).phrase


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def problem(
    code: int,
    detail: str,
    *,
    field: str | None = None,
    problems: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """An RFC 9457 problem details response (``application/problem+json``)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title_for(code),
        "status": code,
        "detail": detail,
    }
    if field:
        body["field"] = field
    if problems is not None:
        body["problems"] = problems
    return JSONResponse(body, status_code=code, headers=headers, media_type=PROBLEM_JSON)


def error_response(
    request: Request,
    code: int,
    detail: str,
    *,
    field: str | None = None,
    problems: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error page for a page, a problem for the API."""
    if not wants_html(request):
        return problem(code, detail, field=field, problems=problems, headers=headers)
    context: dict[str, Any] = {
        "code": code,
        "message": detail,
        "viewer": getattr(request.state, "viewer", None),
        "csrf_token": csrf_token(request),
    }
    if code < 500:  # a server or database in trouble is not asked again for the menu's needs
        context.update(_page_frame(request, context["viewer"]))
    return templates.TemplateResponse(
        request, "error.html", context, status_code=code, headers=headers
    )


def _page_frame(request: Request, viewer: Viewer | None) -> dict[str, Any]:
    """What the site menu needs (the viewer, the unread count), so that an error page still
    shows where to go. A route's viewer is at hand; an address no route serves (a 404 of
    Starlette's own) ran no dependency, so the sign-in cookie is read here. Without a
    working database the page goes without a menu rather than fail again."""
    frame: dict[str, Any] = {"viewer": viewer, "unread": 0}
    factory = getattr(request.app.state, "session_factory", None)
    if factory is None:
        return frame
    session: Session = factory()
    try:
        if viewer is None and request.cookies.get(SESSION_COOKIE):
            person = accounts.person_for_session(session, request.cookies[SESSION_COOKIE])
            if person is not None:
                viewer = Viewer(person, "session", people.led_team_ids(session, person.id))
        if viewer is not None:
            frame["unread"] = notify.unread_count(session, viewer.person.id)
    except SQLAlchemyError:
        log.warning("the error page goes without its menu: the database did not answer")
        viewer = None
    finally:
        session.close()  # not a rollback: that would expire the viewer the page reads
    frame["viewer"] = viewer
    return frame


def _problems_of(error: DomainError) -> list[dict[str, Any]] | None:
    """The per-row problems an error carries (a refused roster), as plain dictionaries."""
    found = getattr(error, "problems", None)
    if not found:
        return None
    return [
        dataclasses.asdict(p)
        for p in found
        if dataclasses.is_dataclass(p) and not isinstance(p, type)
    ]


async def domain_error(request: Request, error: Exception) -> Response:
    """Any domain error, by its kind."""
    assert isinstance(error, DomainError)
    return error_response(
        request,
        status_for(error),
        error.message,
        field=error.field,
        problems=_problems_of(error),
    )


async def http_error(request: Request, error: Exception) -> Response:
    """``HTTPException`` from routes and deps, and Starlette's own 404 and 405."""
    assert isinstance(error, StarletteHTTPException)
    return error_response(
        request, error.status_code, str(error.detail), headers=dict(error.headers or {})
    )


async def invalid_request(request: Request, error: Exception) -> Response:
    """A request that FastAPI's validation refused: every problem, by field."""
    assert isinstance(error, RequestValidationError)
    problems = []
    for item in error.errors():
        path, message = placed(item, REQUEST_PARTS)  # a validator's own words, by field
        problems.append({"field": ".".join(path), "message": message})
    code = status.HTTP_422_UNPROCESSABLE_CONTENT
    if wants_html(request):  # a person reads plain words, never pydantic's
        words = plain_problems(error.errors(), skip=REQUEST_PARTS)
        return error_response(request, code, " ".join(words.values()))
    first = problems[0]["field"] if problems else None
    return problem(code, "invalid request", field=first, problems=problems)


async def database_error(request: Request, error: Exception) -> Response:
    """No free database connection within the pool's wait, or the database refused or lost
    the connection, a lock waited too long, a deadlock (see :mod:`connectwell.core.db.transient`):
    a 503 that asks the client to try again shortly. Logged by the error's class only: its
    text can hold a statement's parameters, which may name someone.

    Any other database error (a missing table, a bad statement) is no reason to retry: it is
    raised again and answered as a 500, logged with its traceback (the engine hides the
    parameters of its statements, :func:`connectwell.core.db.make_engine`).
    """
    if not is_transient(error):
        raise error
    cause = getattr(error, "orig", None) or error
    log.warning("database busy or unavailable: %s", type(cause).__name__)
    return error_response(
        request,
        status.HTTP_503_SERVICE_UNAVAILABLE,
        "connectwell is busy right now; try again in a few seconds.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def not_signed_in(request: Request, error: Exception) -> Response:
    """A page that needs a viewer sends the browser to sign in, then back."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={target}", status.HTTP_303_SEE_OTHER)


def install_error_handlers(app: FastAPI) -> None:
    """One handler per kind (and for a bare ``DomainError``), plus HTTP and validation errors.

    Starlette picks the handler of the first class in an error's method resolution order, so
    ``class GoalNotFound(NotFound, GoalError)`` is served by the ``NotFound`` handler.
    """
    for kind in (*STATUS, DomainError):
        app.add_exception_handler(kind, domain_error)
    # Starlette's own class: it also raises the 404 and 405 of unknown paths and methods.
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(NotSignedIn, not_signed_in)
    # A pool that waited in vain, and an unreachable or restarting database (the handler
    # raises any other OperationalError again: a 500).
    app.add_exception_handler(sqlalchemy.exc.TimeoutError, database_error)
    app.add_exception_handler(sqlalchemy.exc.OperationalError, database_error)
