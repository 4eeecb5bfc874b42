"""The app factory: settings, database, routes, error pages and security headers."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import RequestResponseEndpoint

from connectwell.accounts.service import AccountError
from connectwell.core.config import Settings, get_settings
from connectwell.core.db import make_engine, make_session_factory
from connectwell.core.db.migrate import upgrade
from connectwell.digests.service import DigestError, DigestNotAllowed, DigestNotFound
from connectwell.goals.service import GoalError, GoalNotAllowed, GoalNotFound
from connectwell.insights.service import InsightError, InsightNotAllowed
from connectwell.people.service import NotFound, PeopleError
from connectwell.programs.service import ProgramError, ProgramNotFound
from connectwell.pulses.service import PulseError, PulseNotFound
from connectwell.shoutouts.service import ShoutOutError, ShoutOutNotFound
from connectwell.web.deps import ANON_COOKIE, NotSignedIn
from connectwell.web.forms import plain_problems
from connectwell.web.routers import api_router, page_router
from connectwell.web.templating import templates

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


def create_app(
    settings: Settings | None = None,
    *,
    session_factory: sessionmaker[Session] | None = None,
    migrate: bool = True,
) -> FastAPI:
    """Build the app. Without arguments it reads the environment and migrates the database."""
    settings = settings or get_settings()
    if session_factory is None:
        engine = make_engine(settings.database_url)
        if migrate:
            upgrade(engine)
        session_factory = make_session_factory(engine)

    app = FastAPI(
        title="connectwell API",
        version="1",
        description="People, teams and you. Authenticate with your sign-in session or with "
        "a personal API token: `Authorization: Bearer cw_…`.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.session_factory = session_factory
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(page_router)
    app.include_router(api_router)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "api_docs.html", {})

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.middleware("http")
    async def security_headers(request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        new_anon = getattr(request.state, "new_anon_id", None)
        if new_anon:
            response.set_cookie(
                ANON_COOKIE,
                new_anon,
                httponly=True,
                samesite="lax",
                secure=settings.cookie_secure,
                max_age=60 * 60 * 24,
            )
        return response

    _install_error_handlers(app)
    return app


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _: NotSignedIn) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={target}", status.HTTP_303_SEE_OTHER)

    def _error(request: Request, code: int, message: str, field: str | None = None) -> Response:
        if _wants_html(request):
            return templates.TemplateResponse(
                request,
                "error.html",
                {
                    "code": code,
                    "message": message,
                    "viewer": getattr(request.state, "viewer", None),
                },
                status_code=code,
            )
        body: dict[str, object] = {"detail": message}
        if field:
            body["field"] = field
        return JSONResponse(body, status_code=code)

    # Starlette's own class: it also raises the 404 and 405 of unknown paths and methods.
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        response = _error(request, error.status_code, str(error.detail))
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound) -> Response:
        return _error(request, status.HTTP_404_NOT_FOUND, error.message, error.field)

    @app.exception_handler(PeopleError)
    async def people_error(request: Request, error: PeopleError) -> Response:
        return _error(request, status.HTTP_422_UNPROCESSABLE_CONTENT, error.message, error.field)

    @app.exception_handler(ProgramNotFound)
    async def program_not_found(request: Request, error: ProgramNotFound) -> Response:
        return _error(request, status.HTTP_404_NOT_FOUND, error.message, error.field)

    @app.exception_handler(ProgramError)
    async def program_error(request: Request, error: ProgramError) -> Response:
        return _error(request, status.HTTP_422_UNPROCESSABLE_CONTENT, error.message, error.field)

    @app.exception_handler(ShoutOutNotFound)
    async def shoutout_not_found(request: Request, error: ShoutOutNotFound) -> Response:
        return _error(request, status.HTTP_404_NOT_FOUND, error.message, error.field)

    @app.exception_handler(ShoutOutError)
    async def shoutout_error(request: Request, error: ShoutOutError) -> Response:
        return _error(request, status.HTTP_422_UNPROCESSABLE_CONTENT, error.message, error.field)

    # Team goals and the weekly digest: not found, not allowed, anything else refused.
    @app.exception_handler(InsightNotAllowed)
    async def insight_not_allowed(request: Request, error: InsightNotAllowed) -> Response:
        return _error(request, status.HTTP_403_FORBIDDEN, error.message, error.field)

    @app.exception_handler(InsightError)
    async def insight_error(request: Request, error: InsightError) -> Response:
        return _error(request, status.HTTP_404_NOT_FOUND, error.message, error.field)

    @app.exception_handler(PulseNotFound)
    async def pulse_not_found(request: Request, error: PulseNotFound) -> Response:
        return _error(request, status.HTTP_404_NOT_FOUND, error.message, error.field)

    @app.exception_handler(PulseError)
    async def pulse_error(request: Request, error: PulseError) -> Response:
        return _error(request, status.HTTP_422_UNPROCESSABLE_CONTENT, error.message, error.field)

    @app.exception_handler(GoalNotFound)
    @app.exception_handler(DigestNotFound)
    async def goal_or_digest_not_found(
        request: Request, error: GoalError | DigestError
    ) -> Response:
        return _error(request, status.HTTP_404_NOT_FOUND, error.message, error.field)

    @app.exception_handler(GoalNotAllowed)
    @app.exception_handler(DigestNotAllowed)
    async def goal_or_digest_not_allowed(
        request: Request, error: GoalError | DigestError
    ) -> Response:
        return _error(request, status.HTTP_403_FORBIDDEN, error.message, error.field)

    @app.exception_handler(GoalError)
    @app.exception_handler(DigestError)
    async def goal_or_digest_error(request: Request, error: GoalError | DigestError) -> Response:
        return _error(request, status.HTTP_422_UNPROCESSABLE_CONTENT, error.message, error.field)

    @app.exception_handler(AccountError)
    async def account_error(request: Request, error: AccountError) -> Response:
        return _error(request, status.HTTP_422_UNPROCESSABLE_CONTENT, error.message, error.field)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        problems = [
            {"field": ".".join(str(part) for part in item["loc"][1:]), "message": item["msg"]}
            for item in error.errors()
        ]
        if _wants_html(request):  # a person reads plain words, never pydantic's
            words = plain_problems(error.errors(), skip=("body", "query", "path"))
            return _error(request, status.HTTP_422_UNPROCESSABLE_CONTENT, " ".join(words.values()))
        return JSONResponse(
            {"detail": "invalid request", "problems": problems},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
