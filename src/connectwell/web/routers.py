"""The map of the app: every router, in one place."""

from fastapi import APIRouter

from connectwell.web.api import appreciation as api_appreciation
from connectwell.web.api import audit as api_audit
from connectwell.web.api import goals as api_goals
from connectwell.web.api import insights as api_insights
from connectwell.web.api import me as api_me
from connectwell.web.api import pairings as api_pairings
from connectwell.web.api import people as api_people
from connectwell.web.api import programs as api_programs
from connectwell.web.api import pulses as api_pulses
from connectwell.web.api import roster as api_roster
from connectwell.web.api import shoutouts as api_shoutouts
from connectwell.web.api import teams as api_teams
from connectwell.web.api import values as api_values
from connectwell.web.errors import API_PROBLEMS
from connectwell.web.pages import (
    admin,
    admin_audit,
    admin_erase,
    admin_programs,
    admin_pulses,
    admin_shoutouts,
    app_shell,
    appreciation,
    auth,
    home,
    inbox,
    me,
    pairings,
    people,
    programs,
    shoutouts,
    teams,
)
from connectwell.web.pages import digests as digest_pages
from connectwell.web.pages import goals as goal_pages
from connectwell.web.pages import insights as insight_pages
from connectwell.web.pages import pulses as pulse_pages

page_router = APIRouter(include_in_schema=False)
for module in (auth, home, people, teams, me, inbox, programs, pairings, shoutouts, appreciation,
               admin, admin_programs, admin_shoutouts, admin_audit, admin_erase):  # fmt: skip
    page_router.include_router(module.router)
for module in (goal_pages, digest_pages):  # team goals; the weekly digest
    page_router.include_router(module.router)
for module in (pulse_pages, admin_pulses, insight_pages):  # pulses, the bank, insights
    page_router.include_router(module.router)
page_router.include_router(app_shell.router)  # the manifest, service worker, offline page

api_router = APIRouter(prefix="/api/v1", responses=API_PROBLEMS)
api_router.include_router(api_me.router, prefix="/me", tags=["me"])
api_router.include_router(api_people.router, prefix="/people", tags=["people"])
api_router.include_router(api_teams.router, prefix="/teams", tags=["teams"])
api_router.include_router(api_programs.router, prefix="/programs", tags=["programmes"])
api_router.include_router(api_pairings.router, prefix="/pairings", tags=["pairings"])
api_router.include_router(api_roster.router, prefix="/roster", tags=["roster (admins)"])
api_router.include_router(api_goals.router, prefix="/goals", tags=["goals"])
api_router.include_router(api_shoutouts.router, prefix="/shoutouts", tags=["shout-outs"])
api_router.include_router(api_appreciation.router, tags=["shout-outs"])
api_router.include_router(api_values.router, prefix="/values", tags=["values"])
api_router.include_router(api_pulses.router, prefix="/pulses", tags=["pulses"])
api_router.include_router(api_insights.router, prefix="/insights", tags=["insights"])
api_router.include_router(api_audit.router, prefix="/audit", tags=["audit log (admins)"])
