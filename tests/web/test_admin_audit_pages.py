"""/admin/audit, /admin/audit.csv and /api/v1/audit: every admin action, for admins only."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.core import audit
from connectwell.core.audit import AuditEntry
from connectwell.core.config import Settings
from connectwell.shoutouts import service
from connectwell.shoutouts.models import ShoutOut
from tests.conftest import Cast
from tests.web.conftest import AsPerson, Tokens, bearer, post_form
from tests.web.shoutouts_setup import HOSTILE, give


def _entries(db: Session, action: str) -> list[AuditEntry]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_audit_log_lists_who_hid_what_and_why_as_text(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    shoutout = give(db, settings, cast.lead, HOSTILE, person_ids=[cast.member.id])
    service.hide(db, cast.admin, shoutout.id, "Not kind <b>at all</b>")
    db.commit()

    page = as_person(cast.admin).get(f"/admin/audit?hidden={shoutout.id}")

    assert page.status_code == 200
    assert "The shout-out is hidden." in page.text
    assert "Ada Admin" in page.text and "hid a shout-out" in page.text
    assert f"shout-out {shoutout.id} from Lee Lead" in page.text
    assert "Not kind &lt;b&gt;at all&lt;/b&gt;" in page.text
    assert "<script>alert" not in page.text and "&lt;script&gt;" not in page.text  # no message
    assert as_person(cast.member).get("/admin/audit").status_code == 403


def test_it_shows_who_when_what_and_what_changed_newest_first(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    audit.record(db, cast.admin, "value.add", "value", 1, "Courage",
                 changes=audit.changes({}, {"name": "Courage"}))  # fmt: skip
    audit.record(db, cast.lead, "digest.schedule", "team", cast.platform.id, "Platform",
                 changes={"weekday": [2, 4]})  # fmt: skip
    db.commit()

    text = as_person(cast.admin).get("/admin/audit").text

    assert "Times are in your time zone (Europe/London)" in text  # Ada's
    assert " GMT</td>" in text or " BST</td>" in text
    rows = text[text.index("<tbody>") :]
    assert rows.index('"What">changed a team&#39;s digest day and hour</td>') < rows.index(
        '"What">added a value</td>'
    )
    assert "Lee Lead" in text and "Platform" in text and "weekday: 2 → 4" in text
    assert "Ada Admin" in text and "name: Courage" in text


def test_it_filters_by_action_and_by_person_and_an_empty_choice_means_all(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    audit.record(db, cast.admin, "value.add", "value", 1, "Courage")
    audit.record(db, cast.lead, "digest.schedule", "team", cast.platform.id, "Platform")
    db.commit()
    admin = as_person(cast.admin)

    by_action = admin.get("/admin/audit?action=value.add&actor_id=").text
    by_person = admin.get(f"/admin/audit?action=&actor_id={cast.lead.id}").text
    unknown = admin.get("/admin/audit?action=nonsense")

    platform, courage = (
        '"To what" class="wrap">Platform</td>',
        '"To what" class="wrap">Courage</td>',
    )
    assert '"What">added a value</td>' in by_action and platform not in by_action
    assert platform in by_person and courage not in by_person
    assert f'<option value="{cast.lead.id}" selected>Lee Lead</option>' in by_person
    assert unknown.status_code == 200 and courage in unknown.text
    assert 'href="/admin/audit.csv?actor_id=' in by_person


def test_it_pages_back_with_an_older_link_that_keeps_the_filter(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    for n in range(55):
        audit.record(db, cast.admin, "value.add", "value", n, f"Value number {n}")
    db.commit()
    admin = as_person(cast.admin)

    first = admin.get("/admin/audit?action=value.add").text
    newest_shown = [e.id for e in audit.entries(db, limit=50)]
    older_url = f"/admin/audit?action=value.add&amp;before_id={newest_shown[-1]}"
    second = admin.get(older_url.replace("&amp;", "&")).text

    assert "Value number 54" in first and "Value number 5<" in first
    assert "Value number 4<" not in first and older_url in first
    assert "Value number 4<" in second and "Value number 0<" in second
    assert "Value number 5<" not in second and "Older entries" not in second
    assert 'href="/admin/audit?action=value.add">Newest' in second


def test_members_and_leads_may_not_read_the_log_nor_its_csv(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    audit.record(db, cast.admin, "value.add", "value", 1, "Courage")
    db.commit()

    for person in (cast.member, cast.other_member, cast.lead):
        client = as_person(person)
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/audit.csv").status_code == 403
        assert "Courage" not in client.get("/admin/audit.csv").text


def test_the_csv_has_every_entry_and_escapes_formulas(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    audit.record(db, cast.admin, "value.add", "value", 1, "=cmd|' /C calc'!A0",
                 changes=audit.changes({}, {"name": "-2+3"}), reason="@SUM(A1)")  # fmt: skip
    audit.record(db, None, "roster.import", "roster", None, "demo roster")
    db.commit()

    response = as_person(cast.admin).get("/admin/audit.csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))

    assert response.headers["content-type"].startswith("text/csv")
    assert "audit-log.csv" in response.headers["content-disposition"]
    assert [row["who"] for row in rows] == ["system", "Ada Admin"]
    assert rows[1]["target"] == "'=cmd|' /C calc'!A0" and rows[1]["reason"] == "'@SUM(A1)"
    assert rows[1]["changes"] == '{"name": [null, "-2+3"]}'
    only = as_person(cast.admin).get("/admin/audit.csv?action=roster.import&actor_id=").text
    assert [row["action"] for row in csv.DictReader(io.StringIO(only))] == ["imported the roster"]


def test_the_csv_download_streams_more_entries_than_one_batch_and_all_arrive(
    db: Session, cast: Cast, as_person: AsPerson, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit, "CSV_BATCH", 7)
    for n in range(30):
        audit.record(db, cast.admin, "value.add", "value", n, f"Value {n}")
    db.commit()

    response = as_person(cast.admin).get("/admin/audit.csv?action=value.add")

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "content-length" not in response.headers  # streamed, not built whole
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["target"] for row in rows] == [f"Value {n}" for n in reversed(range(30))]


def test_the_api_lists_entries_for_admins_only(
    db: Session, cast: Cast, tokens: Tokens, client: TestClient
) -> None:
    answer = client.get("/api/v1/audit?action=token.create", headers=bearer(tokens.admin))
    refused = client.get("/api/v1/audit", headers=bearer(tokens.member))

    assert answer.status_code == 200 and refused.status_code == 403
    entries = answer.json()
    # the member's token is a row the fixture wrote (tokens are personal): not an admin action
    assert [e["target"] for e in entries] == ["admin sync (acts as Ada Admin)"]
    assert entries[0]["actor"] == "Ada Admin" and entries[0]["actor_id"] == cast.admin.id
    assert entries[0]["action_words"] == "created an API token"
    assert entries[0]["changes"]["name"] == [None, "admin sync"]
    assert tokens.admin not in answer.text


def test_a_token_made_and_revoked_on_the_page_is_audited_as_the_admin(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    admin = as_person(cast.admin)
    made = post_form(admin, "/admin/tokens", {"owner_email": cast.admin.email, "name": "Sync"})
    [created] = _entries(db, "token.create")

    revoked = post_form(admin, f"/admin/tokens/{created.target_id}/revoke")

    assert made.status_code == 201 and revoked.status_code == 303
    [entry] = _entries(db, "token.revoke")
    assert (created.actor_id, entry.actor_id) == (cast.admin.id, cast.admin.id)
    assert entry.target_id == created.target_id and entry.changes == {"revoked": [False, True]}


def test_a_teams_leads_set_through_the_api_are_audited_as_the_tokens_owner(
    db: Session, cast: Cast, tokens: Tokens, client: TestClient
) -> None:
    response = client.put(f"/api/v1/teams/{cast.support.id}/leads",
                          json={"person_ids": [cast.other_member.id]},
                          headers=bearer(tokens.admin))  # fmt: skip

    assert response.status_code == 200
    [entry] = _entries(db, "team.leads")
    assert (entry.actor_id, entry.target_id, entry.changes) == (
        cast.admin.id, cast.support.id, {"leads": [[], [cast.other_member.email]]},
    )  # fmt: skip


def test_a_hidden_shout_outs_message_never_reaches_the_log_its_csv_or_the_api(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson, tokens: Tokens,
    client: TestClient,
) -> None:  # fmt: skip
    secret = "Between us: the Q3 layoffs list is on the share"
    shoutout = give(db, settings, cast.lead, secret, person_ids=[cast.member.id])

    hidden = client.post(f"/api/v1/shoutouts/{shoutout.id}/hide", json={"reason": "Sensitive"},
                         headers=bearer(tokens.admin))  # fmt: skip

    assert hidden.status_code == 200
    [entry] = _entries(db, "shoutout.hide")
    assert entry.target_label == f"shout-out {shoutout.id} from Lee Lead"
    assert entry.reason == "Sensitive"
    admin = as_person(cast.admin)
    shown = [
        admin.get("/admin/audit").text,
        admin.get("/admin/audit.csv").text,
        client.get("/api/v1/audit", headers=bearer(tokens.admin)).text,
    ]
    assert all(f"shout-out {shoutout.id} from Lee Lead" in text for text in shown)
    assert all("layoffs" not in text for text in shown)
    assert all("layoffs" not in str(value) for value in vars(entry).values())


def test_an_admin_may_not_hide_a_private_shout_out_they_cannot_see(
    db: Session, cast: Cast, settings: Settings, tokens: Tokens, client: TestClient
) -> None:
    private = give(db, settings, cast.lead, "Just for you: my health news",
                   person_ids=[cast.member.id], visibility="private")  # fmt: skip

    response = client.post(f"/api/v1/shoutouts/{private.id}/hide", json={"reason": "Curious"},
                           headers=bearer(tokens.admin))  # fmt: skip
    seen = client.get(f"/api/v1/shoutouts/{private.id}", headers=bearer(tokens.admin))

    assert (response.status_code, seen.status_code) == (404, 404)
    assert "health" not in response.text
    assert _entries(db, "shoutout.hide") == []
    db.expire_all()
    assert db.scalar(select(ShoutOut.hidden_at).where(ShoutOut.id == private.id)) is None
