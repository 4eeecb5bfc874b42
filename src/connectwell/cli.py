"""The ``connectwell`` command. Each command is one transaction: all of it, or nothing.

Imports of the database and domain stack are made inside the commands that use them, so that
``connectwell pair`` (CSV files in and out, no database) loads only the matching library.
"""

from __future__ import annotations

import datetime as dt
import getpass
import logging
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand

from connectwell.core import errors
from connectwell.core.logs import configure_logging

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from connectwell.core.config import Settings
    from connectwell.demo import service as demo

# The one place where a refusal becomes an exit code; the help's epilog and README say so.
EXIT_CODES: dict[type[errors.DomainError], int] = {
    errors.Invalid: 2,
    errors.NotFound: 3,
    errors.NotAllowed: 4,
    errors.Conflict: 5,
}
EXIT_INVALID_INPUT = EXIT_CODES[errors.Invalid]  # the pure libraries' input errors too
EXIT_FAILED_CHECK = 1  # a computed result that failed its own check: a bug to report
EXIT_CODES_HELP = (
    "Exit codes: 0 done; 1 a result failed its own check (a bug, please report it); "
    "2 invalid input; 3 not found; 4 not allowed; 5 a conflict with what is stored. "
    "A refusal is printed to standard error as 'field: message'."
)

app = typer.Typer(
    help="connectwell: high-quality connections at work.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
)


log = logging.getLogger(__name__)


@app.callback()
def _logs() -> None:
    """Every command logs JSON lines to standard error (see connectwell.core.logs)."""
    configure_logging()


def _factory(settings: Settings, *, migrate: bool = True) -> sessionmaker[Session]:
    from connectwell.core.db import make_engine, make_session_factory
    from connectwell.core.db.migrate import upgrade

    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine, anonymity_floor=settings.anonymity_floor)
    return make_session_factory(engine)


def _warn_about_the_secret_key(settings: Settings) -> None:
    """Say loudly when the key that opens ballots sits beside the SQLite database."""
    from connectwell.core.config import secret_key_warning

    words = secret_key_warning(settings)
    if words is not None:
        log.warning(words)


def refusal(error: BaseException) -> tuple[int, str] | None:
    """The exit code and the words for an error a person should read; None for a bug.

    Domain errors by their kind (:data:`EXIT_CODES`), as ``field: message``. The pure
    libraries have their own errors (they import nothing of ours): bad input to them exits 2
    and reads as they word it (a file, row and field); a result that fails its check exits 1.
    """
    if isinstance(error, errors.DomainError):
        return EXIT_CODES[errors.kind_of(error)], f"{error.field}: {error.message}"
    # Imported here: the libraries load numpy and scipy, which most commands never need.
    from connectwell.matching.model import InvalidResultError, MatchingInputError
    from connectwell.network.model import NetworkInputError
    from connectwell.stats.errors import StatsInputError

    if isinstance(error, MatchingInputError | NetworkInputError | StatsInputError):
        return EXIT_INVALID_INPUT, str(error)
    if isinstance(error, InvalidResultError):
        return EXIT_FAILED_CHECK, f"result: failed its own check, please report this: {error}"
    return None


@contextmanager
def reported() -> Iterator[None]:
    """Run a command's work; a refusal goes to standard error and sets the exit code."""
    try:
        yield
    except Exception as error:
        found = refusal(error)
        if found is None:
            raise
        code, words = found
        typer.secho(words, fg=typer.colors.RED, err=True)
        raise typer.Exit(code=code) from None


@app.command()
def migrate() -> None:
    """Bring the database to the newest schema."""
    from connectwell.core.config import get_settings
    from connectwell.core.db import make_engine

    settings = get_settings()
    _warn_about_the_secret_key(settings)
    _factory(settings)
    typer.echo(f"database is up to date: {make_engine(settings.database_url).url!r}")


@app.command("make-migration")
def make_migration(message: Annotated[str, typer.Argument(help="What the migration does")]) -> None:
    """(Developers) write a new migration from the difference between models and database."""
    from alembic import command

    import connectwell.models  # noqa: F401 - imports every model
    from connectwell.core.config import get_settings
    from connectwell.core.db.migrate import alembic_config

    settings = get_settings()
    command.revision(alembic_config(settings.database_url), message=message, autogenerate=True)


@app.command("demo")
def demo_command(
    people: Annotated[int, typer.Option(help="How many people", min=4)] = 240,
    seed: Annotated[int, typer.Option(help="The generator's seed")] = 7,
) -> None:
    """Fill an empty database with the demo organisation and print its sign-ins."""
    from connectwell.core.config import get_settings
    from connectwell.core.db import transaction
    from connectwell.demo import service as demo

    settings = get_settings()
    with transaction(_factory(settings)) as session:
        sign_ins = demo.seed_demo(session, people=people, seed=seed)
        if sign_ins is None:
            typer.echo("The database has people already: the demo was not seeded again.")
            sign_ins = demo.demo_sign_ins(session, people=people, seed=seed)
    _print_sign_ins(sign_ins, settings)


def _print_sign_ins(sign_ins: list[demo.DemoSignIn], settings: Settings) -> None:
    if not sign_ins:
        return
    typer.echo(f"\nDemo sign-ins for {settings.base_url}/login :")
    for sign_in in sign_ins:
        typer.echo(
            f"  {sign_in.role:<7} {sign_in.email:<44} password: {sign_in.password}"
            f"   ({sign_in.name}, {sign_in.team})"
        )
    typer.echo("")


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(prompt=True, help="The admin's e-mail")],
    name: Annotated[str, typer.Option(prompt=True, help="The admin's name")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
) -> None:
    """Make the first admin of a real install (or give an existing person admin rights)."""
    from connectwell.accounts import service as accounts
    from connectwell.core.config import get_settings
    from connectwell.core.db import transaction

    password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass()
    settings = get_settings()
    with reported(), transaction(_factory(settings)) as session:
        person = accounts.create_admin(session, email=email, name=name, password=password)
        typer.echo(f"{person.email} is an admin and can sign in at {settings.base_url}/login")


@app.command("import-roster")
def import_roster(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    deactivate_missing: Annotated[
        bool, typer.Option("--deactivate-missing", help="Deactivate people not in the file")
    ] = False,
    invite: Annotated[
        bool, typer.Option("--invite", help="E-mail new people a link to set their password")
    ] = False,
) -> None:
    """Create or update people from a roster CSV; all rows or none."""
    from connectwell.accounts import service as accounts
    from connectwell.core.config import get_settings
    from connectwell.core.db import transaction
    from connectwell.people import roster

    settings = get_settings()
    with reported(), transaction(_factory(settings)) as session:
        parsed = roster.parse_roster(file.read_bytes(), filename=str(file))
        summary = roster.import_roster(
            session, parsed, deactivate_missing=deactivate_missing, actor=None
        )
        if invite and summary.new_people:
            from connectwell.people.models import Person

            new = [session.get(Person, person_id) for person_id in summary.new_people]
            accounts.invite(session, [p for p in new if p is not None], settings, actor=None)
    typer.echo(f"{file}: {summary}")


@app.command("export-roster")
def export_roster(
    out: Annotated[Path | None, typer.Option("--out", help="File to write; default stdout")] = None,
    include_inactive: Annotated[bool, typer.Option("--include-inactive")] = False,
) -> None:
    """Write the roster as CSV, in the columns import-roster reads."""
    from connectwell.core.config import get_settings
    from connectwell.core.db import transaction
    from connectwell.people import roster

    with transaction(_factory(get_settings())) as session:
        text = roster.export_roster(session, include_inactive=include_inactive)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")


class _CommandWithPlainHelp(TyperCommand):
    """A command whose ``--help`` flag shows no value type (typer would print ``<bool>``)."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option


_FLAG = ""  # the metavar of a flag: no value to show


@app.command(cls=_CommandWithPlainHelp)
def pair(
    people: Annotated[
        Path,
        typer.Option(
            "--people", metavar="PEOPLE.csv", help="Who takes part: one row a person (see above)"
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="GROUPS.csv",
            help="The file to write, columns group, person (a new file, or one to replace)",
        ),
    ],
    history: Annotated[
        Path | None,
        typer.Option(
            "--history",
            metavar="HISTORY.csv",
            help="Past groups: date, group, person, one row a member (see above)",
        ),
    ] = None,
    exclusions: Annotated[
        Path | None,
        typer.Option(
            "--exclusions",
            metavar="EXCL.csv",
            help="Pairs never to put together: person_a, person_b",
        ),
    ] = None,
    date: Annotated[
        dt.datetime | None,
        typer.Option(
            "--date",
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="The date of the round (default today): history counts back from it",
            show_default=False,
        ),
    ] = None,
    group_size: Annotated[
        int, typer.Option("--group-size", min=2, max=5, help="2 for pairs, or 3, 4 or 5")
    ] = 2,
    no_repeat_weeks: Annotated[
        int,
        typer.Option(
            "--no-repeat-weeks",
            min=0,
            help="People who met less than this many weeks before the round are not put "
            "together again if it can be helped",
        ),
    ] = 26,
    min_overlap_hours: Annotated[
        float,
        typer.Option(
            "--min-overlap-hours", min=0, max=24, help="Working hours every pair should share"
        ),
    ] = 1.0,
    seed: Annotated[
        int, typer.Option("--seed", help="The same files and seed give the same groups")
    ] = 0,
    strict_history: Annotated[
        bool,
        typer.Option(
            "--strict-history",
            metavar=_FLAG,
            help="Refuse history rows of people not in PEOPLE.csv (default: skip and count them)",
        ),
    ] = False,
    max_people: Annotated[
        int,
        typer.Option(
            "--max-people", min=2, help="Refuse a PEOPLE.csv with more rows (a wrong file)"
        ),
    ] = 2_000_000,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", metavar=_FLAG, help="Also print the raw weights and the seconds taken"
        ),
    ] = False,
) -> None:
    """Pair people from your own CSV files (no database): one round, checked, as GROUPS.csv.

    PEOPLE.csv columns: id (required, unique); team (required; pairs across teams are
    preferred); manager (an id: nobody is paired with their manager, report or a peer with
    the same manager if it can be helped); timezone (IANA, like Europe/Berlin; default UTC);
    work_start, work_end (HH:MM local, default 09:00-17:00; an end before the start is a
    night shift); level (a whole number), location, interests (separated by ;), joined
    (YYYY-MM-DD). Other columns are ignored.

    HISTORY.csv columns: date (YYYY-MM-DD), group (any label: the rows of one date and label
    are one group), person (an id). Rows of people no longer in PEOPLE.csv are skipped and
    counted; rows dated on or after the round date are not counted. A pair that met exactly
    --no-repeat-weeks weeks (or more) before the round may meet again.
    """
    from connectwell.matching.csv_io import run_pair

    with reported():
        summary = run_pair(
            people,
            out,
            history_path=history,
            exclusions_path=exclusions,
            group_size=group_size,
            no_repeat_weeks=no_repeat_weeks,
            min_overlap_hours=min_overlap_hours,
            seed=seed,
            today=date.date() if date is not None else None,
            strict_history=strict_history,
            max_people=max_people,
        )
    for line in summary.lines(verbose=verbose):
        typer.echo(line)


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="The backup file to write (new)")],
) -> None:
    """Write a consistent copy of the whole database to FILE, while the app runs.

    SQLite: its online backup API. PostgreSQL: pg_dump in the custom format (pg_dump on PATH).
    """
    from connectwell.core.config import get_settings
    from connectwell.core.db import backup as backups
    from connectwell.core.db import make_engine

    settings = get_settings()
    engine = make_engine(settings.database_url)
    with reported():
        backups.backup(engine, file)
    engine.dispose()
    typer.echo(f"backed up {engine.url!r} to {file}")


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="A file made by connectwell backup")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that holds rows already")
    ] = False,
) -> None:
    """Replace the database with the backup in FILE, then migrate it to the newest schema.

    Stop the app and the workers first. A database that holds rows is refused without --force.
    """
    from connectwell.core.config import get_settings
    from connectwell.core.db import backup as backups
    from connectwell.core.db import make_engine
    from connectwell.core.db.migrate import upgrade

    settings = get_settings()
    engine = make_engine(settings.database_url)
    with reported():
        backups.restore(engine, file, force=force)
    upgrade(engine, anonymity_floor=settings.anonymity_floor)
    engine.dispose()
    typer.echo(f"restored {file} into {engine.url!r}")


@app.command("erase-person")
def erase_person(
    email: Annotated[str, typer.Argument(help="The e-mail of the person to erase")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Remove a person's personal data for good; what they gave others stays, unnamed.

    Their name, e-mail, profile, sign-ins, tokens, inbox, private notes, never-pair lists and
    memberships go; shout-outs they gave or got stay, shown as from or to "a former colleague";
    published figures and counts do not change. Recorded in the audit log.
    """
    from connectwell import erasure
    from connectwell.core.config import get_settings
    from connectwell.core.db import transaction

    if not yes:
        typer.confirm(f"Erase {email}'s personal data? This cannot be undone", abort=True)
    with reported(), transaction(_factory(get_settings())) as session:
        erased = erasure.erase_person_by_email(session, email, actor=None)
    typer.echo(f"erased the personal data of person {erased.person_id}: {erased}")


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    seed_demo: Annotated[
        bool, typer.Option("--demo", help="Seed the demo organisation if the database is empty")
    ] = False,
    worker: Annotated[bool, typer.Option(help="Run the scheduled jobs in this process too")] = True,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Web processes sharing the port (the scheduled jobs still run in one worker)",
        ),
    ] = 1,
) -> None:
    """Migrate, then serve the web app, with the worker in a second process by default.

    The web app and the worker are separate entry points: they run side by side, as they do
    in production, and neither imports the other. The worker ends with ``serve``: on SIGTERM
    or SIGINT ``serve`` stops it (and waits for its current job), and if ``serve`` dies
    without a word (``kill -9``) the worker sees its input pipe close and stops.

    With ``--workers N`` uvicorn starts N web processes on the one port (each builds the app
    from the factory); the scheduled-jobs worker is still one process, whatever N is.
    """
    import uvicorn

    from connectwell.core.config import get_settings
    from connectwell.core.db import transaction
    from connectwell.demo import service as demo

    settings = get_settings()
    _warn_about_the_secret_key(settings)
    factory = _factory(settings)
    if seed_demo:
        with transaction(factory) as session:
            sign_ins = demo.seed_demo(session) or demo.demo_sign_ins(session)
        _print_sign_ins(sign_ins, settings)
    child = (
        subprocess.Popen(
            [sys.executable, "-m", "connectwell.worker", "--exit-with-parent"],
            stdin=subprocess.PIPE,
        )
        if worker
        else None
    )
    # uvicorn handles SIGTERM itself, then raises it again once it has shut down; with the
    # default handler that kills this process before the ``finally`` below could stop the
    # worker. A handler of ours turns it into an exit that runs the ``finally``.
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        uvicorn.run(
            "connectwell.web.app:create_served_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,  # the JSON lines set up by this command (and by each web process)
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
        if child is not None:
            _stop_worker(child)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _stop_worker(child: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    """Ask the worker to stop (SIGTERM, and its input closed); kill it after ``grace`` s."""
    child.terminate()
    if child.stdin is not None:
        child.stdin.close()
    try:
        child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        log.warning("the worker did not stop within %s s: killing it", grace)
        child.kill()
        child.wait()


if __name__ == "__main__":  # pragma: no cover
    app()
