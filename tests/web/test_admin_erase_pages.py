"""Erasing a person: their personal data goes, what they gave stays, unnamed; counts hold."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import JSON, String, Text, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from connectwell.accounts import service as accounts
from connectwell.accounts.models import (
    ApiToken,
    Credential,
    LoginFailure,
    PasswordToken,
    SignInSession,
)
from connectwell.cli import app as cli
from connectwell.core.audit import AuditEntry
from connectwell.core.config import Settings, get_settings
from connectwell.core.db import Base, transaction
from connectwell.core.notify import Notification, OutboxEmail
from connectwell.digests.models import DigestOptOut
from connectwell.erasure import FORMER, erased_email
from connectwell.people import service as people
from connectwell.people.models import Person, TeamLead
from connectwell.programs.intros import send_due_intros
from connectwell.programs.models import GroupMember, Membership, NeverPair
from connectwell.shoutouts import service as shoutouts
from tests.conftest import TEST_PASSWORD, Cast
from tests.web.conftest import AsPerson, form_token, post_form
from tests.web.programs_setup import coffee, group_of
from tests.web.shoutouts_setup import give

KEPT = ("shoutouts", "shoutout_recipients", "shoutout_reactions", "shoutout_daily_counts",
        "group_members", "groups", "rounds", "pulse_participation", "published_figures",
        "goal_contributions", "people", "teams", "check_ins", "ballots")  # fmt: skip


def _erase(client: TestClient, db: Session, person_id: int, email: str) -> str:
    """Erase through the admin page (the request commits before it answers).

    Then ``db`` forgets its copies of the cast: signing in again merges a cast member, which
    cascades to their manager, and a stale copy of the erased person would write their old
    name back.
    """
    sent = post_form(client, f"/admin/people/{person_id}/erase", {"confirm_email": email})
    assert sent.status_code == 200, sent.text
    db.expire_all()
    return sent.text


def _counts(db: Session) -> dict[str, int]:
    db.expire_all()
    return {
        t.name: db.scalar(select(func.count()).select_from(t)) or 0
        for t in Base.metadata.sorted_tables
    }


@pytest.fixture
def lee_has_everything(client: TestClient, db: Session, cast: Cast, settings: Settings) -> Person:
    """Lee Lead, with a row of every kind that is theirs, and shout-outs both ways."""
    lee = cast.lead
    wrong = {"csrf_token": form_token(client), "email": lee.email, "password": "not the one"}
    assert client.post("/login", data=wrong).status_code == 401  # a failed sign-in, counted
    lee.bio, lee.interests = "Climbs on weekends", "climbing; chess"
    give(db, settings, lee, "Thanks Mia for the review!", person_ids=[cast.member.id])
    give(db, settings, cast.member, "Lee unblocked the release", person_ids=[lee.id])
    db.add(ApiToken(name="script", prefix="cw_lee", token_hash="f" * 64, person_id=lee.id))
    accounts.start_session(db, lee, settings)
    accounts.invite(db, [lee], settings, actor=None)  # a set-password link and an e-mail
    db.add(Notification(person_id=lee.id, kind="test", subject="Hello Lee", body="For Lee"))
    program = coffee(db)
    db.add(Membership(program_id=program.id, person_id=lee.id))
    db.add(NeverPair(person_id=lee.id, other_id=cast.other_member.id))
    db.add(NeverPair(person_id=cast.member.id, other_id=lee.id))
    db.add(DigestOptOut(person_id=lee.id))
    db.commit()
    group_of(db, program, lee.id)
    mine = db.scalar(select(GroupMember).where(GroupMember.person_id == lee.id))
    assert mine is not None
    mine.private_note = "Lee: talk about the reorg"
    db.commit()
    return lee


def test_erasing_a_person_removes_their_personal_data_and_keeps_every_count(
    as_person: AsPerson, db: Session, cast: Cast, lee_has_everything: Person
) -> None:
    lee_id, lee_email = lee_has_everything.id, lee_has_everything.email
    before = _counts(db)
    failed = select(LoginFailure).where(LoginFailure.key == f"email:{lee_email}")
    failed_before = db.scalars(failed).all()
    client = as_person(cast.admin)

    page = client.get(f"/admin/people/{lee_id}/erase")
    sent = _erase(client, db, lee_id, lee_email.upper())

    assert page.status_code == 200 and "Lee Lead" in page.text and "cannot be undone" in page.text
    assert "personal data is erased" in sent
    after = _counts(db)
    assert {t: after[t] for t in KEPT} == {t: before[t] for t in KEPT}
    lee = db.get(Person, lee_id)
    assert lee is not None
    assert (lee.name, lee.email, lee.bio, lee.interests, lee.is_active, lee.title) == (
        FORMER, erased_email(lee_id), "", "", False, "", )  # fmt: skip
    for model in (SignInSession, ApiToken, PasswordToken, Notification, Membership,
                  DigestOptOut, TeamLead):  # fmt: skip
        assert db.scalar(select(func.count()).select_from(model).where(
            model.person_id == lee_id)) == 0, model  # type: ignore[attr-defined]  # fmt: skip
    assert db.get(Credential, lee_id) is None
    assert db.scalars(select(NeverPair).where(
        (NeverPair.person_id == lee_id) | (NeverPair.other_id == lee_id))).all() == []  # fmt: skip
    assert len(failed_before) == 1 and db.scalars(failed).all() == []
    assert db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == lee_email)).all() == []
    note = db.scalar(select(GroupMember.private_note).where(GroupMember.person_id == lee_id))
    assert note == ""
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == "person.erase")).all()
    assert (entry.actor_id, entry.target_id, entry.target_label) == (cast.admin.id, lee_id, FORMER)
    every_label = " ".join(
        f"{e.actor_label} {e.target_label} {e.changes}" for e in db.scalars(select(AuditEntry))
    )
    assert "Lee Lead" not in every_label and lee_email not in every_label


def _columns_naming(db: Session, *words: str) -> list[str]:
    """Every text and JSON value in the database that holds one of ``words`` (any case)."""
    db.expire_all()
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
        for row in db.execute(select(*columns)).mappings() if columns else []:
            for column in columns:
                value = row[column.name]
                text = value if isinstance(value, str) else json.dumps(value, default=str)
                found += [f"{table.name}.{column.name}" for w in words if w.lower() in text.lower()]
    return found


def test_erasing_leaves_their_name_and_e_mail_in_no_column_of_any_table(
    as_person: AsPerson, db: Session, cast: Cast, settings: Settings, lee_has_everything: Person
) -> None:
    lee_id, lee_email = lee_has_everything.id, lee_has_everything.email
    people.set_team_leads(db, cast.support, [lee_id], actor=cast.admin)
    given = give(
        db, settings, cast.other_member, "Lee Lead unblocked the release", person_ids=[lee_id]
    )
    shoutouts.hide(db, cast.admin, given.id, "off topic")
    db.commit()
    assert send_due_intros(db, settings, dt.datetime.now(dt.UTC) + dt.timedelta(days=3)) > 0
    db.commit()
    before = _columns_naming(db, "Lee Lead", lee_email)

    _erase(as_person(cast.admin), db, lee_id, lee_email)

    kept = set(before) - {"people.name", "people.email", "login_failures.key"}
    assert {"notifications.subject", "outbox_emails.attachments", "shoutouts.message",
            "audit_log.changes"} <= kept  # fmt: skip
    assert _columns_naming(db, "Lee Lead", lee_email) == []
    to_mia = db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == cast.member.email))
    subjects = {mail.subject: mail.status for mail in to_mia}
    assert subjects.get(f"{FORMER} appreciated you") == "pending"
    meet = select(OutboxEmail).where(OutboxEmail.subject == f"Coffee: meet {FORMER}")
    [invite] = db.scalars(meet).all()
    ics = invite.attachments[0]["content"].replace("\r\n ", "")
    [summary] = [line for line in ics.splitlines() if line.startswith("SUMMARY:")]
    assert ics.count("ATTENDEE") == 1 and FORMER in summary


def test_their_shout_outs_read_as_from_and_to_a_former_colleague_with_their_words(
    as_person: AsPerson, db: Session, cast: Cast, lee_has_everything: Person
) -> None:
    lee_id, lee_email = lee_has_everything.id, lee_has_everything.email
    admin = as_person(cast.admin)
    _erase(admin, db, lee_id, lee_email)

    feed = as_person(cast.member).get("/shoutouts").text

    assert "Thanks Mia for the review!" in feed and "Lee unblocked the release" in feed
    assert "Lee Lead" not in feed and lee_email not in feed
    assert feed.count(FORMER) >= 2


def test_an_erased_person_can_no_longer_sign_in_and_their_session_is_gone(
    client: TestClient, factory: sessionmaker[Session], db: Session, cast: Cast,
    settings: Settings, lee_has_everything: Person, as_person: AsPerson,
) -> None:  # fmt: skip
    lee_id, lee_email = lee_has_everything.id, lee_has_everything.email
    with transaction(factory) as session:
        lee_token = accounts.start_session(session, session.merge(lee_has_everything), settings)
    _erase(as_person(cast.admin), db, lee_id, lee_email)
    client.cookies.clear()

    form = {"csrf_token": form_token(client), "email": lee_email, "password": TEST_PASSWORD}
    signed_in = client.post("/login", data=form)
    client.cookies.clear()
    client.cookies.set("cw_session", lee_token)
    with_old_cookie = client.get("/api/v1/me")

    assert signed_in.status_code != 303 and "cw_session" not in signed_in.cookies
    assert with_old_cookie.status_code == 401


def test_erasing_needs_the_typed_e_mail_and_an_admin_and_a_csrf_token(
    as_person: AsPerson, db: Session, cast: Cast, lee_has_everything: Person
) -> None:
    lee_id = lee_has_everything.id
    before = _counts(db)
    admin = as_person(cast.admin)

    wrong = post_form(admin, f"/admin/people/{lee_id}/erase", {"confirm_email": "lee@nowhere.org"})
    no_csrf = admin.post(f"/admin/people/{lee_id}/erase", data={"confirm_email": "x"})
    itself = post_form(admin, f"/admin/people/{cast.admin.id}/erase",
                       {"confirm_email": cast.admin.email})  # fmt: skip
    member = as_person(cast.member)
    by_member = post_form(member, f"/admin/people/{lee_id}/erase",
                          {"confirm_email": lee_has_everything.email})  # fmt: skip

    assert wrong.status_code == 422 and "Type the person&#39;s e-mail exactly" in wrong.text
    assert no_csrf.status_code == 403
    assert itself.status_code == 403 and "you cannot erase yourself" in itself.text
    assert by_member.status_code == 403
    assert _counts(db) | {"sign_in_sessions": 0} == before | {"sign_in_sessions": 0}
    db.expire_all()
    assert db.get(Person, lee_id).name == "Lee Lead"  # type: ignore[union-attr]


@pytest.fixture
def environment(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_the_erase_person_command_erases_by_e_mail_and_names_a_missing_person(
    environment: Path, db: Session, cast: Cast, lee_has_everything: Person
) -> None:
    lee_id, lee_email = lee_has_everything.id, lee_has_everything.email
    before = _counts(db)
    runner = CliRunner()

    done = runner.invoke(cli, ["erase-person", "--yes", lee_email])
    again = runner.invoke(cli, ["erase-person", "--yes", lee_email])

    assert done.exit_code == 0, done.output
    assert again.exit_code == 3 and f"email: nobody has the e-mail '{lee_email}'" in again.output
    after = _counts(db)
    assert {t: after[t] for t in KEPT} == {t: before[t] for t in KEPT}
    assert db.get(Person, lee_id).email == erased_email(lee_id)  # type: ignore[union-attr]
    assert after["sign_in_sessions"] == before["sign_in_sessions"] - 1
    assert after["api_tokens"] == before["api_tokens"] - 1
