"""Structured logs: one JSON object a line, with the request id of the request being served.

Each line has ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message`` and ``request_id``
(``null`` outside a request), plus ``exception`` when there is one. What is logged is the
code's own words and ids of rows at most: never a person's name, e-mail, answers or comments.

>>> record = logging.LogRecord("connectwell.x", logging.INFO, "x.py", 1, "hi %s", ("you",), None)
>>> line = json.loads(JsonFormatter().format(record))
>>> line["level"], line["logger"], line["message"], line["request_id"]
('INFO', 'connectwell.x', 'hi you', None)
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from typing import IO

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# What an incoming X-Request-ID may be to be kept: short, and nothing a log reader could trip on.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_MARK = "_connectwell_json"


def request_id_from(header: str | None) -> str:
    """The incoming id when it is sane, else a new random one (32 hex digits).

    >>> request_id_from("abc-123")
    'abc-123'
    >>> len(request_id_from("two words")), len(request_id_from(None))
    (32, 32)
    """
    if header is not None and SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON (see the module's docstring for the fields)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
        }
        for field in ("method", "route", "status", "duration_ms"):
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class _StandardError(logging.StreamHandler[IO[str]]):
    """Writes to whatever ``sys.stderr`` is when a record comes (test runners swap it)."""

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


def json_handler(stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing JSON lines to ``stream`` (default: standard error at the time)."""
    handler = logging.StreamHandler(stream) if stream is not None else _StandardError()
    handler.setFormatter(JsonFormatter())
    setattr(handler, _MARK, True)
    return handler


def configure_logging(level: int = logging.INFO, stream: IO[str] | None = None) -> None:
    """Send every log record, uvicorn's too, to one JSON handler on standard error.

    Idempotent: calling it again replaces the handler it added before. uvicorn's own access
    log is switched off: the web app logs each request itself, by route template (never the
    path, which can hold an id or an e-mail) and without the client's address.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _MARK, False):
            root.removeHandler(handler)
    root.addHandler(json_handler(stream))
    root.setLevel(level)
    adopt_uvicorn_loggers()


def adopt_uvicorn_loggers() -> None:
    """Make uvicorn's loggers write through the root's handlers; silence its access log."""
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
