"""What routes depend on: the request's transaction, the viewer, and the CSRF check."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request, status
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from connectwell.accounts import service as accounts
from connectwell.core.config import Settings
from connectwell.core.db.transient import RETRY_AFTER_SECONDS, is_transient
from connectwell.core.ids import MAX_ID
from connectwell.people import service as people
from connectwell.people.models import Person

SESSION_COOKIE = "cw_session"
ANON_COOKIE = "cw_anon"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

log = logging.getLogger(__name__)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    """The request's one transaction: committed when the route returns, rolled back on error.

    ``DB`` declares this dependency with ``scope="function"``: FastAPI runs the code after the
    ``yield`` as soon as the route returns, BEFORE the response is sent (a dependency of the
    default "request" scope finishes after the client already has the answer, so a request
    sent right after it could miss what it wrote). A commit that fails becomes an error answer
    (409 for a constraint, 503 with ``Retry-After`` when the database is busy or away for a
    moment, else a 500), never a success for a change that was not kept.
    """
    session: Session = request.app.state.session_factory()
    try:
        try:
            yield session
        except BaseException:
            _discard(session)
            raise
        try:
            session.commit()
        except IntegrityError as error:
            _discard(session)
            log.warning("commit refused by a constraint: %s", type(error.orig).__name__)
            raise HTTPException(
                status.HTTP_409_CONFLICT, "The change clashed with another one; nothing was saved."
            ) from error
        except SQLAlchemyError as error:
            _discard(session)
            if not is_transient(error):
                raise  # a bug or a broken install: a 500, logged with its traceback
            cause = getattr(error, "orig", None) or error
            log.warning("commit failed, database busy: %s", type(cause).__name__)
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                "The change could not be saved. Try again in a moment.",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            ) from error
    finally:
        session.close()


def _discard(session: Session) -> None:
    # Detach first: rollback() would expire what was loaded, and the error page that the
    # app renders next still reads the viewer (their name, whether they are an admin).
    session.expunge_all()
    session.rollback()


def read_db(request: Request) -> Iterator[Session]:
    """A read-only session that lives until the response is sent: for streamed answers."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


DB = Annotated[Session, Depends(get_db, scope="function")]
StreamDB = Annotated[Session, Depends(read_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]

# An id in a path or a query: out of the id columns' range is a 422, not an overflow (500).
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@dataclass
class Viewer:
    """Who is asking, and how they proved it."""

    person: Person
    via: str  # "session" or "token"
    led_team_ids: set[int]

    @property
    def is_admin(self) -> bool:
        return self.person.is_admin

    @property
    def is_lead(self) -> bool:
        return bool(self.led_team_ids)


class NotSignedIn(Exception):
    """A page needs a signed-in viewer; the app redirects to the sign-in page."""


def _viewer(request: Request, session: Session) -> Viewer | None:
    header = request.headers.get("authorization", "")
    person: Person | None = None
    via = "session"
    if header.lower().startswith("bearer "):
        person = accounts.person_for_api_token(session, header[7:].strip())
        if person is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or revoked API token")
        via = "token"
    elif token := request.cookies.get(SESSION_COOKIE):
        person = accounts.person_for_session(session, token)
    if person is None:
        return None
    return Viewer(person, via, people.led_team_ids(session, person.id))


def optional_viewer(request: Request, session: DB) -> Viewer | None:
    viewer = _viewer(request, session)
    request.state.viewer = viewer
    return viewer


def page_viewer(request: Request, session: DB) -> Viewer:
    """A page's viewer; sends the browser to sign in when there is none."""
    viewer = optional_viewer(request, session)
    if viewer is None:
        raise NotSignedIn()
    return viewer


def api_viewer(request: Request, session: DB) -> Viewer:
    """An API caller: by session cookie (then unsafe methods need the CSRF header) or token."""
    viewer = optional_viewer(request, session)
    if viewer is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "sign in, or send a personal API token as 'Authorization: Bearer …'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if viewer.via == "session" and request.method in UNSAFE:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent, csrf_token(request)):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong X-CSRF-Token header")
    return viewer


PageViewer = Annotated[Viewer, Depends(page_viewer)]
ApiViewer = Annotated[Viewer, Depends(api_viewer)]


def require_admin(viewer: Viewer) -> None:
    if not viewer.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admins only")


def page_admin(viewer: PageViewer) -> Viewer:
    require_admin(viewer)
    return viewer


def api_admin(viewer: ApiViewer) -> Viewer:
    require_admin(viewer)
    return viewer


PageAdmin = Annotated[Viewer, Depends(page_admin)]
ApiAdmin = Annotated[Viewer, Depends(api_admin)]


def require_team_lead(viewer: Viewer, team_id: int) -> None:
    """A team's leads (directly or through a parent team) and admins pass; others get 403."""
    if not viewer.is_admin and team_id not in viewer.led_team_ids:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only the team's leads and admins")


# --- CSRF ----------------------------------------------------------------------------------


def _csrf_base(request: Request) -> str:
    base = request.cookies.get(SESSION_COOKIE) or request.cookies.get(ANON_COOKIE)
    if not base:
        # First visit: make the anonymous id now; the response sets it as a cookie.
        base = getattr(request.state, "new_anon_id", None) or secrets.token_urlsafe(24)
        request.state.new_anon_id = base
    return base


def csrf_token(request: Request) -> str:
    """The token forms must send back: an HMAC of the sign-in (or anonymous) cookie."""
    key = get_settings(request).secret_key.encode()
    return hmac.new(key, ("csrf:" + _csrf_base(request)).encode(), hashlib.sha256).hexdigest()


async def verify_csrf(request: Request) -> None:
    """Forms: refuse a POST whose csrf_token field does not match the viewer's cookie."""
    if request.method not in UNSAFE:
        return
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    has_cookie = request.cookies.get(SESSION_COOKIE) or request.cookies.get(ANON_COOKIE)
    if (
        not has_cookie
        or not isinstance(sent, str)
        or not hmac.compare_digest(sent, csrf_token(request))
    ):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "The form expired or did not come from this site. Go back, reload and try again.",
        )


CSRF = Depends(verify_csrf)
