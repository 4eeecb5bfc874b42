"""The connectwell command: one transaction per command, clear errors, non-zero on failure."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from connectwell.accounts.models import Credential
from connectwell.cli import EXIT_CODES, app, refusal, reported
from connectwell.core import errors
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

    assert result.exit_code == 2  # invalid input
    assert "password: at least 10 characters" in result.stderr
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

    assert result.exit_code == 2  # invalid input
    for expected in ("row 3, email", "row 4, timezone", "row 5, start_date", "nothing imported"):
        assert expected in result.stderr
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
    assert result.output.splitlines()[0].startswith("Round of ")
    assert "9 people in 4 groups: 3 pairs and 1 trio." in result.output
    assert "Same team: no pair." in result.output
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

    assert result.exit_code == 2  # invalid input
    assert "people.csv, row 3, field 'timezone'" in result.stderr
    assert not out.exists()


def _people_file(folder: Path, count: int = 4) -> Path:
    people = folder / "people.csv"
    people.write_text("id,team\n" + "".join(f"p{k},t{k}\n" for k in range(count)))
    return people


def test_pair_takes_the_round_date_and_skips_history_of_leavers(tmp_path: Path) -> None:
    people = _people_file(tmp_path)
    history = tmp_path / "history.csv"
    history.write_text("date,group,person\n2026-03-02,1,p0\n2026-03-02,1,p1\n2026-03-02,2,gone\n")
    out = tmp_path / "groups.csv"

    args = ["pair", "--people", str(people), "--history", str(history), "--out", str(out)]
    result = runner.invoke(app, [*args, "--date", "2026-03-09"])
    strict = runner.invoke(app, [*args, "--date", "2026-03-09", "--strict-history"])
    bad_date = runner.invoke(app, [*args, "--date", "09/03/2026"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Round of 2026-03-09: 4 people in 2 groups: 2 pairs.")
    assert "skipped 1 history row of 1 person no longer in people.csv (gone)" in result.output
    groups = {line.split(",")[1] for line in out.read_text().splitlines()[1:3]}
    assert groups != {"p0", "p1"}  # they met a week before the round
    assert strict.exit_code == 2
    assert strict.stderr == (
        "history.csv, row 4, field 'person': unknown person 'gone': not in the people file\n"
    )
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" not in bad_date.stdout


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing-folder", "the folder '{tmp}/nowhere' does not exist"),
        ("out-is-people", "is the --people file: write the groups to another file"),
        ("one-person", "people.csv: only one person ('p0'): a round needs at least two people"),
        ("too-many", "people.csv: more than 2 people (the limit of --max-people)"),
    ],
)
def test_pair_refuses_in_one_line_on_stderr_with_exit_code_2(
    tmp_path: Path, case: str, message: str
) -> None:
    people = _people_file(tmp_path, count=1 if case == "one-person" else 4)
    before = people.read_text()
    out = {
        "missing-folder": tmp_path / "nowhere" / "groups.csv",
        "out-is-people": people,
    }.get(case, tmp_path / "groups.csv")
    extra = ["--max-people", "2"] if case == "too-many" else []

    result = runner.invoke(app, ["pair", "--people", str(people), "--out", str(out), *extra])

    assert result.exit_code == 2, result.output
    assert message.format(tmp=tmp_path) in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert people.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["people.csv"]


def test_pair_reports_a_result_that_failed_its_check_in_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectwell.matching import Result, csv_io

    def broken(participants: list[object], **kwargs: object) -> Result:
        return Result(
            groups=(("p0", "p1"),), weight=1, matching_weight=1, upper_bound=None, candidate_edges=0
        )

    monkeypatch.setattr(csv_io, "pair_round", broken)
    people = _people_file(tmp_path)
    out = tmp_path / "groups.csv"

    result = runner.invoke(app, ["pair", "--people", str(people), "--out", str(out)])

    assert result.exit_code == 1
    assert result.stderr == (
        "result: failed its own check, please report this: 2 people dropped, e.g. 'p2'\n"
    )
    assert not out.exists()


def test_pair_help_lists_the_columns_and_shows_no_bool(tmp_path: Path) -> None:
    result = runner.invoke(app, ["pair", "--help"], env={"COLUMNS": "100"})

    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "<bool>" not in text and "id, team, ..." not in text
    for words in (
        "id (required, unique)",
        "timezone (IANA, like Europe/Berlin; default UTC)",
        "HISTORY.csv columns: date (YYYY-MM-DD)",
        "A pair that met exactly --no-repeat-weeks weeks (or more) before the round may meet",
        "--strict-history",
        "--max-people",
        "--date",
    ):
        assert words in text, words


def test_pair_loads_neither_the_database_nor_the_web_stack(tmp_path: Path) -> None:
    import subprocess
    import sys

    people = _people_file(tmp_path)
    script = (
        "import sys\n"
        "from connectwell.cli import app\n"
        f"sys.argv = ['connectwell', 'pair', '--people', {str(people)!r}, "
        f"'--out', {str(tmp_path / 'groups.csv')!r}]\n"
        "try:\n    app()\nexcept SystemExit as done:\n    assert not done.code, done.code\n"
        "heavy = ('sqlalchemy', 'fastapi', 'starlette', 'alembic', 'jinja2', 'connectwell.web',"
        " 'connectwell.core.db', 'connectwell.accounts', 'connectwell.people', "
        "'connectwell.demo', 'connectwell.programs')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )

    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
    assert "Round of " in done.stdout


# --- refusals: one exit code per kind, ``field: message`` on standard error ---------------------


def _raising(error: BaseException) -> typer.Typer:
    """A command that fails with ``error`` the way every command does: inside ``reported``."""
    command = typer.Typer()

    @command.command()
    def fail() -> None:
        with reported():
            raise error

    return command


@pytest.mark.parametrize(
    ("kind", "code"),
    [(errors.Invalid, 2), (errors.NotFound, 3), (errors.NotAllowed, 4), (errors.Conflict, 5)],
)
def test_it_exits_with_one_code_per_kind_and_says_why_on_stderr(
    kind: type[errors.DomainError], code: int
) -> None:
    result = runner.invoke(_raising(kind("team_id", "no team 7")))

    assert result.exit_code == code == EXIT_CODES[kind]
    assert result.stderr == "team_id: no team 7\n"
    assert result.stdout == ""


def test_it_exits_by_the_kind_of_a_domain_class_not_its_base() -> None:
    from connectwell.goals.service import GoalNotAllowed, GoalReached

    assert runner.invoke(_raising(GoalNotAllowed("team_id", "not yours"))).exit_code == 4
    assert runner.invoke(_raising(GoalReached("goal", "reached already"))).exit_code == 5


def test_it_gives_the_libraries_input_errors_code_2_in_their_own_words() -> None:
    from connectwell.matching import MatchingInputError
    from connectwell.network.model import NetworkInputError
    from connectwell.stats.errors import StatsInputError

    matching = runner.invoke(
        _raising(MatchingInputError("people.csv", 3, "timezone", "unknown time zone"))
    )
    stats = runner.invoke(_raising(StatsInputError("floor", "must be at least 3, got 2")))

    assert matching.exit_code == stats.exit_code == 2
    assert matching.stderr == "people.csv, row 3, field 'timezone': unknown time zone\n"
    assert stats.stderr == "floor: must be at least 3, got 2\n"
    assert refusal(NetworkInputError("team", None, "empty")) == (
        2,
        str(NetworkInputError("team", None, "empty")),
    )


def test_it_exits_1_when_a_result_fails_its_own_check() -> None:
    from connectwell.matching import InvalidResultError

    result = runner.invoke(_raising(InvalidResultError("person p3 is in two groups")))

    assert result.exit_code == 1
    assert "person p3 is in two groups" in result.stderr and "report" in result.stderr


def test_it_lets_an_unexpected_error_through_as_a_bug() -> None:
    result = runner.invoke(_raising(RuntimeError("boom")))

    assert refusal(RuntimeError("boom")) is None
    assert isinstance(result.exception, RuntimeError)


def test_it_documents_the_exit_codes_in_its_help() -> None:
    result = runner.invoke(app, ["--help"])

    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for words in ("2 invalid input", "3 not found", "4 not allowed", "5 a conflict"):
        assert words in text


def test_migrate_warns_loudly_when_sqlite_and_the_secret_key_share_the_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    get_settings.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="connectwell.cli"):
            result = runner.invoke(app, ["migrate"])
        warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        caplog.clear()
        monkeypatch.setenv("SECRET_KEY", "k" * 40)
        get_settings.cache_clear()
        with caplog.at_level(logging.WARNING, logger="connectwell.cli"):
            quiet = runner.invoke(app, ["migrate"])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 0, result.output
    assert len(warned) == 1
    assert f"read from {tmp_path / 'secret_key'}" in warned[0]
    assert "Set SECRET_KEY in the environment" in warned[0]
    assert quiet.exit_code == 0
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
