"""Turn models into the API's schemas."""

from __future__ import annotations

import datetime as dt
from typing import Any

from connectwell.people.models import Person, Team
from connectwell.people.schemas import PersonOut, PersonPrivateOut, TeamOut


def person_out(
    person: Person, paths: dict[int, str], *, private: bool = False, is_lead: bool = False
) -> PersonOut:
    public: dict[str, Any] = {
        "id": person.id,
        "name": person.name,
        "email": person.email,
        "title": person.title,
        "team_id": person.team_id,
        "team": paths.get(person.team_id) if person.team_id else None,
        "manager_id": person.manager_id,
        "timezone": person.timezone,
        "location": person.location,
        "work_start": person.work_start,
        "work_end": person.work_end,
        "bio": person.bio,
        "interests": person.interest_list,
        "paused": person.is_paused(dt.date.today()),
    }
    if not private:
        return PersonOut(**public)
    return PersonPrivateOut(
        **public,
        role=person.role,
        is_lead=is_lead,
        start_date=person.start_date,
        paused_until=person.paused_until,
        pause_reason=person.pause_reason,
        active=person.is_active,
    )


def team_out(team: Team, path: str, members: int) -> TeamOut:
    return TeamOut(
        id=team.id,
        name=team.name,
        path=path,
        parent_id=team.parent_id,
        members=members,
        lead_ids=sorted(lead.person_id for lead in team.leads),
    )
