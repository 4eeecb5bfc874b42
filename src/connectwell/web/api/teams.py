"""/api/v1/teams: teams, nested by parent_id."""

from __future__ import annotations

from fastapi import APIRouter

from connectwell.people import service as people
from connectwell.people.schemas import LeadsIn, PersonOut, TeamOut
from connectwell.web.api.presenters import person_out, team_out
from connectwell.web.deps import DB, ApiAdmin, ApiViewer, PathId

router = APIRouter()


@router.get("", response_model=list[TeamOut])
def list_teams(session: DB, viewer: ApiViewer) -> list[TeamOut]:
    return [team_out(team, path, members) for team, path, members in people.list_teams(session)]


@router.get("/{team_id}", response_model=TeamOut)
def get_team(session: DB, viewer: ApiViewer, team_id: PathId) -> TeamOut:
    team = people.get_team(session, team_id)
    return team_out(
        team, people.team_paths(session)[team.id], len(people.team_members(session, team.id))
    )


@router.put("/{team_id}/leads", response_model=TeamOut)
def set_leads(body: LeadsIn, session: DB, viewer: ApiAdmin, team_id: PathId) -> TeamOut:
    """Admins: make exactly these people the team's leads (they lead nested teams too)."""
    team = people.get_team(session, team_id)
    people.set_team_leads(session, team, body.person_ids, actor=viewer.person)
    session.refresh(team)
    return get_team(session, viewer, team_id)


@router.get("/{team_id}/members", response_model=list[PersonOut])
def team_members(session: DB, viewer: ApiViewer, team_id: PathId) -> list[PersonOut]:
    team = people.get_team(session, team_id)
    paths = people.team_paths(session)
    return [person_out(person, paths) for person in people.team_members(session, team.id)]
