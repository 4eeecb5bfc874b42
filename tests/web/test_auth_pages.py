"""Sign in, sign out, the slow-down, CSRF, and password links (web/pages/auth.py).

These tests use the real sign-in form (and so argon2); every other web test signs in with
``as_person``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import urlsplit

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.accounts import service as accounts
from connectwell.accounts.models import Credential, LoginFailure, PasswordToken, SignInSession
from connectwell.core.config import Settings
from connectwell.core.notify import Notification
from connectwell.web.deps import SESSION_COOKIE
from tests.conftest import TEST_PASSWORD, Cast, sign_in
from tests.web.conftest import AsPerson, fresh, now, outbox, post_form

NEW_PASSWORD = "a brand new passphrase"
WRONG = "Wrong e-mail or password."
LINK = re.compile(r"http://testserver/password/([A-Za-z0-9_\-]+)")


def _sign_in(client: TestClient, email: str, password: str, next: str = "/") -> httpx.Response:
    return post_form(client, "/login", {"email": email, "password": password, "next": next})


def _count(db: Session, model: type) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def _sessions_of(db: Session, person_id: int) -> list[SignInSession]:
    db.expire_all()
    return list(db.scalars(select(SignInSession).where(SignInSession.person_id == person_id)))


def _password_hash(db: Session, person_id: int) -> str:
    db.expire_all()
    credential = db.get(Credential, person_id)
    assert credential is not None
    return credential.password_hash


def _error_message(html: str) -> str:
    """The first message of the form's error summary (each also stands beside its field)."""
    summary = r'<div class="error error-summary" role="alert"[^>]*>.*?<li>(?:<a [^>]*>)?([^<]*)<'
    match = re.search(summary, html, re.DOTALL)
    assert match, "no error message on the page"
    return match.group(1)


# --- signing in ----------------------------------------------------------------------------


def test_the_sign_in_page_carries_a_csrf_token_and_a_link_to_reset_the_password(
    client: TestClient,
) -> None:
    response = client.get("/login")

    assert response.status_code == 200
    assert 'name="csrf_token"' in response.text
    assert 'href="/password/forgot"' in response.text
    assert "cw_anon" in response.cookies  # the anonymous id the CSRF token is bound to


def test_the_right_password_sets_a_session_cookie_and_reaches_the_next_page(
    client: TestClient, db: Session, cast: Cast
) -> None:
    response = _sign_in(client, "Mia.Member@example.org ", TEST_PASSWORD, next="/people?q=noah")

    assert response.status_code == 303
    assert response.headers["location"] == "/people?q=noah"
    cookie = response.cookies[SESSION_COOKIE]
    set_cookie = response.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie
    (row,) = _sessions_of(db, cast.member.id)
    assert row.token_hash == accounts.token_hash(cookie)  # only the hash is stored
    assert row.token_hash != cookie
    page = client.get("/people?q=noah")
    assert page.status_code == 200 and "Noah Member" in page.text


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example/", "/\\evil.example", "evil.example"]
)
def test_it_never_sends_the_browser_to_another_site_when_already_signed_in(
    as_person: AsPerson, cast: Cast, target: str
) -> None:
    client = as_person(cast.member)

    response = client.get("/login", params={"next": target})

    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "\\" not in location and urlsplit(location).netloc == ""


def test_it_goes_home_instead_of_to_another_site_after_sign_in(
    client: TestClient, cast: Cast
) -> None:
    page = client.get("/login", params={"next": "//evil.example"})
    assert 'name="next" value="/"' in page.text

    response = _sign_in(client, cast.member.email, TEST_PASSWORD, next="//evil.example")

    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_a_wrong_password_shows_a_clear_message_with_401_and_signs_nobody_in(
    client: TestClient, db: Session, cast: Cast
) -> None:
    response = _sign_in(client, cast.member.email, "not the password")

    assert response.status_code == 401
    assert _error_message(response.text) == WRONG
    assert 'value="mia.member@example.org"' in response.text  # the e-mail stays filled in
    assert SESSION_COOKIE not in response.cookies
    assert _sessions_of(db, cast.member.id) == []
    keys = set(db.scalars(select(LoginFailure.key)))
    assert "email:mia.member@example.org" in keys


def test_an_unknown_email_gets_exactly_the_same_message(client: TestClient, cast: Cast) -> None:
    known = _sign_in(client, cast.member.email, "not the password")
    unknown = _sign_in(client, "nobody@example.org", "not the password")

    assert unknown.status_code == known.status_code == 401
    assert _error_message(unknown.text) == _error_message(known.text) == WRONG


def test_an_email_with_a_nul_byte_is_refused_like_a_wrong_one_and_logged_nowhere(
    app: FastAPI, db: Session, cast: Cast, captured_logs: io.StringIO
) -> None:
    # PostgreSQL cannot take a NUL in a parameter: the look-up failed with a 500 whose
    # traceback held the address.
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
        response = _sign_in(client, "secret.person@example.org\x00", "not the password")

    assert response.status_code in (401, 422)
    assert SESSION_COOKIE not in response.cookies
    assert _count(db, LoginFailure) == 0  # refused before any attempt was counted
    assert "secret.person" not in captured_logs.getvalue()


def test_a_deactivated_person_cannot_sign_in_and_gets_the_same_message(
    client: TestClient, db: Session, cast: Cast
) -> None:
    cast.other_member.is_active = False
    db.commit()

    response = _sign_in(client, cast.other_member.email, TEST_PASSWORD)

    assert response.status_code == 401
    assert _error_message(response.text) == WRONG


def test_after_too_many_failures_even_the_right_password_gets_429_with_retry_after(
    client: TestClient, db: Session, cast: Cast, settings: Settings
) -> None:
    for _ in range(settings.login_max_failures):
        assert _sign_in(client, cast.member.email, "not the password").status_code == 401

    response = _sign_in(client, cast.member.email, TEST_PASSWORD)

    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= settings.login_failure_window_seconds
    assert "Too many failed sign-ins" in _error_message(response.text)
    assert SESSION_COOKIE not in response.cookies
    assert _sessions_of(db, cast.member.id) == []


def test_the_slow_down_of_one_account_leaves_other_accounts_alone(
    client: TestClient, db: Session, cast: Cast, settings: Settings
) -> None:
    for _ in range(settings.login_max_failures):
        _sign_in(client, cast.member.email, "not the password")

    response = _sign_in(client, cast.other_member.email, TEST_PASSWORD)

    assert response.status_code == 303
    assert len(_sessions_of(db, cast.other_member.id)) == 1


def test_a_successful_sign_in_forgets_the_accounts_earlier_failures(
    client: TestClient, db: Session, cast: Cast, settings: Settings
) -> None:
    for _ in range(settings.login_max_failures - 1):
        _sign_in(client, cast.member.email, "not the password")

    assert _sign_in(client, cast.member.email, TEST_PASSWORD).status_code == 303

    db.expire_all()
    assert db.scalars(select(LoginFailure).where(LoginFailure.key.like("email:%"))).all() == []


def test_signing_in_while_signed_in_goes_straight_to_the_next_page(
    as_person: AsPerson, cast: Cast
) -> None:
    response = as_person(cast.member).get("/login", params={"next": "/teams"})

    assert response.status_code == 303
    assert response.headers["location"] == "/teams"


# --- signing out ---------------------------------------------------------------------------


def test_signing_out_ends_the_session_row_and_the_cookie_no_longer_works(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.member)
    cookie = client.cookies[SESSION_COOKIE]
    assert len(_sessions_of(db, cast.member.id)) == 1

    response = post_form(client, "/logout")

    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert _sessions_of(db, cast.member.id) == []
    client.cookies.set(SESSION_COOKIE, cookie)  # a copy of the old cookie
    assert client.get("/").status_code == 303


def test_signing_out_ends_only_this_browsers_session(
    as_person: AsPerson,
    app: FastAPI,
    db: Session,
    cast: Cast,
    factory: sessionmaker[Session],
    settings: Settings,
) -> None:
    with TestClient(app, follow_redirects=False) as other_browser:
        sign_in(other_browser, factory, settings, cast.member)
        client = as_person(cast.member)
        assert len(_sessions_of(db, cast.member.id)) == 2

        post_form(client, "/logout")

        assert len(_sessions_of(db, cast.member.id)) == 1
        assert other_browser.get("/").status_code == 200


def test_a_deactivated_persons_session_stops_working(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.member)
    fresh(db, cast.member).is_active = False
    db.commit()

    response = client.get("/me")

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/me"


# --- CSRF ----------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "0" * 64])
def test_it_refuses_a_sign_in_form_without_the_right_csrf_token_and_writes_nothing(
    client: TestClient, db: Session, cast: Cast, token: str | None
) -> None:
    client.get("/login")  # the anonymous cookie
    data = {"email": cast.member.email, "password": "not the password"}
    if token is not None:
        data["csrf_token"] = token

    response = client.post("/login", data=data)

    assert response.status_code == 403
    assert "did not come from this site" in response.text
    assert _count(db, LoginFailure) == 0
    assert _count(db, SignInSession) == 0


def test_it_refuses_a_csrf_token_taken_from_another_browser(
    client: TestClient, app: FastAPI, db: Session, cast: Cast
) -> None:
    with TestClient(app, follow_redirects=False) as attacker:
        stolen = re.search(r'name="csrf_token" value="([^"]+)"', attacker.get("/login").text)
    assert stolen
    client.get("/login")

    response = client.post(
        "/login",
        data={"csrf_token": stolen.group(1), "email": cast.member.email, "password": TEST_PASSWORD},
    )

    assert response.status_code == 403
    assert _count(db, SignInSession) == 0


def test_it_refuses_a_form_post_without_any_cookie(client: TestClient, db: Session) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    client.cookies.clear()

    response = client.post(
        "/password/forgot", data={"csrf_token": token.group(1), "email": "x@y.z"}
    )

    assert response.status_code == 403


def test_it_refuses_a_sign_out_without_the_csrf_token_and_keeps_the_session(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.member)

    response = client.post("/logout", data={"csrf_token": "forged"})

    assert response.status_code == 403
    assert len(_sessions_of(db, cast.member.id)) == 1
    assert client.get("/").status_code == 200


# --- password links ------------------------------------------------------------------------


def _ask_for_reset(client: TestClient, email: str) -> httpx.Response:
    return post_form(client, "/password/forgot", {"email": email})


def _reset_secret(db: Session, to: str) -> str:
    (email,) = [e for e in outbox(db) if e.to_address == to]
    match = LINK.search(email.text_body)
    assert match, email.text_body
    return match.group(1)


def _set_password(
    client: TestClient, secret: str, password: str, confirm: str | None = None
) -> httpx.Response:
    data = {"password": password, "confirm": password if confirm is None else confirm}
    return post_form(client, f"/password/{secret}", data)


def test_the_forgot_page_emails_a_reset_link_to_the_outbox(
    client: TestClient, db: Session, cast: Cast
) -> None:
    response = _ask_for_reset(client, "  MIA.member@example.org")

    assert response.status_code == 200
    assert "If that address belongs to an account" in response.text
    (email,) = outbox(db)
    assert (email.to_address, email.person_id) == (cast.member.email, cast.member.id)
    assert email.subject == "Reset your connectwell password"
    assert email.status == "pending"
    secret = _reset_secret(db, cast.member.email)
    token = db.scalar(select(PasswordToken))
    assert token is not None and token.purpose == "reset" and token.person_id == cast.member.id
    assert token.token_hash == accounts.token_hash(secret) != secret  # stored hashed
    assert _count(db, Notification) == 0  # an e-mail only, not an inbox item


def test_the_forgot_page_says_the_same_for_an_unknown_address_and_sends_nothing(
    client: TestClient, db: Session, cast: Cast
) -> None:
    unknown = _ask_for_reset(client, "nobody@example.org")
    assert outbox(db) == []
    assert _count(db, PasswordToken) == 0

    known = _ask_for_reset(client, cast.member.email)

    assert unknown.status_code == known.status_code == 200
    assert unknown.text == known.text  # not a byte to tell them apart
    assert len(outbox(db)) == 1


def test_the_forgot_page_sends_nothing_to_a_deactivated_person(
    client: TestClient, db: Session, cast: Cast
) -> None:
    cast.other_member.is_active = False
    db.commit()

    assert _ask_for_reset(client, cast.other_member.email).status_code == 200
    assert outbox(db) == []


def test_a_reset_link_sets_the_password_once_signs_in_and_ends_the_other_sessions(
    client: TestClient,
    app: FastAPI,
    db: Session,
    cast: Cast,
    factory: sessionmaker[Session],
    settings: Settings,
) -> None:
    as_before = _password_hash(db, cast.member.id)
    other_browser = TestClient(app, follow_redirects=False)
    sign_in(other_browser, factory, settings, cast.member)  # say, a laptop left signed in
    assert other_browser.get("/").status_code == 200
    _ask_for_reset(client, cast.member.email)
    secret = _reset_secret(db, cast.member.email)

    page = client.get(f"/password/{secret}")
    assert page.status_code == 200
    assert "Mia Member" in page.text and cast.member.email in page.text

    response = _set_password(client, secret, NEW_PASSWORD)

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert SESSION_COOKIE in response.cookies
    new_hash = _password_hash(db, cast.member.id)
    assert new_hash != as_before and new_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(new_hash, NEW_PASSWORD)
    token = db.scalar(select(PasswordToken))
    assert token is not None and token.used_at is not None
    assert client.get("/").status_code == 200  # signed in
    assert other_browser.get("/").status_code == 303  # the old session has ended
    assert len(_sessions_of(db, cast.member.id)) == 1

    again = _set_password(client, secret, "yet another passphrase")

    assert again.status_code == 410
    assert "expired or was already used" in again.text
    assert _password_hash(db, cast.member.id) == new_hash
    assert client.get(f"/password/{secret}").status_code == 410


def test_a_second_reset_link_ends_the_first_so_only_the_newest_works(
    client: TestClient, db: Session, cast: Cast
) -> None:
    _ask_for_reset(client, cast.member.email)
    first = _reset_secret(db, cast.member.email)
    _ask_for_reset(client, cast.member.email)
    second = LINK.search(outbox(db)[-1].text_body).group(1)  # type: ignore[union-attr]

    assert client.get(f"/password/{first}").status_code == 410
    assert _set_password(client, second, NEW_PASSWORD).status_code == 303
    as_after = _password_hash(db, cast.member.id)
    client.cookies.clear()

    refused = _set_password(client, first, "an attacker's password")

    assert refused.status_code == 410
    assert "expired or was already used" in refused.text
    assert _password_hash(db, cast.member.id) == as_after
    assert SESSION_COOKIE not in refused.cookies


def test_an_invitation_link_used_after_a_reset_is_refused_with_a_plain_page(
    client: TestClient, db: Session, cast: Cast, settings: Settings
) -> None:
    accounts.invite(db, [cast.member], settings, actor=cast.admin)
    db.commit()
    invitation = LINK.search(outbox(db)[0].text_body).group(1)  # type: ignore[union-attr]
    _ask_for_reset(client, cast.member.email)
    reset = LINK.search(outbox(db)[-1].text_body).group(1)  # type: ignore[union-attr]
    assert _set_password(client, reset, NEW_PASSWORD).status_code == 303
    as_after = _password_hash(db, cast.member.id)
    client.cookies.clear()

    page = client.get(f"/password/{invitation}")
    used = _set_password(client, invitation, "an attacker's password")

    assert page.status_code == used.status_code == 410
    assert "This link has expired or was already used. Ask for a new one." in page.text
    assert 'href="/password/forgot"' in page.text and "<form" not in page.text.split("<main")[-1]
    assert _password_hash(db, cast.member.id) == as_after
    assert SESSION_COOKIE not in used.cookies
    assert (
        db.scalar(
            select(func.count()).where(
                PasswordToken.person_id == cast.member.id, PasswordToken.used_at.is_(None)
            )
        )
        == 0
    )


def test_an_expired_reset_link_is_refused_and_changes_nothing(
    client: TestClient, db: Session, cast: Cast, settings: Settings
) -> None:
    accounts.request_reset(db, cast.member.email, settings)
    db.commit()
    secret = _reset_secret(db, cast.member.email)
    token = db.scalar(select(PasswordToken))
    assert token is not None
    token.expires_at = now() - dt.timedelta(seconds=1)
    db.commit()
    as_before = _password_hash(db, cast.member.id)

    page = client.get(f"/password/{secret}")
    response = _set_password(client, secret, NEW_PASSWORD)

    assert page.status_code == response.status_code == 410
    assert 'href="/password/forgot"' in response.text  # where to ask for a new one
    assert SESSION_COOKIE not in response.cookies
    assert _password_hash(db, cast.member.id) == as_before


def test_an_unknown_link_is_refused(client: TestClient, cast: Cast) -> None:
    assert client.get("/password/not-a-real-secret").status_code == 410
    assert _set_password(client, "not-a-real-secret", NEW_PASSWORD).status_code == 410


@pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        (NEW_PASSWORD, "something else entirely", "confirm", "The two passwords are not the same."),
        ("short", "short", "password", "at least 10 characters"),
    ],
)
def test_a_bad_new_password_names_the_field_and_leaves_the_link_usable(
    client: TestClient,
    db: Session,
    cast: Cast,
    settings: Settings,
    password: str,
    confirm: str,
    field: str,
    message: str,
) -> None:
    accounts.request_reset(db, cast.member.email, settings)
    db.commit()
    secret = _reset_secret(db, cast.member.email)
    as_before = _password_hash(db, cast.member.id)

    response = _set_password(client, secret, password, confirm)

    assert response.status_code == 422
    assert _error_message(response.text) == message
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', response.text)
    assert _password_hash(db, cast.member.id) == as_before
    token = db.scalar(select(PasswordToken))
    assert token is not None and token.used_at is None
    assert client.get(f"/password/{secret}").status_code == 200
