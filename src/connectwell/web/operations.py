"""What a load balancer and a log reader need: health checks, request ids, a line a request.

``/healthz`` answers 200 while the process runs (it touches no database); ``/readyz`` answers
200 when the database is reachable and at the newest migration, else 503 with the reason.
Neither needs a sign-in nor says anything about anyone.

Every request gets an id: the incoming ``X-Request-ID`` when it is sane, else a new one. It
is echoed in the response's ``X-Request-ID`` and carried by every log line written while the
request is served (:mod:`connectwell.core.logs`). Each request is logged once, by its route
template (``/people/{person_id}``, never the path itself), status and duration: no query
string, no form, no client address.
"""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, FastAPI, Request, status
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectwell.core import logs
from connectwell.core.db.health import not_ready

HEADER = "X-Request-ID"
requests_log = logging.getLogger("connectwell.web.requests")
router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up (no database query: a slow database must not restart the process)."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Ready for traffic: the database answers and its schema is at the newest migration."""
    engine = request.app.state.session_factory.kw["bind"]
    reason = not_ready(engine)
    if reason is not None:
        return JSONResponse(
            {"status": "unavailable", "reason": reason}, status.HTTP_503_SERVICE_UNAVAILABLE
        )
    return JSONResponse({"status": "ok"})


class RequestIdMiddleware:
    """Give each HTTP request an id, echo it, and log the request once when it ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        request_id = logs.request_id_from(incoming)
        token = logs.request_id.set(request_id)
        started = time.perf_counter()
        status_code = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            _log_request(scope, 500, started, failed=True)
            raise
        else:
            _log_request(scope, status_code, started)
        finally:
            logs.request_id.reset(token)


def _log_request(scope: Scope, status_code: int, started: float, *, failed: bool = False) -> None:
    route = getattr(scope.get("route"), "path_format", None) or "(no route)"
    method = scope.get("method", "")
    duration = round((time.perf_counter() - started) * 1000, 1)
    requests_log.log(
        logging.ERROR if failed or status_code >= 500 else logging.INFO,
        "%s %s %s",
        method,
        route,
        status_code,
        exc_info=failed,
        extra={"method": method, "route": route, "status": status_code, "duration_ms": duration},
    )


def install(app: FastAPI) -> None:
    """Add the health routes and the request-id middleware (outermost but Starlette's own)."""
    app.include_router(router)
    app.add_middleware(RequestIdMiddleware)
    logs.adopt_uvicorn_loggers()
