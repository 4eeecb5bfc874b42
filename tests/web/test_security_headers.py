"""The security headers on every kind of answer, pages without inline code, Secure cookies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.config import Settings
from connectwell.web.app import create_app
from connectwell.web.deps import ANON_COOKIE, SESSION_COOKIE
from tests.conftest import TEST_PASSWORD, Cast
from tests.web.conftest import AsPerson, form_token

TEMPLATES = Path(__file__).parents[2] / "src" / "connectwell" / "web" / "templates"
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.IGNORECASE
)


def _csp(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    policy = response.headers["content-security-policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (piece.strip() for piece in policy.split(";"))
        if part
    }


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/login",
        "/api/v1/me",
        "/api/openapi.json",
        "/static/app.css",
        "/no-such-page",
        "/api/v1/no-such-thing",
    ],
)
def test_every_answer_carries_the_security_headers(
    as_person: AsPerson, cast: Cast, path: str
) -> None:
    response = as_person(cast.member).get(path)

    csp = _csp(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in {"same-origin", "no-referrer"}
    assert response.headers["x-frame-options"] == "DENY"


def test_no_template_has_inline_script_style_or_event_handlers() -> None:
    found = [
        f"{template.relative_to(TEMPLATES)}: {match.group(0)}"
        for template in sorted(TEMPLATES.rglob("*.html"))
        for match in INLINE.finditer(template.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_htmx_is_told_not_to_inject_its_indicator_style(as_person: AsPerson, cast: Cast) -> None:
    html = as_person(cast.member).get("/").text

    meta = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', html)
    assert meta and '"includeIndicatorStyles": false' in meta.group(1)


def _cookies_set(settings: Settings, factory: sessionmaker[Session], cast: Cast) -> list[str]:
    app = create_app(settings, session_factory=factory)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        first = c.get("/login")
        signed_in = c.post(
            "/login",
            data={
                "csrf_token": form_token(c),
                "email": cast.member.email,
                "password": TEST_PASSWORD,
            },
        )
    assert signed_in.status_code == 303
    return first.headers.get_list("set-cookie") + signed_in.headers.get_list("set-cookie")


def test_cookies_are_secure_when_the_public_url_is_https(
    settings: Settings, factory: sessionmaker[Session], cast: Cast
) -> None:
    secure = Settings(**{**settings.model_dump(), "base_url": "https://connect.example.org"})

    cookies = _cookies_set(secure, factory, cast)

    assert {cookie.split("=", 1)[0] for cookie in cookies} == {ANON_COOKIE, SESSION_COOKIE}
    for cookie in cookies:
        attributes = {part.strip().lower() for part in cookie.split(";")}
        assert "secure" in attributes, cookie
        assert "httponly" in attributes, cookie
        assert "samesite=lax" in attributes, cookie


def test_cookies_are_not_secure_on_a_plain_http_public_url(
    settings: Settings, factory: sessionmaker[Session], cast: Cast
) -> None:
    cookies = _cookies_set(settings, factory, cast)  # base_url http://testserver

    assert cookies
    assert all("secure" not in cookie.lower() for cookie in cookies)
