"""The map of the app: every router, in one place."""

from fastapi import APIRouter

from connectwell.web.api import me as api_me
from connectwell.web.api import pairings as api_pairings
from connectwell.web.api import people as api_people
from connectwell.web.api import programs as api_programs
from connectwell.web.api import roster as api_roster
from connectwell.web.api import teams as api_teams
from connectwell.web.pages import (
    admin,
    admin_programs,
    auth,
    home,
    inbox,
    me,
    pairings,
    people,
    programs,
    teams,
)

page_router = APIRouter(include_in_schema=False)
for module in (auth, home, people, teams, me, inbox, programs, pairings, admin, admin_programs):
    page_router.include_router(module.router)

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(api_me.router, prefix="/me", tags=["me"])
api_router.include_router(api_people.router, prefix="/people", tags=["people"])
api_router.include_router(api_teams.router, prefix="/teams", tags=["teams"])
api_router.include_router(api_programs.router, prefix="/programs", tags=["programmes"])
api_router.include_router(api_pairings.router, prefix="/pairings", tags=["pairings"])
api_router.include_router(api_roster.router, prefix="/roster", tags=["roster (admins)"])
