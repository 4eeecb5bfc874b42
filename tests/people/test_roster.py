"""Roster import and export: all or nothing, every problem reported by row and field."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.people import roster
from connectwell.people.models import Person, Team, TeamLead
from connectwell.people.service import team_paths

HEADER = "email,name,team,manager_email,title,timezone,location,start_date,role\n"
GOOD = HEADER + "".join(
    f"{line}\n"
    for line in (
        "boss@example.org,Bea Boss,Engineering,,CTO,Europe/London,London,2019-01-07,admin",
        "lead@example.org,Lou Lead,Engineering > Platform,boss@example.org,Lead,"
        "Europe/Berlin,Berlin,2020-03-01,lead",
        "dev@example.org,Dev Eloper,Engineering > Platform,lead@example.org,Engineer,"
        "Asia/Singapore,Singapore,2026-11-02,member",
    )
)


def _import(db: Session, text: str, **options: object) -> roster.ImportSummary:
    options.setdefault("actor", None)
    summary = roster.import_roster(db, roster.parse_roster(text.encode()), **options)  # type: ignore[arg-type]
    db.commit()
    return summary


def _database_state(db: Session) -> tuple[object, ...]:
    people = db.execute(
        select(
            Person.email, Person.name, Person.team_id, Person.manager_id, Person.is_active
        ).order_by(Person.email)
    ).all()
    teams = db.execute(select(Team.id, Team.name, Team.parent_id).order_by(Team.id)).all()
    leads = db.execute(select(TeamLead.team_id, TeamLead.person_id)).all()
    return (tuple(people), tuple(teams), tuple(sorted(leads)))


def test_it_creates_people_nested_teams_managers_and_leads(db: Session) -> None:
    summary = _import(db, GOOD)

    assert (summary.created, summary.updated, summary.teams_created) == (3, 0, 2)
    dev = db.scalar(select(Person).where(Person.email == "dev@example.org"))
    assert dev is not None and dev.manager is not None
    assert dev.manager.email == "lead@example.org"
    assert team_paths(db)[dev.team_id] == "Engineering > Platform"
    assert dev.start_date == dt.date(2026, 11, 2) and dev.timezone == "Asia/Singapore"
    lead = db.scalar(select(Person).where(Person.email == "lead@example.org"))
    assert lead is not None
    assert db.scalars(select(TeamLead.team_id).where(TeamLead.person_id == lead.id)).all() == [
        lead.team_id
    ]
    boss = db.scalar(select(Person).where(Person.email == "boss@example.org"))
    assert boss is not None and boss.is_admin


def test_it_refuses_ten_bad_rows_reporting_each_by_row_and_field_and_writes_nothing(
    db: Session,
) -> None:
    _import(db, GOOD)
    before = _database_state(db)
    bad = (
        HEADER
        + "boss@example.org,Bea Boss,Engineering,,CTO,,,2019-01-07,admin\n"  # 2 ok
        + "not-an-email,Nobody,Engineering,,,,,,\n"  # 3 bad email
        + "tz@example.org,Tim Zone,Engineering,,,Mars/Olympus,,,\n"  # 4 unknown time zone
        + "orphan@example.org,Orla,Engineering,ghost@example.org,,,,,\n"  # 5 no such manager
        + "a@example.org,Al Pha,Engineering,b@example.org,,,,,\n"  # 6 cycle a -> b
        + "b@example.org,Bet A,Engineering,a@example.org,,,,,\n"  # 7 cycle b -> a
        + "boss@example.org,Bea Again,Engineering,,,,,,\n"  # 8 duplicate email
        + "date@example.org,Dee Date,Engineering,,,,,2024-02-30,\n"  # 9 bad date
        + "role@example.org,Ro Le,Engineering,,,,,,superuser\n"  # 10 bad role
        + ",No Email,Engineering,,,,,,\n"  # 11 missing email
        + "self@example.org,Sel F,Engineering,self@example.org,,,,,\n"  # 12 own manager
    )
    with pytest.raises(roster.RosterError) as raised:
        _import(db, bad)
    db.rollback()

    found = {(p.row, p.field) for p in raised.value.problems}
    assert found == {
        (3, "email"),
        (4, "timezone"),
        (5, "manager_email"),
        (6, "manager_email"),
        (7, "manager_email"),
        (8, "email"),
        (9, "start_date"),
        (10, "role"),
        (11, "email"),
        (12, "manager_email"),
    }
    messages = {(p.row, p.field): p.message for p in raised.value.problems}
    assert "Mars/Olympus" in messages[(4, "timezone")]
    assert "ghost@example.org" in messages[(5, "manager_email")]
    assert "cycle" in messages[(6, "manager_email")]
    assert "row 2" in messages[(8, "email")]
    assert "row 3, email" in str(raised.value)
    assert _database_state(db) == before


def test_it_updates_people_by_email_on_reimport_and_counts_what_changed(db: Session) -> None:
    _import(db, GOOD)
    moved = GOOD.replace("Dev Eloper,Engineering > Platform", "Dev Eloper,Engineering > Data")

    summary = _import(db, moved)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 2)
    assert summary.teams_created == 1
    dev = db.scalar(select(Person).where(Person.email == "dev@example.org"))
    assert dev is not None and team_paths(db)[dev.team_id] == "Engineering > Data"
    assert db.scalar(select(func.count()).select_from(Person)) == 3


def test_it_deactivates_people_missing_from_the_file_only_when_asked(db: Session) -> None:
    _import(db, GOOD)
    without_dev = "".join(line + "\n" for line in GOOD.splitlines() if "dev@" not in line)

    kept = _import(db, without_dev)
    assert kept.deactivated == 0
    left = _import(db, without_dev, deactivate_missing=True)

    assert left.deactivated == 1
    dev = db.scalar(select(Person).where(Person.email == "dev@example.org"))
    assert dev is not None and dev.is_active is False


def test_it_never_deactivates_the_admin_doing_the_import(db: Session) -> None:
    _import(db, GOOD)
    boss = db.scalar(select(Person).where(Person.email == "boss@example.org"))
    assert boss is not None
    only_dev = HEADER + "dev@example.org,Dev Eloper,,,,,,,member\n"

    summary = _import(db, only_dev, deactivate_missing=True, actor=boss.id)

    assert summary.deactivated == 1  # the lead, not the acting admin
    db.refresh(boss)
    assert boss.is_active


def test_it_refuses_to_take_away_the_importing_admins_own_role(db: Session) -> None:
    _import(db, GOOD)
    boss = db.scalar(select(Person).where(Person.email == "boss@example.org"))
    assert boss is not None
    demoted = GOOD.replace("London,2019-01-07,admin", "London,2019-01-07,member")

    with pytest.raises(roster.RosterError) as raised:
        _import(db, demoted, actor=boss.id)

    assert [(p.row, p.field) for p in raised.value.problems] == [(2, "role")]


def test_it_leaves_fields_of_missing_optional_columns_untouched(db: Session) -> None:
    _import(db, GOOD)

    summary = _import(db, "email,name,nickname\ndev@example.org,Dev Renamed,devvy\n")

    assert summary.updated == 1
    dev = db.scalar(select(Person).where(Person.email == "dev@example.org"))
    assert dev is not None
    assert (dev.name, dev.title, dev.timezone) == ("Dev Renamed", "Engineer", "Asia/Singapore")
    assert dev.manager is not None and dev.manager.email == "lead@example.org"


def test_it_names_missing_required_columns_and_empty_files() -> None:
    with pytest.raises(roster.RosterError) as missing:
        roster.parse_roster(b"email,team\nx@example.org,Eng\n", filename="people.csv")
    assert [(p.row, p.field) for p in missing.value.problems] == [(1, "name")]
    assert str(missing.value).startswith("people.csv:")

    with pytest.raises(roster.RosterError) as empty:
        roster.parse_roster(b"", filename="empty.csv")
    assert "empty" in empty.value.problems[0].message

    with pytest.raises(roster.RosterError) as binary:
        roster.parse_roster(b"\xff\xfe\x00bad", filename="sheet.xlsx")
    assert binary.value.problems[0].field == "file"


def test_the_export_reimports_without_any_change(db: Session) -> None:
    tricky = GOOD.replace("Dev Eloper", "=cmd|' /C calc'!A0")
    _import(db, tricky)

    exported = roster.export_roster(db)
    summary = _import(db, exported)

    assert "'=cmd" in exported  # a spreadsheet will not run it as a formula
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 3)
    dev = db.scalar(select(Person).where(Person.email == "dev@example.org"))
    assert dev is not None and dev.name == "=cmd|' /C calc'!A0"
    lines = exported.splitlines()
    assert lines[0] == HEADER.strip()
    assert any(line.endswith(",lead") and line.startswith("lead@") for line in lines)


def test_it_accepts_a_managers_row_that_comes_after_their_reports(db: Session) -> None:
    reordered = (
        HEADER
        + "dev@example.org,Dev Eloper,Platform,lead@example.org,,,,,\n"
        + "lead@example.org,Lou Lead,Platform,,,,,,lead\n"
    )

    summary = _import(db, reordered)

    assert summary.created == 2
    dev = db.scalar(select(Person).where(Person.email == "dev@example.org"))
    assert dev is not None and dev.manager is not None and dev.manager.email == "lead@example.org"


def test_it_refuses_unsafe_or_overlong_names_naming_row_and_field_and_writes_nothing(
    db: Session,
) -> None:
    _import(db, GOOD)
    before = _database_state(db)
    long_team = "T" * 150  # a team name is at most 120 characters (its column)
    bad = (
        HEADER
        + f"t1@example.org,Tea Long,{long_team},,,,,,\n"  # 2 one team too long
        + f"t2@example.org,Tea Nest,Engineering > {long_team},,,,,,\n"  # 3 nested, too long
        + "nul@example.org,Nu\x00ll,Engineering,,,,,,\n"  # 4 NUL byte
        + "rlo@example.org,Hugo \u202eokanaT,Engineering,,,,,,\n"  # 5 right-to-left override
        + "zw@example.org,Ad\u200bmin Hugo Tanaka,Engineering,,,,,,\n"  # 6 zero-width space
        + 'crlf@example.org,Cr Lf,Engineering,,"Two\r\nlines",,,,\n'  # 7 line break in a title
        + "team@example.org,Tim Team,Engi\u2066neering,,,,,,\n"  # 8 bidi isolate in a team
        + "loc@example.org,Lo Cation,Engineering,,,,Ber\tlin,,\n"  # 9 tab in a location
    )
    with pytest.raises(roster.RosterError) as raised:
        _import(db, bad)
    db.rollback()

    messages = {(p.row, p.field): p.message for p in raised.value.problems}
    assert set(messages) == {
        (2, "team"), (3, "team"), (4, "name"), (5, "name"), (6, "name"), (7, "title"),
        (8, "team"), (9, "location"),
    }  # fmt: skip
    assert "longer than 120 characters" in messages[(2, "team")]
    assert "longer than 120 characters" in messages[(3, "team")]
    assert "U+0000" in messages[(4, "name")]
    assert "U+202E" in messages[(5, "name")]
    assert "U+200B" in messages[(6, "name")]
    assert "U+000D" in messages[(7, "title")]
    assert "row 4, name" in str(raised.value)
    assert _database_state(db) == before


def test_names_titles_and_teams_are_stored_nfkc_normalised(db: Session) -> None:
    text = HEADER + "hugo@example.org,\uff28ugo\u00a0\u00a0Tanaka,\uff25ngineering,,\ufb01ne,,,,\n"

    _import(db, text)

    hugo = db.scalar(select(Person).where(Person.email == "hugo@example.org"))
    assert hugo is not None
    assert (hugo.name, hugo.title) == ("Hugo Tanaka", "fine")
    assert db.scalars(select(Team.name)).all() == ["Engineering"]
