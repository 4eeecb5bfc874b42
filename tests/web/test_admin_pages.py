"""Admin pages: roster import and export, API tokens, the outbox (web/pages/admin.py)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from connectwell.accounts import service as accounts
from connectwell.accounts.models import ApiToken, PasswordToken
from connectwell.core.audit import AuditEntry
from connectwell.core.config import Settings
from connectwell.core.notify import OutboxEmail
from connectwell.people.models import Person, Team
from connectwell.people.service import team_paths
from connectwell.web.app import create_app
from connectwell.web.pages import (
    admin,
    admin_audit,
    admin_erase,
    admin_programs,
    admin_pulses,
    admin_shoutouts,
)
from tests.conftest import Cast, sign_in
from tests.web.conftest import (
    HEADER,
    NEW_PEOPLE,
    AsPerson,
    bearer,
    form_token,
    fresh,
    outbox,
    post_form,
    send,
)

LINK = re.compile(r"http://testserver/password/([A-Za-z0-9_\-]+)")


def upload(
    client: TestClient,
    content: str | bytes,
    *,
    filename: str = "roster.csv",
    csrf: bool = True,
    **options: str,
):
    data = {**options}
    if csrf:
        data["csrf_token"] = form_token(client)
    body = content.encode() if isinstance(content, str) else content
    return client.post("/admin/roster", data=data, files={"file": (filename, body, "text/csv")})


def _people(db: Session) -> dict[str, Person]:
    db.expire_all()
    return {person.email: person for person in db.scalars(select(Person))}


def _state(db: Session) -> tuple[object, ...]:
    db.expire_all()
    people = db.execute(
        select(Person.email, Person.name, Person.team_id, Person.manager_id, Person.is_active,
               Person.role).order_by(Person.email)
    ).all()  # fmt: skip
    teams = db.execute(select(Team.id, Team.name, Team.parent_id).order_by(Team.id)).all()
    return (tuple(people), tuple(teams), len(outbox(db)))


# --- the pages -----------------------------------------------------------------------------


def test_the_admin_page_links_every_admin_page(as_person: AsPerson, cast: Cast) -> None:
    modules = (admin, admin_audit, admin_erase, admin_programs, admin_pulses, admin_shoutouts)
    pages = {
        route.path
        for module in modules
        for route in module.router.routes
        if isinstance(route, APIRoute)
        and route.path.startswith("/admin/")
        and "GET" in route.methods
        and "{" not in route.path  # a person's erase page: linked from their profile
        and not route.path.endswith(".csv")  # downloads: linked from their page
    }
    response = as_person(cast.admin).get("/admin")

    assert response.status_code == 200
    assert {"/admin/roster", "/admin/programs", "/admin/pulses", "/admin/bank", "/admin/values",
            "/admin/audit", "/admin/tokens", "/admin/outbox"} <= pages  # fmt: skip
    for link in pages:
        assert f'href="{link}"' in response.text, f"/admin does not link {link}"
    assert "Erase a person" in response.text


def test_a_profile_links_its_erase_page_for_admins(as_person: AsPerson, cast: Cast) -> None:
    erase = f'href="/admin/people/{cast.member.id}/erase"'

    assert erase in as_person(cast.admin).get(f"/people/{cast.member.id}").text
    assert erase not in as_person(cast.lead).get(f"/people/{cast.member.id}").text


@pytest.mark.parametrize("role", ["member", "lead", "other_member"])
def test_admin_pages_are_refused_to_everyone_else(
    as_person: AsPerson, cast: Cast, role: str
) -> None:
    response = as_person(getattr(cast, role)).get("/admin/roster")

    assert response.status_code == 403
    assert "admins only" in response.text


# --- roster import -------------------------------------------------------------------------


def test_uploading_a_roster_creates_people_teams_and_managers(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    response = upload(as_person(cast.admin), NEW_PEOPLE)

    assert response.status_code == 200
    assert (
        "roster.csv imported:</strong> 2 created, 0 updated, 0 unchanged, 0 deactivated, "
        "1 new teams." in response.text
    )
    people = _people(db)
    rita, sam = people["rita.new@example.org"], people["sam.new@example.org"]
    assert team_paths(db)[rita.team_id] == "Engineering > Data"
    assert rita.manager_id == cast.lead.id and sam.manager_id == rita.id
    assert (rita.timezone, rita.location, str(rita.start_date)) == (
        "Asia/Singapore",
        "Singapore",
        "2026-01-05",
    )
    assert outbox(db) == []  # no invitations unless asked


def test_uploading_the_same_roster_again_changes_nothing(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.admin)
    upload(client, NEW_PEOPLE)
    before = _state(db)

    response = upload(client, NEW_PEOPLE)

    assert "0 created, 0 updated, 2 unchanged" in response.text
    assert _state(db) == before


def test_a_roster_with_bad_rows_is_refused_with_every_row_number_and_writes_nothing(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    before = _state(db)
    bad = (
        HEADER
        + "ok@example.org,Okay Person,Engineering,,,,,,\n"  # row 2: fine
        + "not-an-email,Nobody,Engineering,,,,,,\n"  # 3
        + "tz@example.org,Tim Zone,Engineering,,,Mars/Olympus,,,\n"  # 4
        + "orphan@example.org,Orla,Engineering,ghost@example.org,,,,,\n"  # 5
        + "ok@example.org,Okay Again,Engineering,,,,,,\n"  # 6
        + "date@example.org,Dee Date,Engineering,,,,,2024-02-30,\n"  # 7
        + "role@example.org,Ro Le,Engineering,,,,,,superuser\n"  # 8
    )

    response = upload(as_person(cast.admin), bad, filename="people.csv", invite="true")

    assert response.status_code == 422
    assert "people.csv was not imported</strong>: 6 problems. Nothing was changed." in response.text
    table = response.text.split('id="roster-problems"')[1]
    found = re.findall(r"<tr><td>(\d+)</td><td>([a-z_]+)</td>", table)
    assert found == [("3", "email"), ("4", "timezone"), ("5", "manager_email"),
                     ("6", "email"), ("7", "start_date"), ("8", "role")]  # fmt: skip
    assert _state(db) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\xff\xfe\x00not utf-8", "not UTF-8 text"),
        (b"name,team\nAl,Eng\n", "required column is missing"),
    ],
)
def test_a_file_that_is_not_a_roster_is_refused_on_row_one(
    as_person: AsPerson, db: Session, cast: Cast, content: bytes, message: str
) -> None:
    before = _state(db)

    response = upload(as_person(cast.admin), content)

    assert response.status_code == 422
    assert "<tr><td>1</td>" in response.text and message in response.text
    assert _state(db) == before


def test_deactivate_missing_marks_people_not_in_the_file_as_left_but_never_the_importing_admin(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    roster = (
        "email,name,team\n"
        "lee.lead@example.org,Lee Lead,Engineering > Platform\n"
        "mia.member@example.org,Mia Member,Engineering > Platform\n"
    )

    response = upload(as_person(cast.admin), roster, deactivate_missing="true")

    assert response.status_code == 200
    assert "1 deactivated" in response.text
    people = _people(db)
    assert not people["noah.member@example.org"].is_active
    assert people["ada.admin@example.org"].is_active
    assert people["mia.member@example.org"].is_active and people["lee.lead@example.org"].is_active


def test_without_deactivate_missing_nobody_is_deactivated(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    upload(as_person(cast.admin), "email,name\nmia.member@example.org,Mia Member\n")

    assert all(person.is_active for person in _people(db).values())


def test_the_invite_box_emails_each_new_person_a_link_to_set_their_password(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    roster = NEW_PEOPLE + "mia.member@example.org,Mia Member,Engineering > Platform,,,,,,\n"
    client = as_person(cast.admin)

    response = upload(client, roster, invite="true")

    assert response.status_code == 200
    assert "2 invitations e-mailed." in response.text
    emails = outbox(db)
    assert sorted(e.to_address for e in emails) == ["rita.new@example.org", "sam.new@example.org"]
    people = _people(db)
    for email in emails:
        assert email.person_id == people[email.to_address].id
        assert "invited" in email.subject
        match = LINK.search(email.text_body)
        assert match, email.text_body
        page = client.get(f"/password/{match.group(1)}")
        assert page.status_code == 200 and email.to_address in page.text
    purposes = db.scalars(select(PasswordToken.purpose)).all()
    assert purposes == ["invite", "invite"]


def test_a_roster_upload_without_the_csrf_token_is_refused_and_writes_nothing(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    before = _state(db)

    response = upload(as_person(cast.admin), NEW_PEOPLE, csrf=False)

    assert response.status_code == 403
    assert _state(db) == before


# --- roster export -------------------------------------------------------------------------


def test_the_roster_exports_as_csv_of_active_people_by_email(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    cast.other_member.is_active = False
    cast.member.title = "=HYPERLINK(evil)"
    db.commit()
    client = as_person(cast.admin)

    response = client.get("/admin/roster.csv")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'attachment; filename="roster.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["email"] for row in rows] == [
        "ada.admin@example.org", "lee.lead@example.org", "mia.member@example.org"
    ]  # fmt: skip
    by_email = {row["email"]: row for row in rows}
    assert by_email["lee.lead@example.org"]["role"] == "lead"
    assert by_email["ada.admin@example.org"]["role"] == "admin"
    assert by_email["mia.member@example.org"]["team"] == "Engineering > Platform"
    assert by_email["mia.member@example.org"]["manager_email"] == "lee.lead@example.org"
    assert by_email["mia.member@example.org"]["title"] == "'=HYPERLINK(evil)"  # no formula
    everyone = client.get("/admin/roster.csv", params={"include_inactive": "true"})
    assert "noah.member@example.org" in everyone.text


def test_an_exported_roster_imports_again_without_changes(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.admin)
    before = _state(db)

    response = upload(client, client.get("/admin/roster.csv").text)

    assert response.status_code == 200
    assert "0 created, 0 updated, 4 unchanged, 0 deactivated, 0 new teams." in response.text
    assert _state(db) == before


# --- API tokens ----------------------------------------------------------------------------


def _create_token(
    client: TestClient, owner_email: str, name: str = "nightly sync"
) -> httpx.Response:
    return post_form(client, "/admin/tokens", {"owner_email": owner_email, "name": name})


def _secret(html: str) -> str:
    match = re.search(r'id="new-secret" readonly value="(cw_[^"]+)"', html)
    assert match, "the new token is not on the page"
    return match.group(1)


def test_creating_a_token_shows_the_secret_once_and_stores_only_its_sha256(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    client = as_person(cast.admin)

    response = _create_token(client, "Ada.Admin@example.org")

    assert response.status_code == 201
    secret = _secret(response.text)
    assert "Copy it now: it is not shown again." in response.text
    row = db.scalars(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert (row.person_id, row.created_by_id, row.name) == (
        cast.admin.id,
        cast.admin.id,
        "nightly sync",
    )
    assert row.prefix == secret[:10]
    stored = [str(getattr(row, column.key)) for column in ApiToken.__table__.columns]
    assert not any(secret in value or secret[10:] in value for value in stored)
    later = client.get("/admin/tokens")
    assert secret not in later.text
    assert f"<code>{row.prefix}</code>" in later.text and "ada.admin@example.org" in later.text


def test_a_new_token_acts_as_its_owner_until_it_is_revoked(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    admin = as_person(cast.admin)
    secret = _secret(_create_token(admin, cast.admin.email).text)
    token_id = db.scalars(select(ApiToken.id)).one()
    with TestClient(admin.app) as script:
        me = script.get("/api/v1/me", headers=bearer(secret))
        assert me.status_code == 200 and me.json()["email"] == cast.admin.email

        revoked = post_form(admin, f"/admin/tokens/{token_id}/revoke")

        assert revoked.status_code == 303
        assert revoked.headers["location"] == "/admin/tokens"
        db.expire_all()
        assert db.get(ApiToken, token_id).revoked_at is not None  # type: ignore[union-attr]
        assert script.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    assert "revoked" in admin.get("/admin/tokens").text


@pytest.mark.parametrize(
    ("owner_email", "name", "field", "message"),
    [
        ("ghost@example.org", "sync", "owner_email", "nobody has the e-mail 'ghost@example.org'"),
        ("ada.admin@example.org", "   ", "name", "1 to 100 characters"),
    ],
)
def test_a_token_that_cannot_be_made_names_the_problem_and_writes_nothing(
    as_person: AsPerson,
    db: Session,
    cast: Cast,
    owner_email: str,
    name: str,
    field: str,
    message: str,
) -> None:
    fresh(db, cast.other_member).is_active = False
    db.commit()

    response = _create_token(as_person(cast.admin), owner_email, name)

    assert response.status_code == 422
    assert str(escape(message)) in response.text
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', response.text)
    assert db.scalar(select(func.count()).select_from(ApiToken)) == 0


@pytest.mark.parametrize("owner", ["member", "other_member", "lead"])
def test_an_admin_cannot_make_a_token_that_acts_as_someone_else(
    as_person: AsPerson, db: Session, cast: Cast, owner: str
) -> None:
    audit_before = db.scalar(select(func.count()).select_from(AuditEntry))
    victim = getattr(cast, owner)

    response = _create_token(as_person(cast.admin), victim.email.upper(), "read their inbox")

    assert response.status_code == 403
    assert "A token acts as the person who makes it: you can make one only for yourself." in (
        response.text
    )
    assert re.search(r'id="owner_email"[^>]*aria-invalid="true"', response.text)
    assert 'id="new-secret"' not in response.text and "cw_" not in response.text
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(ApiToken)) == 0
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == audit_before


# --- the outbox ----------------------------------------------------------------------------


def test_the_outbox_lists_the_emails_connectwell_would_send(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    send(db, cast.member, "Your pairing this week", "Meet Noah for coffee.")
    send(db, cast.other_member, "Your <pairing>", "Meet Mia for coffee.")
    db.execute(update(OutboxEmail).values(kind="intro"))  # a kind whose body may be shown
    db.commit()

    response = as_person(cast.admin).get("/admin/outbox")

    assert response.status_code == 200
    page = response.text
    assert "SMTP is not configured" in page
    assert "mia.member@example.org" in page and "noah.member@example.org" in page
    assert "Meet Noah for coffee." in page
    assert "Your &lt;pairing&gt;" in page and "<pairing>" not in page
    assert page.index("noah.member@example.org") < page.index(
        "mia.member@example.org"
    )  # newest first
    assert page.count("<td>pending</td>") == 2


def _smtp_client(
    settings: Settings, factory: sessionmaker[Session], cast: Cast
) -> Iterator[TestClient]:
    smtp = settings.model_copy(update={"smtp_host": "mail.example.org"})
    with TestClient(create_app(smtp, session_factory=factory), follow_redirects=False) as client:
        sign_in(client, factory, smtp, cast.admin)
        yield client


def test_with_smtp_configured_there_is_no_outbox_to_read_and_no_link_to_it(
    db: Session, cast: Cast, settings: Settings, factory: sessionmaker[Session]
) -> None:
    accounts.request_reset(db, cast.admin.email, settings)  # what anyone can ask for
    db.commit()
    for client in _smtp_client(settings, factory, cast):
        response = client.get("/admin/outbox")
        index = client.get("/admin")

        assert response.status_code == 404
        assert "SMTP is configured" in response.text
        assert "/password/" not in response.text and "Reset your" not in response.text
        assert index.status_code == 200
        assert 'href="/admin/outbox"' not in index.text
        assert 'href="/admin/tokens"' in index.text


def _secret_of(email: OutboxEmail) -> str:
    match = LINK.search(email.text_body)
    assert match, email.text_body
    return match.group(1)


def test_the_outbox_never_shows_a_reset_or_invitation_link(
    client: TestClient, as_person: AsPerson, db: Session, cast: Cast, settings: Settings
) -> None:
    post_form(client, "/password/forgot", {"email": cast.admin.email})  # anyone can ask
    accounts.invite(db, [cast.other_member], settings, actor=cast.admin)
    db.commit()
    secrets = [_secret_of(email) for email in outbox(db)]

    response = as_person(cast.admin).get("/admin/outbox")

    assert response.status_code == 200
    page = response.text
    assert len(secrets) == 2
    for secret in secrets:
        assert secret not in page and secret[:12] not in page
    assert "Reset your connectwell password" in page
    assert "You are invited to" in page
    assert page.count("[link removed: only the person it is for gets it, by e-mail]") == 2
    assert cast.admin.email in page and cast.other_member.email in page


def _mail(db: Session, person: Person, kind: str, subject: str, body: str) -> None:
    db.add(
        OutboxEmail(
            person_id=person.id, to_address=person.email, to_name=person.name, kind=kind,
            subject=subject, text_body=body, html_body=None,
        )
    )  # fmt: skip


def test_the_outbox_hides_shout_out_bodies_and_who_a_pulse_reminder_went_to(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    _mail(db, cast.member, "shoutout", "Lee Lead appreciated you", "Thanks for the quiet help.")
    _mail(db, cast.member, "pulse-reminder", "Team pulse is open until 4 Dec", "Hello Mia")
    _mail(db, cast.other_member, "pulse-reminder", "Team pulse is open until 4 Dec", "Hi Noah")
    db.commit()

    response = as_person(cast.admin).get("/admin/outbox")

    assert response.status_code == 200
    page = response.text
    assert "Lee Lead appreciated you" not in page  # names the sender of a maybe private one
    assert "Thanks for the quiet help." not in page
    assert "A shout-out: its words are not shown here" in page
    assert "Hello Mia" not in page and "Hi Noah" not in page
    assert "Team pulse is open until 4 Dec" in page and "2 people" in page
    assert page.count(cast.member.email) == 1  # the shout-out's recipient only
    assert cast.other_member.email not in page
