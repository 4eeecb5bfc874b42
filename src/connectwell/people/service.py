"""People and teams: plain functions, the session first; they flush, never commit."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from connectwell.core import audit, errors
from connectwell.core.config import get_settings
from connectwell.core.text import TextRefused, clean_text
from connectwell.people.models import Person, Team, TeamLead
from connectwell.people.schemas import PauseIn, ProfileUpdate

TEAM_SEPARATOR = " > "


class PeopleError(errors.Invalid):
    """A request about people or teams that cannot be done; ``field`` names the culprit."""


class NotFound(errors.NotFound, PeopleError):
    """No such person or team (or not one the asker may see)."""


def default_timezone() -> str:
    return get_settings().default_timezone


# --- teams ---------------------------------------------------------------------------------


class TeamDirectory:
    """Teams by path (``Engineering > Platform``), creating missing ones on demand."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.created = 0
        teams = list(session.scalars(select(Team)))
        by_id = {team.id: team for team in teams}
        self.by_path: dict[str, Team] = {}
        for team in teams:
            self.by_path[_path_of(team, by_id)] = team

    def ensure(self, path: str) -> Team:
        parts = [part.strip() for part in path.split(">")]
        parent: Team | None = None
        for depth in range(1, len(parts) + 1):
            key = TEAM_SEPARATOR.join(parts[:depth])
            team = self.by_path.get(key)
            if team is None:
                team = Team(name=parts[depth - 1], parent=parent)
                self.session.add(team)
                self.by_path[key] = team
                self.created += 1
            parent = team
        assert parent is not None
        return parent


def _path_of(team: Team, by_id: dict[int, Team]) -> str:
    names = [team.name]
    seen = {team.id}
    parent_id = team.parent_id
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        parent = by_id[parent_id]
        names.append(parent.name)
        parent_id = parent.parent_id
    return TEAM_SEPARATOR.join(reversed(names))


_TEAM_TREE = select(Team.id, Team.name, Team.parent_id)  # built once: read on most pages


def team_paths(session: Session) -> dict[int, str]:
    """Every team's path, by team id (read as columns: no Team objects)."""
    tree = {team_id: (name, parent_id) for team_id, name, parent_id in session.execute(_TEAM_TREE)}
    paths: dict[int, str] = {}
    for team_id, (name, parent_id) in tree.items():
        names, seen = [name], {team_id}
        while parent_id is not None and parent_id not in seen:
            seen.add(parent_id)
            name, parent_id = tree[parent_id]
            names.append(name)
        paths[team_id] = TEAM_SEPARATOR.join(reversed(names))
    return paths


def list_teams(session: Session) -> list[tuple[Team, str, int]]:
    """Teams with their path and active head count, sorted by path."""
    paths = team_paths(session)
    counts = dict(
        session.execute(
            select(Person.team_id, func.count()).where(Person.is_active).group_by(Person.team_id)
        ).all()
    )
    teams = session.scalars(select(Team).options(selectinload(Team.leads))).all()
    return sorted(
        ((team, paths[team.id], counts.get(team.id, 0)) for team in teams),
        key=lambda item: item[1].lower(),
    )


def team_choices(session: Session) -> list[tuple[int, str]]:
    """Every team's id and path, sorted by path as :func:`list_teams` sorts them: for a
    form's choice of team, without the head counts and leads that list reads."""
    return sorted(team_paths(session).items(), key=lambda item: item[1].lower())


def get_team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound("team", f"no team {team_id}")
    return team


def descendant_team_ids(session: Session, team_ids: Iterable[int]) -> set[int]:
    """The given teams and every team nested under them."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for team_id, parent_id in session.execute(select(Team.id, Team.parent_id)):
        children[parent_id].append(team_id)
    result: set[int] = set()
    stack = list(team_ids)
    while stack:
        team_id = stack.pop()
        if team_id in result:
            continue
        result.add(team_id)
        stack.extend(children[team_id])
    return result


# Read on every signed-in request: built once.
_LED_DIRECTLY = select(TeamLead.team_id).where(TeamLead.person_id == bindparam("person_id"))


def led_team_ids(session: Session, person_id: int) -> set[int]:
    """The teams a person leads, directly or through a parent team."""
    direct = list(session.scalars(_LED_DIRECTLY, {"person_id": person_id}))
    if not direct:  # most people lead no team: no need to read the tree of teams
        return set()
    return descendant_team_ids(session, direct)


def led_team_ids_by_person(session: Session, person_ids: list[int]) -> dict[int, set[int]]:
    """The teams each person leads directly."""
    result: dict[int, set[int]] = defaultdict(set)
    if person_ids:
        rows = session.execute(
            select(TeamLead.person_id, TeamLead.team_id).where(TeamLead.person_id.in_(person_ids))
        )
        for person_id, team_id in rows:
            result[person_id].add(team_id)
    return result


def set_team_leads(
    session: Session, team: Team, person_ids: Iterable[int], *, actor: audit.Actor
) -> None:
    """Make exactly these people the team's leads."""
    wanted = set(person_ids)
    rows = session.execute(
        select(Person.id, Person.email).where(Person.id.in_(wanted), Person.is_active)
    )
    found = {person_id: email for person_id, email in rows}
    if missing := wanted - set(found):
        raise PeopleError("person_ids", f"no active person with id {sorted(missing)[0]}")
    before = set(
        session.scalars(
            select(Person.email)
            .join(TeamLead, TeamLead.person_id == Person.id)
            .where(TeamLead.team_id == team.id)
        )
    )
    if before != set(found.values()):
        change = audit.changes({"leads": before}, {"leads": set(found.values())})
        audit.record(session, actor, "team.leads", "team", team.id, team.name, changes=change)
    for lead in list(team.leads):
        if lead.person_id not in wanted:
            session.delete(lead)
    for person_id in wanted - {lead.person_id for lead in team.leads}:
        session.add(TeamLead(team_id=team.id, person_id=person_id))
    session.flush()
    session.expire(team, ["leads"])  # the rows changed behind the relationship's back


def set_team_leads_by_email(
    session: Session, team: Team, emails: list[str], *, actor: audit.Actor
) -> None:
    found = people_by_email(session, {email.lower() for email in emails})
    for email in emails:
        person = found.get(email.lower())
        if person is None or not person.is_active:
            raise PeopleError("emails", f"no active person has the e-mail {email!r}")
    set_team_leads(session, team, [person.id for person in found.values()], actor=actor)


# --- people --------------------------------------------------------------------------------


def get_person(session: Session, person_id: int, *, include_inactive: bool = False) -> Person:
    person = session.get(Person, person_id)
    if person is None or (not person.is_active and not include_inactive):
        raise NotFound("person", f"no person {person_id}")
    return person


def find_by_email(session: Session, email: str) -> Person | None:
    return session.scalar(select(Person).where(Person.email == email.strip().lower()))


def people_by_email(session: Session, emails: set[str]) -> dict[str, Person]:
    if not emails:
        return {}
    found = session.scalars(select(Person).where(Person.email.in_(sorted(emails))))
    return {person.email: person for person in found}


def manager_emails(session: Session) -> dict[str, str | None]:
    """Each active person's e-mail with their manager's e-mail."""
    manager = aliased(Person)
    rows = session.execute(
        select(Person.email, manager.email)
        .outerjoin(manager, manager.id == Person.manager_id)
        .where(Person.is_active)
    )
    return {email: manager for email, manager in rows}


def snapshot(person: Person) -> tuple[Any, ...]:
    """The roster fields of a person, to tell whether an import changed them."""
    return (
        person.name,
        person.title,
        person.team_id,
        person.manager_id,
        person.timezone,
        person.location,
        person.start_date,
        person.role,
        person.is_active,
    )


def list_people(
    session: Session,
    *,
    query: str = "",
    team_id: int | None = None,
    after_id: int = 0,
    limit: int = 50,
) -> list[Person]:
    """Active people, by id, a page at a time (keyset: pass the last id seen)."""
    statement = (
        select(Person)
        .where(Person.is_active, Person.id > after_id)
        .options(selectinload(Person.team))
        .order_by(Person.id)
        .limit(limit)
    )
    if query:
        # As names are stored (NFKC); a control character (a NUL, which PostgreSQL refuses)
        # is in no name nor address, so such a search finds no one.
        try:
            query = clean_text(unicodedata.normalize("NFKC", query))
        except TextRefused:
            return []
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(
            func.lower(Person.name).like(pattern) | Person.email.like(pattern)
        )
    if team_id is not None:
        statement = statement.where(Person.team_id == team_id)
    return list(session.scalars(statement))


def team_members(session: Session, team_id: int) -> list[Person]:
    return list(
        session.scalars(
            select(Person).where(Person.team_id == team_id, Person.is_active).order_by(Person.name)
        )
    )


def direct_reports(session: Session, manager_id: int) -> list[Person]:
    return list(
        session.scalars(
            select(Person)
            .where(Person.manager_id == manager_id, Person.is_active)
            .order_by(Person.name)
        )
    )


def update_profile(session: Session, person: Person, changes: ProfileUpdate) -> Person:
    """Change what a person may write about themselves."""
    for name, value in changes.model_dump(exclude_unset=True).items():
        if name == "interests":
            value = ";".join(value)
        setattr(person, name, value)
    session.flush()
    return person


def pause(session: Session, person: Person, request: PauseIn, *, today: dt.date) -> Person:
    """Pause participation (pairings, pulses, digests) up to and including a date."""
    if request.until < today:
        raise PeopleError("until", "the pause must end today or later")
    if request.until > today + dt.timedelta(days=366):
        raise PeopleError("until", "a pause can last at most a year")
    person.paused_until = request.until
    person.pause_reason = request.reason
    session.flush()
    return person


def resume(session: Session, person: Person) -> Person:
    person.paused_until = None
    person.pause_reason = ""
    session.flush()
    return person


def roster_records(session: Session, *, include_inactive: bool = False) -> list[dict[str, Any]]:
    """Everyone as roster records (the export's rows), in e-mail order."""
    paths = team_paths(session)
    leads = led_team_ids_by_person(session, list(session.scalars(select(TeamLead.person_id))))
    manager = aliased(Person)
    statement = (
        select(Person, manager.email)
        .outerjoin(manager, manager.id == Person.manager_id)
        .order_by(Person.email)
    )
    if not include_inactive:
        statement = statement.where(Person.is_active)
    records = []
    for person, manager_email in session.execute(statement):
        role = person.role if person.is_admin or person.id not in leads else "lead"
        records.append(
            {
                "email": person.email,
                "name": person.name,
                "team": paths.get(person.team_id) if person.team_id else "",
                "manager_email": manager_email or "",
                "title": person.title,
                "timezone": person.timezone,
                "location": person.location,
                "start_date": person.start_date.isoformat() if person.start_date else "",
                "role": role,
            }
        )
    return records


def stored_about(session: Session, person: Person) -> dict[str, Any]:
    """Everything the people domain keeps about a person, for their own eyes."""
    paths = team_paths(session)
    return {
        "id": person.id,
        "email": person.email,
        "name": person.name,
        "title": person.title,
        "team": paths.get(person.team_id) if person.team_id else None,
        "manager": person.manager.email if person.manager else None,
        "timezone": person.timezone,
        "location": person.location,
        "work_start": person.work_start.strftime("%H:%M"),
        "work_end": person.work_end.strftime("%H:%M"),
        "start_date": person.start_date.isoformat() if person.start_date else None,
        "role": person.role,
        "leads_teams": sorted(
            paths[team_id] for team_id in led_team_ids_by_person(session, [person.id])[person.id]
        ),
        "active": person.is_active,
        "bio": person.bio,
        "interests": person.interest_list,
        "paused_until": person.paused_until.isoformat() if person.paused_until else None,
        "pause_reason": person.pause_reason,
        "created_at": person.created_at.isoformat(),
        "updated_at": person.updated_at.isoformat(),
    }
