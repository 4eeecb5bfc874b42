"""The app factory: settings, database, routes, security headers; errors in :mod:`.errors`."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectwell.core.config import Settings, get_settings
from connectwell.core.db import make_engine, make_session_factory
from connectwell.core.db.migrate import upgrade
from connectwell.core.logs import configure_logging
from connectwell.web import operations
from connectwell.web.deps import ANON_COOKIE
from connectwell.web.errors import document_problems, install_error_handlers
from connectwell.web.routers import api_router, page_router
from connectwell.web.templating import templates

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"

# Strict: no inline script or style anywhere (templates load /static files only, and htmx is
# told by the "htmx-config" meta tag in base.html not to inject its indicator style).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("latin-1")),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeadersMiddleware:
    """The security headers on every answer (a route's own value wins), and the anonymous
    cookie when a page made one (for the CSRF token of a visitor not signed in).

    Plain ASGI rather than ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware runs
    each request in a task of its own and streams the answer through a queue, a measurable
    part of a page's CPU under load.
    """

    def __init__(self, app: ASGIApp, *, cookie_secure: bool) -> None:
        self.app = app
        self.cookie_secure = cookie_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    if name.decode("latin-1") not in headers:
                        headers.raw.append((name, value))
                new_anon = scope.get("state", {}).get("new_anon_id")
                if new_anon:
                    cookie = Response()
                    cookie.set_cookie(
                        ANON_COOKIE,
                        new_anon,
                        httponly=True,
                        samesite="lax",
                        secure=self.cookie_secure,
                        max_age=60 * 60 * 24,
                    )
                    headers.raw.extend(h for h in cookie.raw_headers if h[0] == b"set-cookie")
            await send(message)

        await self.app(scope, receive, send_with_headers)


_frozen = False


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Once per process, when the first app starts: freeze the heap built at import (FastAPI,
    SQLAlchemy, numpy, scipy, statsmodels: about a million objects) out of the cyclic garbage
    collector. Otherwise every full collection scans all of it, and a request that allocates
    a few thousand objects (a page reading a hundred publications) pays 70-150 ms now and then.
    """
    global _frozen
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen = True
    yield


def create_app(
    settings: Settings | None = None,
    *,
    session_factory: sessionmaker[Session] | None = None,
    migrate: bool = True,
) -> FastAPI:
    """Build the app. Without arguments it reads the environment and migrates the database."""
    settings = settings or get_settings()
    if session_factory is None:
        engine = make_engine(
            settings.database_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
            pool_timeout=settings.database_pool_timeout_seconds,
        )
        if migrate:
            upgrade(engine, anonymity_floor=settings.anonymity_floor)
        session_factory = make_session_factory(engine)

    app = FastAPI(
        title="connectwell API",
        version="1",
        description="People, teams and you. Authenticate with your sign-in session or with "
        "a personal API token: `Authorization: Bearer cw_…`.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.session_factory = session_factory
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(page_router)
    app.include_router(api_router)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "api_docs.html", {})

    app.add_middleware(SecurityHeadersMiddleware, cookie_secure=settings.cookie_secure)
    install_error_handlers(app)
    document_problems(app)  # the problem+json the API's errors are
    operations.install(app)  # health checks; request ids and a log line a request
    return app


def create_served_app() -> FastAPI:
    """The factory ``connectwell serve`` gives uvicorn: the app, logging JSON lines.

    With ``--workers`` uvicorn builds the app in processes of its own, which have not run the
    command's logging set-up; each sets it up here (it replaces what it added before).
    """
    configure_logging()
    return create_app()
