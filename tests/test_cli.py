"""The connectwell command: one transaction per command, clear errors, non-zero on failure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from connectwell.accounts.models import Credential
from connectwell.cli import app
from connectwell.core.config import get_settings
from connectwell.core.notify import OutboxEmail
from connectwell.people.models import Person
from connectwell.programs.models import Round
from connectwell.shoutouts.models import ShoutOut

runner = CliRunner()


@pytest.fixture
def environment(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Session
) -> Iterator[Path]:
    """Point the command at the test database (``db`` empties it before and after)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _count(db: Session) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(Person)) or 0


def test_create_admin_makes_an_admin_who_has_a_password(environment: Path, db: Session) -> None:
    result = runner.invoke(
        app,
        ["create-admin", "--email", "root@example.org", "--name", "Root", "--password-stdin"],
        input="a long admin password\n",
    )

    assert result.exit_code == 0, result.output
    person = db.scalar(select(Person).where(Person.email == "root@example.org"))
    assert person is not None and person.is_admin
    assert db.get(Credential, person.id) is not None


def test_create_admin_refuses_a_short_password_and_writes_nothing(
    environment: Path, db: Session
) -> None:
    result = runner.invoke(
        app,
        ["create-admin", "--email", "root@example.org", "--name", "Root", "--password-stdin"],
        input="short\n",
    )

    assert result.exit_code == 1
    assert "password: at least 10 characters" in result.output
    assert _count(db) == 0


def test_import_roster_reports_every_bad_row_and_exits_non_zero(
    environment: Path, db: Session
) -> None:
    path = environment / "roster.csv"
    path.write_text(
        "email,name,timezone,start_date\n"
        "ok@example.org,Ok,Europe/Paris,2024-01-01\n"
        "bad,Bad Email,,\n"
        "tz@example.org,Bad Zone,Nowhere/City,\n"
        "date@example.org,Bad Date,,31/12/2024\n"
    )

    result = runner.invoke(app, ["import-roster", str(path)])

    assert result.exit_code == 1
    for expected in ("row 3, email", "row 4, timezone", "row 5, start_date", "nothing imported"):
        assert expected in result.output
    assert _count(db) == 0


def test_import_then_export_roster_round_trips(environment: Path, db: Session) -> None:
    path = environment / "roster.csv"
    path.write_text(
        "email,name,team,manager_email,role\n"
        "boss@example.org,Bea Boss,Sales,,lead\n"
        "rep@example.org,Rae Rep,Sales > EMEA,boss@example.org,member\n"
    )
    imported = runner.invoke(app, ["import-roster", str(path), "--invite"])
    assert imported.exit_code == 0, imported.output
    assert "2 created" in imported.output
    assert db.scalar(select(func.count()).select_from(OutboxEmail)) == 2

    out = environment / "export.csv"
    exported = runner.invoke(app, ["export-roster", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    again = runner.invoke(app, ["import-roster", str(out)])

    assert "0 created, 0 updated, 2 unchanged" in again.output
    assert "rep@example.org,Rae Rep,Sales > EMEA,boss@example.org" in out.read_text()


def test_demo_seeds_an_empty_database_once_and_prints_the_sign_ins(
    environment: Path, db: Session
) -> None:
    first = runner.invoke(app, ["demo", "--people", "60"])
    second = runner.invoke(app, ["demo", "--people", "60"])

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert _count(db) == 60
    assert db.scalar(select(func.count()).select_from(ShoutOut)) == 360
    assert db.scalar(select(func.count()).select_from(Round)) == 12  # 12 weeks of coffee
    for role in ("admin", "lead", "member"):
        assert f"  {role} " in first.output
    assert "password: connectwell-demo" in second.output
    assert "not seeded again" in second.output


def test_pair_writes_groups_from_a_people_file_and_prints_the_summary(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "id,team,timezone\n" + "".join(f"p{k},team{k % 3},Europe/Berlin\n" for k in range(9))
    )
    out = tmp_path / "groups.csv"

    result = runner.invoke(app, ["pair", "--people", str(people), "--out", str(out), "--seed", "4"])

    assert result.exit_code == 0, result.output
    assert "people: 9" in result.output and "same-team pairs: 0" in result.output
    rows = out.read_text().splitlines()
    assert rows[0] == "group,person"
    assert sorted(row.split(",")[1] for row in rows[1:]) == sorted(f"p{k}" for k in range(9))


def test_pair_names_the_file_row_and_field_of_bad_input_and_writes_nothing(
    tmp_path: Path,
) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id,team,timezone\na,x,Europe/Paris\nb,y,Mars/Base\n")
    out = tmp_path / "groups.csv"

    result = runner.invoke(app, ["pair", "--people", str(people), "--out", str(out)])

    assert result.exit_code == 1
    assert "people.csv, row 3, field 'timezone'" in result.output
    assert not out.exists()
