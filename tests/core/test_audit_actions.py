"""Every admin action writes exactly one audit entry: who, what, to what, and what changed.

Each test performs one action through its service (the page, the API and the CLI all call the
service, so they are all covered) and reads the entries it added.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.accounts import service as accounts
from connectwell.core import audit
from connectwell.core.audit import AuditEntry
from connectwell.core.config import Settings
from connectwell.digests import service as digests
from connectwell.insights import publish
from connectwell.people import roster
from connectwell.people import service as people
from connectwell.people.models import Person
from connectwell.programs import rounds
from connectwell.programs import service as programs
from connectwell.programs.schemas import ProgramIn
from connectwell.pulses import service as pulses
from connectwell.pulses.schemas import ConstructIn, ItemIn, PulseIn
from connectwell.shoutouts import service as shoutouts
from connectwell.shoutouts import values
from connectwell.shoutouts.schemas import ShoutOutIn
from tests.conftest import Cast

MONDAY = dt.date(2026, 12, 7)
HEADER = "email,name,team,role\n"


def _last_id(db: Session) -> int:
    return db.scalar(select(func.max(AuditEntry.id))) or 0


def _added(db: Session, since: int) -> list[AuditEntry]:
    db.flush()
    return list(db.scalars(select(AuditEntry).where(AuditEntry.id > since).order_by(AuditEntry.id)))


def _one(db: Session, since: int) -> AuditEntry:
    [entry] = _added(db, since)
    return entry


def _program(db: Session, **values: object) -> programs.Program:
    data = ProgramIn.model_validate({"name": "Coffee", "starts_on": MONDAY, **values})
    return programs.create_program(db, data, actor=None)


# --- accounts ------------------------------------------------------------------------------


def test_it_audits_an_api_token_made_without_its_secret(db: Session, cast: Cast) -> None:
    since = _last_id(db)
    new = accounts.create_api_token(db, owner=cast.admin, name="HR sync", created_by=cast.admin)

    entry = _one(db, since)
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        cast.admin.id, "token.create", "api_token", new.token.id,
    )  # fmt: skip
    assert entry.target_label == "HR sync (acts as Ada Admin)"
    assert entry.changes == {
        "name": [None, "HR sync"],
        "prefix": [None, new.token.prefix],
        "owner": [None, cast.admin.email],
    }
    assert new.secret not in str(entry.changes) and new.token.token_hash not in str(entry.changes)


def test_it_audits_a_token_revoked_once(db: Session, cast: Cast) -> None:
    new = accounts.create_api_token(db, owner=cast.admin, name="HR sync", created_by=cast.admin)
    since = _last_id(db)

    accounts.revoke_api_token(db, new.token.id, actor=cast.admin)
    accounts.revoke_api_token(db, new.token.id, actor=cast.admin)  # again: nothing changes

    entry = _one(db, since)
    assert (entry.actor_id, entry.action, entry.target_id, entry.changes) == (
        cast.admin.id, "token.revoke", new.token.id, {"revoked": [False, True]},
    )  # fmt: skip


def test_it_audits_each_invitation(db: Session, cast: Cast, settings: Settings) -> None:
    since = _last_id(db)
    accounts.invite(db, [cast.other_member], settings, actor=cast.admin)

    entry = _one(db, since)
    assert (entry.actor_id, entry.action, entry.target_id, entry.target_label) == (
        cast.admin.id, "people.invite", cast.other_member.id, "Noah Member",
    )  # fmt: skip
    assert entry.changes == {}


def test_it_audits_an_admin_made_at_the_command_line_as_the_system(db: Session, cast: Cast) -> None:
    since = _last_id(db)
    accounts.create_admin(db, email=cast.member.email, name="", password="long enough pass")
    accounts.create_admin(db, email=cast.member.email, name="", password="another long one")

    entry = _one(db, since)
    assert (entry.actor_id, entry.actor_label, entry.action, entry.target_id) == (
        None, "system", "person.role", cast.member.id,
    )  # fmt: skip
    assert entry.changes == {"role": ["member", "admin"]}
    assert "pass" not in str(entry.changes)


# --- people and the roster -----------------------------------------------------------------


def test_it_audits_a_teams_leads_with_before_and_after(db: Session, cast: Cast) -> None:
    since = _last_id(db)
    people.set_team_leads(db, cast.platform, [cast.member.id], actor=cast.admin)
    people.set_team_leads(db, cast.platform, [cast.member.id], actor=cast.admin)  # unchanged

    entry = _one(db, since)
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        cast.admin.id, "team.leads", "team", cast.platform.id,
    )  # fmt: skip
    assert entry.target_label == "Platform"
    assert entry.changes == {"leads": [[cast.lead.email], [cast.member.email]]}


def test_it_audits_leads_set_by_email(db: Session, cast: Cast) -> None:
    since = _last_id(db)
    people.set_team_leads_by_email(db, cast.support, [cast.other_member.email], actor=cast.admin)

    entry = _one(db, since)
    assert (entry.action, entry.target_id, entry.changes) == (
        "team.leads", cast.support.id, {"leads": [[], [cast.other_member.email]]},
    )  # fmt: skip


def _import(db: Session, text: str, actor: audit.Actor, **options: bool) -> roster.ImportSummary:
    parsed = roster.parse_roster(text.encode(), filename="people.csv")
    return roster.import_roster(db, parsed, actor=actor, **options)


def test_it_audits_a_roster_import_once_with_its_counts(db: Session, cast: Cast) -> None:
    since = _last_id(db)
    rows = [f"{p.email},{p.name},,member" for p in (cast.member, cast.other_member)]
    _import(db, HEADER + "\n".join([*rows, "new@example.org,New Person,,"]), cast.admin.id)

    entries = _added(db, since)
    imports = [e for e in entries if e.action == "roster.import"]
    assert len(imports) == 1
    assert (imports[0].actor_id, imports[0].actor_label) == (cast.admin.id, "Ada Admin")
    assert (imports[0].target_type, imports[0].target_id) == ("roster", None)
    assert imports[0].target_label == "people.csv"
    assert imports[0].changes == {
        "added": [None, 1],
        "changed": [None, 2],  # both lose their team
        "deactivated": [None, 0],
    }
    assert [e.action for e in entries] == ["roster.import"]  # a new member is no role change


def test_it_audits_each_role_change_of_an_import(db: Session, cast: Cast) -> None:
    since = _last_id(db)
    text = HEADER + "\n".join(
        [
            f"{cast.member.email},{cast.member.name},Engineering > Platform,admin",
            f"{cast.lead.email},{cast.lead.name},Engineering > Platform,member",
            f"{cast.other_member.email},{cast.other_member.name},Customer > Support,lead",
            f"{cast.admin.email},{cast.admin.name},Engineering,admin",
        ]
    )
    _import(db, text, cast.admin)

    changed = {e.target_id: e for e in _added(db, since) if e.action == "person.role"}
    assert set(changed) == {cast.member.id, cast.lead.id, cast.other_member.id}
    assert changed[cast.member.id].changes == {"role": ["member", "admin"]}
    assert changed[cast.lead.id].changes == {
        "role": ["lead", "member"],
        "leads": [["Engineering > Platform"], []],
    }
    assert changed[cast.other_member.id].changes == {
        "role": ["member", "lead"],
        "leads": [[], ["Customer > Support"]],
    }
    assert {e.actor_id for e in changed.values()} == {cast.admin.id}
    assert changed[cast.lead.id].target_label == "Lee Lead"


def test_it_audits_each_person_deactivated_and_reactivated(db: Session, cast: Cast) -> None:
    keep = f"{cast.admin.email},{cast.admin.name},Engineering,admin\n"
    since = _last_id(db)
    _import(db, HEADER + keep, cast.admin, deactivate_missing=True)

    entries = _added(db, since)
    gone = [e for e in entries if e.action == "person.deactivate"]
    assert sorted(e.target_id for e in gone) == sorted(
        p.id for p in (cast.lead, cast.member, cast.other_member)
    )
    assert all(e.changes == {"is_active": [True, False]} for e in gone)
    [summary] = [e for e in entries if e.action == "roster.import"]
    assert summary.changes["deactivated"] == [None, 3]

    since = _last_id(db)
    _import(db, HEADER + keep + f"{cast.member.email},{cast.member.name},,", cast.admin)
    back = [e for e in _added(db, since) if e.action == "person.reactivate"]
    assert [(e.target_id, e.changes) for e in back] == [
        (cast.member.id, {"is_active": [False, True]})
    ]


def test_a_system_import_is_audited_as_the_system(db: Session, cast: Cast) -> None:
    since = _last_id(db)
    _import(db, HEADER + "new@example.org,New Person,,", None)

    entry = _one(db, since)
    assert (entry.actor_id, entry.actor_label, entry.action) == (None, "system", "roster.import")


# --- programmes and rounds -----------------------------------------------------------------


def test_it_audits_a_programme_created_with_its_settings(db: Session, cast: Cast) -> None:
    since = _last_id(db)
    data = ProgramIn(name="Coffee", starts_on=MONDAY, audience="teams", team_ids=[cast.platform.id])
    program = programs.create_program(db, data, actor=cast.admin)

    entry = _one(db, since)
    assert (entry.actor_id, entry.action, entry.target_id, entry.target_label) == (
        cast.admin.id, "program.create", program.id, "Coffee",
    )  # fmt: skip
    assert entry.changes["name"] == [None, "Coffee"]
    assert entry.changes["starts_on"] == [None, "2026-12-07"]
    assert entry.changes["kind"] == [None, "coffee"]
    assert entry.changes["team_ids"] == [None, [cast.platform.id]]


def test_it_audits_only_what_changed_in_a_programme(db: Session, cast: Cast) -> None:
    program = _program(db)
    since = _last_id(db)
    data = ProgramIn(name="Coffee", starts_on=MONDAY, weekday=3, local_hour=9)

    programs.update_program(db, program, data, actor=cast.admin)

    entry = _one(db, since)
    assert (entry.actor_id, entry.action, entry.target_id) == (
        cast.admin.id, "program.change", program.id,
    )  # fmt: skip
    assert entry.changes == {"weekday": [0, 3]}


@pytest.mark.parametrize(("active", "action"), [(False, "program.deactivate"), (True, None)])
def test_it_audits_a_programme_stopped_and_started(
    db: Session, cast: Cast, active: bool, action: str | None
) -> None:
    program = _program(db)
    since = _last_id(db)
    programs.set_active(db, program, active, actor=cast.admin)
    if action is None:  # already active: nothing changed, nothing written
        assert _added(db, since) == []
        programs.set_active(db, program, False, actor=cast.admin)
        since = _last_id(db)
        programs.set_active(db, program, True, actor=cast.admin)
        action = "program.activate"

    entry = _one(db, since)
    assert (entry.actor_id, entry.action, entry.target_id, entry.target_label) == (
        cast.admin.id, action, program.id, "Coffee",
    )  # fmt: skip
    assert entry.changes == {"is_active": [not program.is_active, program.is_active]}


def test_it_audits_a_round_run_by_hand_but_not_one_the_scheduler_runs(
    db: Session, cast: Cast
) -> None:
    program = _program(db, cadence="weekly")
    since = _last_id(db)

    row = rounds.run_round(db, program, MONDAY, actor=cast.admin)
    rounds.run_round(db, program, MONDAY + dt.timedelta(weeks=1), actor=None)

    assert row is not None
    entry = _one(db, since)
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        cast.admin.id, "round.run", "round", row.id,
    )  # fmt: skip
    assert entry.target_label == "Coffee, 2026-12-07"
    assert entry.changes == {
        "participants": [None, row.participants],
        "groups": [None, len(row.groups)],
    }


def test_it_audits_closed_rounds_published_by_hand_but_not_by_the_worker(
    db: Session, cast: Cast
) -> None:
    since = _last_id(db)
    now = dt.datetime.combine(MONDAY, dt.time(6), dt.UTC)

    done = publish.publish_now(db, floor=5, now=now, actor=cast.admin)
    publish.publish_due(db, floor=5, now=now)  # the worker: no one to credit

    entry = _one(db, since)
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        cast.admin.id, "insights.publish", "insights", None,
    )  # fmt: skip
    assert entry.changes == {"published": [None, len(done)]}


# --- pulses and the item bank --------------------------------------------------------------


def test_it_audits_a_pulse_created(db: Session, cast: Cast) -> None:
    since = _last_id(db)
    pulse = pulses.create_pulse(db, PulseIn(name="Team pulse", starts_on=MONDAY), actor=cast.admin)

    entry = _one(db, since)
    assert (entry.actor_id, entry.action, entry.target_id, entry.target_label) == (
        cast.admin.id, "pulse.create", pulse.id, "Team pulse",
    )  # fmt: skip
    assert entry.changes["name"] == [None, "Team pulse"]
    assert entry.changes["starts_on"] == [None, "2026-12-07"]


def test_it_audits_a_pulse_round_opened_by_hand_but_not_by_the_scheduler(
    db: Session, cast: Cast
) -> None:
    pulse = pulses.create_pulse(db, PulseIn(name="Team pulse", starts_on=MONDAY), actor=None)
    since = _last_id(db)

    row = pulses.open_round(db, pulse, MONDAY, actor=cast.admin)
    pulses.open_round(db, pulse, MONDAY + dt.timedelta(weeks=2), actor=None)

    assert row is not None
    entry = _one(db, since)
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        cast.admin.id, "pulse.open", "pulse_round", row.id,
    )  # fmt: skip
    assert entry.changes == {
        "opens_on": [None, "2026-12-07"],
        "closes_on": [None, row.closes_on.isoformat()],
        "invited": [None, 4],
    }


def test_it_audits_each_addition_to_the_item_bank(db: Session, cast: Cast) -> None:
    since = _last_id(db)
    data = ConstructIn(key="focus", name="Focus", description="Deep work")
    construct = pulses.add_construct(db, data, actor=cast.admin)
    item = pulses.add_item(
        db, ItemIn(construct_id=construct.id, text="I can focus here."), actor=cast.lead.id
    )

    first, second = _added(db, since)
    assert (first.actor_id, first.action, first.target_id, first.target_label) == (
        cast.admin.id, "bank.construct", construct.id, "Focus",
    )  # fmt: skip
    assert first.changes == {
        "key": [None, "focus"],
        "name": [None, "Focus"],
        "description": [None, "Deep work"],
    }
    assert (second.actor_id, second.action, second.target_id) == (
        cast.lead.id, "bank.item", item.id,
    )  # fmt: skip
    assert second.changes == {
        "construct": [None, "Focus"],
        "construct_id": [None, construct.id],
        "text": [None, "I can focus here."],
        "reverse_coded": [None, False],
    }


# --- values, shout-outs and the digest -----------------------------------------------------


def test_it_audits_a_value_added_and_retired(db: Session, cast: Cast) -> None:
    since = _last_id(db)
    value = values.add_value(db, "Courage", "Speak up", actor=cast.admin)
    added = _one(db, since)
    since = added.id

    values.retire_value(db, value.id, actor=cast.admin)
    values.retire_value(db, value.id, actor=cast.admin)  # already retired

    retired = _one(db, since)
    assert (added.action, added.target_id, added.target_label, added.changes) == (
        "value.add", value.id, "Courage",
        {"name": [None, "Courage"], "description": [None, "Speak up"]},
    )  # fmt: skip
    assert (retired.actor_id, retired.action, retired.target_id, retired.changes) == (
        cast.admin.id, "value.retire", value.id, {"is_active": [True, False]},
    )  # fmt: skip


def test_it_audits_a_shout_out_hidden_with_its_sender_and_reason(
    db: Session, cast: Cast, settings: Settings
) -> None:
    data = ShoutOutIn(message="Thanks!", pathway="enabling", person_ids=[cast.member.id])
    shoutout = shoutouts.give(db, cast.lead, data, settings)
    since = _last_id(db)

    shoutouts.hide(db, cast.admin, shoutout.id, "Sent by mistake")

    entry = _one(db, since)
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        cast.admin.id, "shoutout.hide", "shoutout", shoutout.id,
    )  # fmt: skip
    assert (entry.target_label, entry.reason) == (
        f"shout-out {shoutout.id} from Lee Lead",
        "Sent by mistake",
    )


def test_it_audits_a_leads_digest_day_and_hour(db: Session, cast: Cast) -> None:
    since = _last_id(db)
    digests.set_schedule(db, cast.lead, cast.platform.id, 2, 8)
    digests.set_schedule(db, cast.lead, cast.platform.id, 2, 8)  # the same again
    first = _one(db, since)
    digests.set_schedule(db, cast.lead, cast.platform.id, 4, 8)

    second = _one(db, first.id)
    assert (first.actor_id, first.action, first.target_type, first.target_id) == (
        cast.lead.id, "digest.schedule", "team", cast.platform.id,
    )  # fmt: skip
    assert first.changes == {"weekday": [None, 2], "local_hour": [None, 8]}
    assert second.changes == {"weekday": [2, 4]}


def test_no_entry_is_written_for_something_refused(db: Session, cast: Cast) -> None:
    since = _last_id(db)
    with pytest.raises(accounts.AccountError):
        accounts.create_api_token(db, owner=cast.member, name="x", created_by=cast.member)
    with pytest.raises(accounts.AccountError):
        accounts.create_api_token(db, owner=cast.member, name="x", created_by=cast.admin)
    with pytest.raises(people.PeopleError):
        people.set_team_leads(db, cast.platform, [999_999], actor=cast.admin)
    with pytest.raises(shoutouts.ShoutOutError):
        values.add_value(db, "", actor=cast.admin)

    assert _added(db, since) == []
    assert db.get(Person, cast.admin.id) is not None
