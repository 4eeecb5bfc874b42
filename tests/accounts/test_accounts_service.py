"""Passwords, the sign-in slow-down, sessions, API tokens and one-time password links."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from connectwell.accounts import service as accounts
from connectwell.accounts.models import ApiToken, Credential, LoginFailure, PasswordToken
from connectwell.core.config import Settings
from connectwell.core.db import transaction, utcnow
from connectwell.core.notify import Notification, OutboxEmail
from connectwell.people.models import Person
from tests.conftest import TEST_PASSWORD, Cast


def _login(db: Session, settings: Settings, email: str, password: str, address: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return accounts.authenticate(db, email, password, address=address, settings=settings)


def test_it_signs_in_with_the_right_password_whatever_the_case_of_the_email(
    db: Session, cast: Cast, settings: Settings
) -> None:
    person = _login(db, settings, "  MIA.Member@example.org ", TEST_PASSWORD)
    assert person.id == cast.member.id


def test_it_gives_the_same_error_for_an_unknown_email_and_a_wrong_password(
    db: Session, cast: Cast, settings: Settings
) -> None:
    with pytest.raises(accounts.WrongCredentials) as unknown:
        _login(db, settings, "nobody@example.org", TEST_PASSWORD)
    with pytest.raises(accounts.WrongCredentials) as wrong:
        _login(db, settings, cast.member.email, "not the password")
    assert unknown.value.message == wrong.value.message == "Wrong e-mail or password."


def test_it_slows_down_after_repeated_failures_even_for_the_right_password(
    db: Session, cast: Cast, settings: Settings
) -> None:
    for _ in range(settings.login_max_failures):
        with pytest.raises(accounts.WrongCredentials):
            _login(db, settings, cast.member.email, "guess")

    with pytest.raises(accounts.TooManyAttempts) as slowed:
        _login(db, settings, cast.member.email, TEST_PASSWORD)

    assert 0 < slowed.value.retry_after <= 30
    keys = set(db.scalars(select(LoginFailure.key)))
    assert keys == {f"email:{cast.member.email}", "address:10.0.0.1"}


def test_the_wait_ends_and_a_success_clears_the_failures(
    db: Session, cast: Cast, settings: Settings
) -> None:
    for _ in range(settings.login_max_failures):
        with pytest.raises(accounts.WrongCredentials):
            _login(db, settings, cast.member.email, "guess")
    # A minute later the 30-second wait is over.
    db.execute(update(LoginFailure).values(at=utcnow() - dt.timedelta(minutes=1)))

    assert _login(db, settings, cast.member.email, TEST_PASSWORD).id == cast.member.id
    remaining = db.scalar(
        select(func.count()).where(LoginFailure.key == f"email:{cast.member.email}")
    )
    assert remaining == 0


def test_an_inactive_person_cannot_sign_in(db: Session, cast: Cast, settings: Settings) -> None:
    cast.other_member.is_active = False
    db.commit()
    with pytest.raises(accounts.WrongCredentials):
        _login(db, settings, cast.other_member.email, TEST_PASSWORD)


def test_passwords_are_stored_as_argon2_hashes_and_rules_name_the_field(
    db: Session, cast: Cast
) -> None:
    accounts.set_password(db, cast.member, "a much longer secret")
    stored = db.get(Credential, cast.member.id)
    assert stored is not None and stored.password_hash.startswith("$argon2id$")
    assert "a much longer secret" not in stored.password_hash

    with pytest.raises(accounts.AccountError) as short:
        accounts.set_password(db, cast.member, "short")
    assert short.value.field == "password"


def test_changing_a_password_ends_the_persons_sessions(
    db: Session, cast: Cast, settings: Settings
) -> None:
    token = accounts.start_session(db, cast.member, settings)
    assert accounts.person_for_session(db, token) is not None

    accounts.set_password(db, cast.member, "a brand new password")

    assert accounts.person_for_session(db, token) is None


def test_a_session_token_is_stored_only_as_its_hash_and_expires(
    db: Session, cast: Cast, settings: Settings
) -> None:
    token = accounts.start_session(db, cast.member, settings)
    assert accounts.token_hash(token) != token
    assert accounts.person_for_session(db, token) == cast.member
    row = accounts.sessions_of(db, cast.member.id)[0]
    row.expires_at = utcnow() - dt.timedelta(seconds=1)

    assert accounts.person_for_session(db, token) is None


def test_only_admins_make_api_tokens_and_a_token_acts_as_its_owner(db: Session, cast: Cast) -> None:
    with pytest.raises(accounts.AccountError):
        accounts.create_api_token(db, owner=cast.member, name="mine", created_by=cast.member)

    new = accounts.create_api_token(db, owner=cast.admin, name="HR sync", created_by=cast.admin)

    assert new.secret.startswith("cw_")
    stored = db.scalar(select(ApiToken))
    assert stored is not None and stored.token_hash == accounts.token_hash(new.secret)
    assert new.secret not in (stored.token_hash, stored.prefix)
    assert accounts.person_for_api_token(db, new.secret) == cast.admin
    accounts.revoke_api_token(db, new.token.id, actor=cast.admin)
    assert accounts.person_for_api_token(db, new.secret) is None


def test_an_admin_cannot_make_a_token_that_acts_as_someone_else(db: Session, cast: Cast) -> None:
    with pytest.raises(accounts.AccountNotAllowed) as refused:
        accounts.create_api_token(db, owner=cast.member, name="HR sync", created_by=cast.admin)

    assert refused.value.field == "owner_email"
    assert "only for yourself" in refused.value.message
    assert db.scalar(select(func.count()).select_from(ApiToken)) == 0


def _secrets(db: Session) -> list[str]:
    """The one-time secrets in the outbox, oldest first."""
    emails = db.scalars(select(OutboxEmail).order_by(OutboxEmail.id))
    return [email.text_body.split("/password/")[1].split()[0] for email in emails]


def test_a_new_reset_link_ends_the_older_unused_ones_of_that_person_only(
    db: Session, cast: Cast, settings: Settings
) -> None:
    accounts.request_reset(db, cast.member.email, settings)
    accounts.request_reset(db, cast.other_member.email, settings)
    accounts.request_reset(db, cast.member.email, settings)
    first, others, newest = _secrets(db)

    with pytest.raises(accounts.AccountError) as ended:
        accounts.person_for_password_link(db, first)

    assert ended.value.field == "link"
    assert accounts.person_for_password_link(db, newest).person == cast.member
    assert accounts.person_for_password_link(db, others).person == cast.other_member


def test_setting_a_password_ends_every_outstanding_reset_and_invitation_link(
    db: Session, cast: Cast, settings: Settings
) -> None:
    accounts.invite(db, [cast.member], settings, actor=cast.admin)
    accounts.request_reset(db, cast.member.email, settings)
    accounts.request_reset(db, cast.other_member.email, settings)
    invitation, reset, others = _secrets(db)

    accounts.use_password_link(db, reset, "my own new password")

    for secret in (invitation, reset):
        with pytest.raises(accounts.AccountError):
            accounts.use_password_link(db, secret, "an attacker's password")
    assert accounts.person_for_password_link(db, others).person == cast.other_member
    unused = select(func.count()).where(
        PasswordToken.person_id == cast.member.id, PasswordToken.used_at.is_(None)
    )
    assert db.scalar(unused) == 0


def test_a_password_set_without_a_link_also_ends_outstanding_links_and_sessions(
    db: Session, cast: Cast, settings: Settings
) -> None:
    accounts.invite(db, [cast.member], settings, actor=cast.admin)
    (invitation,) = _secrets(db)
    token = accounts.start_session(db, cast.member, settings)

    accounts.set_password(db, cast.member, "set from the command line")

    with pytest.raises(accounts.AccountError):
        accounts.person_for_password_link(db, invitation)
    assert accounts.person_for_session(db, token) is None


def test_an_invitation_is_emailed_and_its_link_sets_the_password_once(
    db: Session, cast: Cast, settings: Settings
) -> None:
    accounts.invite(db, [cast.other_member], settings, actor=cast.admin)
    email = db.scalar(select(OutboxEmail))
    assert email is not None and email.to_address == cast.other_member.email
    secret = email.text_body.split("/password/")[1].split()[0]

    person = accounts.use_password_link(db, secret, "my own new password")

    assert person == cast.other_member
    with pytest.raises(accounts.AccountError) as again:
        accounts.use_password_link(db, secret, "another new password")
    assert again.value.field == "link"


def test_a_reset_link_expires_and_unknown_addresses_get_no_email(
    db: Session, cast: Cast, settings: Settings
) -> None:
    accounts.request_reset(db, "nobody@example.org", settings)
    assert db.scalar(select(func.count()).select_from(OutboxEmail)) == 0

    accounts.request_reset(db, cast.member.email, settings)
    email = db.scalar(select(OutboxEmail))
    assert email is not None
    secret = email.text_body.split("/password/")[1].split()[0]
    db.execute(update(PasswordToken).values(expires_at=utcnow() - dt.timedelta(minutes=1)))

    with pytest.raises(accounts.AccountError):
        accounts.use_password_link(db, secret, "too late for this one")


def test_it_keeps_one_time_sign_in_links_out_of_every_stored_column_but_the_body(
    db: Session, cast: Cast, settings: Settings
) -> None:
    accounts.invite(db, [cast.other_member], settings, actor=cast.admin)
    accounts.request_reset(db, cast.member.email, settings)

    emails = list(db.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))
    assert [e.kind for e in emails] == ["invite", "password-reset"]
    for email in emails:
        secret = email.text_body.split("/password/")[1].split()[0]
        assert email.link == ""
        assert secret not in str(email.context) and secret not in str(email.headers)
        assert email.html_body is not None and f"/password/{secret}" in email.html_body
    assert db.scalar(select(func.count()).select_from(Notification)) == 0


def test_create_admin_makes_a_first_admin_and_checks_the_email(db: Session) -> None:
    person = accounts.create_admin(
        db, email="First.Admin@Example.org", name="First", password="long enough pass"
    )
    assert person.is_admin and person.email == "first.admin@example.org"
    with pytest.raises(accounts.AccountError) as bad:
        accounts.create_admin(db, email="not an email", name="X", password="long enough pass")
    assert bad.value.field == "email"


def test_twenty_reset_requests_at_once_leave_exactly_one_live_link(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    requests = 20
    start = threading.Barrier(requests)
    errors: list[BaseException] = []

    def request() -> None:
        try:
            start.wait()
            with transaction(factory) as session:
                accounts.request_reset(session, cast.member.email, settings)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=request) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    db.expire_all()
    live = db.scalar(
        select(func.count()).where(
            PasswordToken.person_id == cast.member.id, PasswordToken.used_at.is_(None)
        )
    )
    assert live == 1
    assert db.scalar(select(func.count()).select_from(OutboxEmail)) == requests


def test_a_token_name_is_normalised_and_one_with_an_invisible_character_is_refused(
    db: Session, cast: Cast
) -> None:
    new = accounts.create_api_token(
        db, owner=cast.admin, name="  \uff28R   sync ", created_by=cast.admin
    )
    assert new.token.name == "HR sync"

    with pytest.raises(accounts.AccountError) as refused:
        accounts.create_api_token(db, owner=cast.admin, name="HR\u200bsync", created_by=cast.admin)

    assert refused.value.field == "name" and "U+200B" in refused.value.message
    assert db.scalars(select(ApiToken.name)).all() == ["HR sync"]


def test_create_admin_refuses_a_name_that_reverses_text_and_writes_nobody(db: Session) -> None:
    with pytest.raises(accounts.AccountError) as refused:
        accounts.create_admin(
            db, email="first@example.org", name="Ada \u202enimdA", password="long enough pass"
        )

    assert refused.value.field == "name" and "text-direction" in refused.value.message
    assert db.scalar(select(func.count()).select_from(Person)) == 0
    named = accounts.create_admin(
        db, email="first@example.org", name=" Ada\u00a0 Admin ", password="long enough pass"
    )
    assert named.name == "Ada Admin"
