"""The roster: import people from CSV (all-or-nothing, every problem reported) and export it.

Columns: email, name, team, manager_email, title, timezone, location, start_date, role.
``email`` and ``name`` are required; the others may be missing (an existing person then keeps
that field as it is) and extra columns are ignored. ``team`` may name a nested team as a path,
``Engineering > Platform``. ``role`` is member, lead (of their own team) or admin.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first person row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.core import audit, errors
from connectwell.core.csvfile import FORMULA_STARTS, to_csv
from connectwell.core.text import TextRefused, clean_name
from connectwell.people import service
from connectwell.people.models import Person, Role, TeamLead

COLUMNS = (
    "email",
    "name",
    "team",
    "manager_email",
    "title",
    "timezone",
    "location",
    "start_date",
    "role",
)
REQUIRED = ("email", "name")
ROLES = ("member", "lead", "admin")
# Names others read, cleaned by core.text.clean_name, and their columns' lengths.
NAME_LENGTH = {"name": 200, "title": 200, "location": 120}
TEAM_NAME_LENGTH = 120  # each team of a path


@dataclass(frozen=True)
class RosterProblem:
    row: int  # spreadsheet row number; 1 is the header
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


class RosterError(errors.Invalid):
    """The roster was refused; nothing was written. ``problems`` lists every problem found.

    Its ``field`` is the file's name, so ``field: message`` reads as it always did.
    """

    def __init__(self, filename: str, problems: list[RosterProblem]) -> None:
        self.filename = filename
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(filename, f"{len(problems)} problem(s), nothing imported\n{lines}")


@dataclass
class RosterRow:
    row: int
    email: str
    name: str
    values: dict[str, str]  # the optional columns present in the file, stripped


@dataclass
class Roster:
    filename: str
    columns: frozenset[str]
    rows: list[RosterRow]


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    teams_created: int = 0
    new_people: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.deactivated} deactivated, {self.teams_created} teams created"
        )


def _unescape(value: str) -> str:
    """Undo the export's guard against spreadsheet formulas ('=x is written as '=x)."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def parse_roster(content: bytes | str, *, filename: str = "roster.csv") -> Roster:
    """Read a roster CSV; structural problems (no header, missing column) raise RosterError."""
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise RosterError(
                filename, [RosterProblem(1, "file", f"not UTF-8 text ({error.reason})")]
            ) from None
    else:
        text = content.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise RosterError(filename, [RosterProblem(1, "file", "the file is empty")]) from None
    except csv.Error as error:
        raise RosterError(filename, [RosterProblem(1, "file", str(error))]) from None
    names = [column.strip().lower() for column in header]
    missing = [column for column in REQUIRED if column not in names]
    if missing:
        raise RosterError(
            filename,
            [RosterProblem(1, column, "required column is missing") for column in missing],
        )
    index = {column: names.index(column) for column in COLUMNS if column in names}
    rows: list[RosterRow] = []
    try:
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            cells = {
                column: _unescape(record[position].strip()) if position < len(record) else ""
                for column, position in index.items()
            }
            rows.append(
                RosterRow(
                    row=number,
                    email=cells.pop("email"),
                    name=cells.pop("name"),
                    values=cells,
                )
            )
    except csv.Error as error:
        raise RosterError(filename, [RosterProblem(reader.line_num, "file", str(error))]) from None
    if not rows:
        raise RosterError(filename, [RosterProblem(2, "file", "no people in the file")])
    return Roster(filename=filename, columns=frozenset(index), rows=rows)


def _normalise_email(value: str) -> str:
    return validate_email(value, check_deliverability=False).normalized.lower()


def _clean_names(row: RosterRow) -> list[RosterProblem]:
    """Clean the row's name, title, location and team path in place (NFKC, spaces collapsed);
    a name with a control, text-direction or invisible character, or longer than its column,
    is a problem of its row and field (it would otherwise fail in the database, or be shown)."""
    problems: list[RosterProblem] = []
    for column, limit in NAME_LENGTH.items():
        value = row.name if column == "name" else row.values.get(column, "")
        if not value:
            if column == "name":
                problems.append(RosterProblem(row.row, column, "required"))
            continue
        try:
            cleaned = clean_name(value, max_length=limit)
        except TextRefused as refused:
            problems.append(RosterProblem(row.row, column, str(refused)))
            continue
        if column == "name":
            row.name = cleaned
        else:
            row.values[column] = cleaned
    team = row.values.get("team", "")
    if team:
        # Normalised whole first: a full-width ">" is the separator, as it looks.
        parts = unicodedata.normalize("NFKC", team).split(">")
        if any(not part.strip() for part in parts):
            problems.append(RosterProblem(row.row, "team", f"{team!r} has an empty team name"))
            return problems
        try:
            cleaned_parts = [clean_name(part, max_length=TEAM_NAME_LENGTH) for part in parts]
        except TextRefused as refused:
            problems.append(RosterProblem(row.row, "team", f"a team name {refused}"))
        else:
            row.values["team"] = service.TEAM_SEPARATOR.join(cleaned_parts)
    return problems


def _check_rows(roster: Roster) -> tuple[list[RosterProblem], dict[str, RosterRow]]:
    problems: list[RosterProblem] = []
    zones = available_timezones()
    by_email: dict[str, RosterRow] = {}
    for row in roster.rows:
        try:
            row.email = _normalise_email(row.email) if row.email else ""
        except EmailNotValidError as error:
            problems.append(RosterProblem(row.row, "email", f"{row.email!r} is not valid: {error}"))
            row.email = ""
        else:
            if not row.email:
                problems.append(RosterProblem(row.row, "email", "required"))
            elif row.email in by_email:
                first = by_email[row.email].row
                problems.append(
                    RosterProblem(
                        row.row, "email", f"duplicate: {row.email} is also on row {first}"
                    )
                )
            else:
                by_email[row.email] = row
        problems += _clean_names(row)
        zone = row.values.get("timezone", "")
        if zone and zone not in zones:
            problems.append(
                RosterProblem(row.row, "timezone", f"{zone!r} is not an IANA time zone")
            )
        start = row.values.get("start_date", "")
        if start:
            try:
                dt.date.fromisoformat(start)
            except ValueError:
                problems.append(
                    RosterProblem(row.row, "start_date", f"{start!r} is not a date (YYYY-MM-DD)")
                )
        role = row.values.get("role", "").lower()
        if role and role not in ROLES:
            problems.append(
                RosterProblem(row.row, "role", f"{role!r} is not one of {', '.join(ROLES)}")
            )
        row.values["role"] = role
    return problems, by_email


def _check_managers(
    session: Session, roster: Roster, by_email: dict[str, RosterRow], *, deactivate_missing: bool
) -> list[RosterProblem]:
    if "manager_email" not in roster.columns:
        return []
    problems: list[RosterProblem] = []
    # People already on the roster may be managers, unless this import deactivates them.
    existing = {} if deactivate_missing else service.manager_emails(session)
    manager_of: dict[str, str | None] = dict(existing)
    for row in roster.rows:
        value = row.values.get("manager_email", "")
        if not value or not row.email:
            if row.email:
                manager_of[row.email] = None
            continue
        try:
            manager = _normalise_email(value)
        except EmailNotValidError as error:
            problems.append(RosterProblem(row.row, "manager_email", f"{value!r}: {error}"))
            continue
        if manager == row.email:
            problems.append(
                RosterProblem(row.row, "manager_email", "a person cannot manage themselves")
            )
            continue
        if manager not in by_email and manager not in existing:
            problems.append(
                RosterProblem(
                    row.row, "manager_email", f"manager {manager} is not in the file nor the roster"
                )
            )
            continue
        row.values["manager_email"] = manager
        manager_of[row.email] = manager
    reported: set[str] = set()
    for row in roster.rows:
        if not row.email or row.email in reported:
            continue
        chain = [row.email]
        current = manager_of.get(row.email)
        while current is not None and current not in chain:
            chain.append(current)
            current = manager_of.get(current)
        if current is not None:  # came back to someone already in the chain: a cycle
            cycle = [*chain[chain.index(current) :], current]
            for email in cycle[:-1]:
                if email in by_email and email not in reported:
                    reported.add(email)
                    problems.append(
                        RosterProblem(
                            by_email[email].row,
                            "manager_email",
                            "manager cycle: " + " → ".join(cycle),
                        )
                    )
    return problems


def import_roster(
    session: Session,
    roster: Roster,
    *,
    deactivate_missing: bool = False,
    actor: audit.Actor,
) -> ImportSummary:
    """Create or update everyone in ``roster``, matched by e-mail; all or nothing.

    Parameters
    ----------
    session : Session
        The caller's transaction; this function flushes but never commits.
    roster : Roster
        From :func:`parse_roster`.
    deactivate_missing : bool
        Mark active people who are not in the file as inactive (they left), except the
        person doing the import.
    actor : Person, its id, or None
        Who imports (None: the system, e.g. the demo). The import may not take away the
        actor's own admin role nor deactivate them. The audit log gets one entry for the
        import, and one per person whose role changed, who was deactivated or reactivated.

    Raises
    ------
    RosterError
        With every problem found, before anything is written.
    """
    problems, by_email = _check_rows(roster)
    problems += _check_managers(session, roster, by_email, deactivate_missing=deactivate_missing)
    acting_id = audit.actor_id(actor)
    acting = session.get(Person, acting_id) if acting_id else None
    if acting is not None and acting.email in by_email:
        row = by_email[acting.email]
        if "role" in roster.columns and row.values["role"] not in ("", "admin"):
            problems.append(
                RosterProblem(row.row, "role", "this would take away your own admin role")
            )
    if problems:
        problems.sort(key=lambda problem: (problem.row, problem.field))
        raise RosterError(roster.filename, problems)
    summary = _write(
        session, roster, by_email, deactivate_missing=deactivate_missing, acting=acting
    )
    counts = {"added": summary.created, "changed": summary.updated,
              "deactivated": summary.deactivated}  # fmt: skip
    audit.record(session, actor, "roster.import", "roster", None, roster.filename,
                 changes=audit.changes({}, counts))  # fmt: skip
    return summary


def _write(
    session: Session,
    roster: Roster,
    by_email: dict[str, RosterRow],
    *,
    deactivate_missing: bool,
    acting: Person | None,
) -> ImportSummary:
    summary = ImportSummary()
    people = service.people_by_email(session, set(by_email))
    leads_before = service.led_team_ids_by_person(session, [p.id for p in people.values()])
    before = {email: service.snapshot(person) for email, person in people.items()}
    roles_before = {email: _role(person, leads_before) for email, person in people.items()}
    was_active = {email: person.is_active for email, person in people.items()}
    teams = service.TeamDirectory(session)
    columns = roster.columns
    for email, row in by_email.items():
        person = people.get(email)
        if person is None:
            person = Person(email=email, name=row.name, timezone=service.default_timezone())
            session.add(person)
            people[email] = person
        person.name = row.name
        person.is_active = True
        if "team" in columns:
            path = row.values["team"]
            person.team = teams.ensure(path) if path else None
        for column in ("title", "location"):
            if column in columns:
                setattr(person, column, row.values[column])
        if "timezone" in columns:
            person.timezone = row.values["timezone"] or service.default_timezone()
        if "start_date" in columns:
            start = row.values["start_date"]
            person.start_date = dt.date.fromisoformat(start) if start else None
        if "role" in columns:
            person.role = Role.admin.value if row.values["role"] == "admin" else Role.member.value
    session.flush()
    if "manager_email" in columns:
        wanted = {row.values["manager_email"] for row in by_email.values()} - {""}
        managers = service.people_by_email(session, wanted - set(people)) | people
        for email, row in by_email.items():
            manager_email = row.values["manager_email"]
            people[email].manager_id = managers[manager_email].id if manager_email else None
    if "role" in columns:
        _apply_lead_roles(session, by_email, people)
    session.flush()

    leads_after = service.led_team_ids_by_person(session, [p.id for p in people.values()])
    summary.teams_created = teams.created
    for email, person in people.items():
        if email not in before:
            summary.created += 1
            summary.new_people.append(person.id)
        elif before[email] != service.snapshot(person) or leads_before.get(
            person.id, set()
        ) != leads_after.get(person.id, set()):
            summary.updated += 1
        else:
            summary.unchanged += 1
    paths = service.team_paths(session) if leads_before or leads_after else {}
    for email, person in people.items():
        _audit_person(session, acting, person, roles_before.get(email),
                      _role(person, leads_after), paths, was_active.get(email))  # fmt: skip
    if deactivate_missing:
        leavers = session.scalars(
            select(Person).where(Person.is_active, Person.email.not_in(list(by_email)))
        )
        for leaver in leavers:
            if acting is not None and leaver.id == acting.id:
                continue
            leaver.is_active = False
            summary.deactivated += 1
            change = {"is_active": [True, False]}
            audit.record(session, acting, "person.deactivate", "person", leaver.id, leaver.name,
                         changes=change)  # fmt: skip
        session.flush()
    return summary


def _role(person: Person, leads: dict[int, set[int]]) -> tuple[str, frozenset[int]]:
    """A person's role as the roster says it (admin, lead, member) and the teams they lead."""
    led = frozenset(leads.get(person.id, set()))
    return ("admin" if person.is_admin else "lead" if led else "member"), led


def _audit_person(
    session: Session,
    acting: Person | None,
    person: Person,
    before: tuple[str, frozenset[int]] | None,
    after: tuple[str, frozenset[int]],
    paths: dict[int, str],
    was_active: bool | None,
) -> None:
    """Audit a role change (a new person only when not a plain member) and a reactivation."""
    old = before or ("member", frozenset())
    if old != after:
        change = audit.changes(
            {"role": before[0] if before else None, "leads": {paths[t] for t in old[1]}},
            {"role": after[0], "leads": {paths[t] for t in after[1]}},
        )
        audit.record(session, acting, "person.role", "person", person.id, person.name,
                     changes=change)  # fmt: skip
    if was_active is False:
        change = {"is_active": [False, True]}
        audit.record(session, acting, "person.reactivate", "person", person.id, person.name,
                     changes=change)  # fmt: skip


def _apply_lead_roles(
    session: Session, by_email: dict[str, RosterRow], people: dict[str, Person]
) -> None:
    """role=lead: lead of their own team; role=member: leads nothing; admin: unchanged."""
    ids = [people[email].id for email in by_email]
    current = {
        (lead.person_id, lead.team_id): lead
        for lead in session.scalars(select(TeamLead).where(TeamLead.person_id.in_(ids)))
    }
    for email, row in by_email.items():
        person = people[email]
        role = row.values["role"]
        if role == "admin":
            continue
        wanted = {person.team_id} if role == "lead" and person.team_id else set()
        for (person_id, team_id), lead in current.items():
            if person_id == person.id and team_id not in wanted:
                session.delete(lead)
        for team_id in wanted:
            if (person.id, team_id) not in current:
                session.add(TeamLead(person_id=person.id, team_id=team_id))


def export_roster(session: Session, *, include_inactive: bool = False) -> str:
    """The roster as CSV text, in the import's columns; re-importing it changes nothing."""
    return rows_from_records(service.roster_records(session, include_inactive=include_inactive))


def rows_from_records(records: Iterable[dict[str, str]]) -> str:
    """CSV text for roster records, through the one CSV writer (formulas escaped)."""
    rows = ({column: str(record.get(column) or "") for column in COLUMNS} for record in records)
    return to_csv(COLUMNS, rows)
