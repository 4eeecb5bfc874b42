"""Who may reach what: every page and API route of the foundation × every role of the cast.

Each row of ``ROUTES`` names one route, the request that exercises it (a valid one: forms
carry the CSRF token a browser would have, session API writes the X-CSRF-Token header), and
the exact status each role gets. The roles are the cast (nobody, a member, a member of another
team, a lead, an admin) and a personal API token of the member and of the admin, which must
act with exactly their owner's rights. Tokens carry no cookie, so they cannot post forms.

One test per route sends its request as each role in turn, on one database (the rows are
chosen so that one role's request does not change what the next may do), and compares the
whole row at once: a failure shows the row of the table that differs.

``test_the_matrix_covers_every_route`` fails when a route is added to one of these modules
without a row here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from connectwell.accounts import service as accounts
from connectwell.core.config import Settings
from connectwell.digests import service as digests_service
from connectwell.goals import service as goals_service
from connectwell.goals.schemas import GoalIn
from connectwell.people.models import Person
from connectwell.programs import service as programs_service
from connectwell.programs.models import Group, GroupMember, Round
from connectwell.programs.schemas import ProgramIn
from connectwell.pulses import service as pulses_service
from connectwell.pulses.schemas import PulseIn
from connectwell.shoutouts import service as shoutouts_service
from connectwell.shoutouts import values as shoutout_values
from connectwell.shoutouts.schemas import ShoutOutIn
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
from connectwell.web.deps import ANON_COOKIE, SESSION_COOKIE
from connectwell.web.pages import (
    admin,
    admin_audit,
    admin_programs,
    admin_pulses,
    admin_shoutouts,
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
from tests.conftest import Cast
from tests.web.conftest import NEW_PEOPLE, Tokens, bearer, form_token, now, send

ANONYMOUS = "anonymous"
SESSION_ROLES = ("member", "other_member", "lead", "admin")
TOKEN_ROLES = ("member_token", "admin_token")
ROLES = (ANONYMOUS, *SESSION_ROLES, *TOKEN_ROLES)
NON_ADMINS = ("member", "other_member", "lead", "member_token")

PAGE_MODULES: tuple[ModuleType, ...] = (
    auth, home, people, teams, me, inbox, admin, programs, pairings, admin_programs,
    shoutouts, appreciation, admin_shoutouts,
)  # fmt: skip
API_MODULES = {api_me: "/api/v1/me", api_people: "/api/v1/people",
               api_teams: "/api/v1/teams", api_roster: "/api/v1/roster",
               api_programs: "/api/v1/programs", api_pairings: "/api/v1/pairings",
               api_shoutouts: "/api/v1/shoutouts", api_appreciation: "/api/v1",
               api_values: "/api/v1/values"}  # fmt: skip
# The audit log.
PAGE_MODULES += (admin_audit,)
API_MODULES[api_audit] = "/api/v1/audit"
# Team goals and the weekly digest.
PAGE_MODULES += (goal_pages, digest_pages)
API_MODULES[api_goals] = "/api/v1/goals"
# Pulses and the item bank.
PAGE_MODULES += (pulse_pages, admin_pulses)
API_MODULES[api_pulses] = "/api/v1/pulses"
# Insights.
PAGE_MODULES += (insight_pages,)
API_MODULES[api_insights] = "/api/v1/insights"
APP_ROUTES = {("GET", "/api/docs"), ("GET", "/api/openapi.json"), ("GET", "/healthz")}


def everyone(code: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, code)


def cookie_holders(code: int) -> dict[str, int]:
    """Forms anyone with a browser may post; a token has no cookie, so no CSRF token."""
    return {**everyone(code), **dict.fromkeys(TOKEN_ROLES, 403)}


def page(code: int) -> dict[str, int]:
    """A page for anyone signed in (a token acts as its owner); nobody is sent to sign in."""
    return {**everyone(code), ANONYMOUS: 303}


def admin_page(code: int) -> dict[str, int]:
    return {**page(code), **dict.fromkeys(NON_ADMINS, 403)}


def form(code: int) -> dict[str, int]:
    return {**page(code), **dict.fromkeys(TOKEN_ROLES, 403)}


def admin_form(code: int) -> dict[str, int]:
    return {**admin_page(code), **dict.fromkeys(TOKEN_ROLES, 403)}


def api(code: int) -> dict[str, int]:
    return {**everyone(code), ANONYMOUS: 401}


def api_admin(code: int) -> dict[str, int]:
    return {**api(code), **dict.fromkeys(NON_ADMINS, 403)}


def group_members(code: int, *, outsiders: int = 404, anonymous: int = 303) -> dict[str, int]:
    """The member's group is the member and the lead; everyone else is an outsider to it."""
    return {**everyone(outsiders), "member": code, "lead": code, "member_token": code,
            ANONYMOUS: anonymous}  # fmt: skip


def group_form(code: int) -> dict[str, int]:
    return {**group_members(code), **dict.fromkeys(TOKEN_ROLES, 403)}


def team_leads(code: int, *, anonymous: int = 303) -> dict[str, int]:
    """Platform's lead and the admins (and the admin's token); members and the other team not."""
    return {**everyone(403), "lead": code, "admin": code, "admin_token": code,
            ANONYMOUS: anonymous}  # fmt: skip


def admins_only(allowed: int, denied: int, anonymous: int) -> dict[str, int]:
    """Admins (and their token) see it, everyone else gets ``denied``."""
    return {**everyone(allowed), **dict.fromkeys(NON_ADMINS, denied), ANONYMOUS: anonymous}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # a template: {member}, {inactive}, {platform}, {notification}, {token}
    # form values may name {role}
    expect: dict[str, int]
    form: dict[str, str] | None = None
    json: Any = None
    upload: str | None = None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()
# An e-mail of its own for each role, so that the five failures do not trip the slow-down.
LOGIN = {"email": "{role}@example.org", "password": "not the password"}
NEW_PASSWORD = {"password": "a new passphrase", "confirm": "a new passphrase"}
IN_A_WEEK = (dt.date.today() + dt.timedelta(days=7)).isoformat() + "T10:00"
NEW_PROGRAM = {"name": "Coffee", "kind": "coffee", "group_size": "2", "audience": "everyone",
               "cadence": "weekly", "weekday": "0", "local_hour": "9", "starts_on": TOMORROW,
               "team_mix": "across", "no_repeat_weeks": "26", "min_overlap_hours": "1"}  # fmt: skip
CHANGED_PROGRAM = {"name": "Coffee", "group_size": "2", "audience": "everyone",
                   "cadence": "biweekly", "weekday": "1", "local_hour": "9",
                   "team_mix": "across", "no_repeat_weeks": "26",
                   "min_overlap_hours": "1"}  # fmt: skip
TAPS = {"met": True, "positive_regard": 4, "mutuality": 4, "vitality": 5}
SHOUT = {"emails": "extra@example.org", "message": "Thanks from {role}", "pathway": "play"}
API_SHOUT = {"message": "Thanks, Extra", "pathway": "play", "person_ids": ["{extra}"]}

ROUTES = [
    # --- auth ------------------------------------------------------------------------------
    Route("GET", "/login", {**everyone(303), ANONYMOUS: 200}),
    Route("POST", "/login", cookie_holders(401), form=LOGIN),
    Route("POST", "/logout", cookie_holders(303), form={}),
    Route("GET", "/password/forgot", everyone(200)),
    Route("POST", "/password/forgot", cookie_holders(200), form={"email": "x@example.org"}),
    Route("GET", "/password/{secret}", everyone(410)),
    Route("POST", "/password/{secret}", cookie_holders(410), form=NEW_PASSWORD),
    # --- home, people, teams ---------------------------------------------------------------
    Route("GET", "/", page(200)),
    Route("GET", "/people", page(200)),
    Route("GET", "/people/{member}", page(200)),
    Route("GET", "/people/{admin}", page(200)),
    Route("GET", "/people/{inactive}", admins_only(200, 404, 303)),
    Route("GET", "/teams", page(200)),
    Route("GET", "/teams/{platform}", page(200)),
    Route(
        "POST", "/teams/{platform}/leads", admin_form(303), form={"emails": "lee.lead@example.org"}
    ),
    # --- me and the inbox ------------------------------------------------------------------
    Route("GET", "/me", page(200)),
    Route("POST", "/me", form(303), form={"bio": "Hello", "interests": "tea"}),
    Route("POST", "/me/pause", form(303), form={"until": TOMORROW}),
    Route("POST", "/me/resume", form(303), form={}),
    Route("GET", "/me/data", page(200)),
    Route("GET", "/inbox", page(200)),
    Route("POST", "/inbox/read", form(303), form={}),
    Route("POST", "/inbox/{notification}/read", form(303), form={}),
    # --- admin -----------------------------------------------------------------------------
    Route("GET", "/admin", admin_page(200)),
    Route("GET", "/admin/roster", admin_page(200)),
    Route("POST", "/admin/roster", admin_form(200), form={}, upload=NEW_PEOPLE),
    Route("GET", "/admin/roster.csv", admin_page(200)),
    Route("GET", "/admin/tokens", admin_page(200)),
    Route(
        "POST",
        "/admin/tokens",
        admin_form(201),
        form={"owner_email": "ada.admin@example.org", "name": "ci"},  # tokens are personal
    ),
    Route("POST", "/admin/tokens/{token}/revoke", admin_form(303), form={}),
    Route("GET", "/admin/outbox", admin_page(200)),
    # --- the app itself --------------------------------------------------------------------
    Route("GET", "/api/docs", everyone(200)),
    Route("GET", "/api/openapi.json", everyone(200)),
    Route("GET", "/healthz", everyone(200)),
    # --- API: me ---------------------------------------------------------------------------
    Route("GET", "/api/v1/me", api(200)),
    Route("PATCH", "/api/v1/me", api(200), json={"bio": "Hello"}),
    Route("PUT", "/api/v1/me/pause", api(200), json={"until": TOMORROW}),
    Route("DELETE", "/api/v1/me/pause", api(200)),
    Route("GET", "/api/v1/me/notifications", api(200)),
    Route("POST", "/api/v1/me/notifications/read", api(200)),
    Route("GET", "/api/v1/me/data", api(200)),
    # --- API: people and teams -------------------------------------------------------------
    Route("GET", "/api/v1/people", api(200)),
    Route("GET", "/api/v1/people/{member}", api(200)),
    Route("GET", "/api/v1/people/{inactive}", admins_only(200, 404, 401)),
    Route("GET", "/api/v1/teams", api(200)),
    Route("GET", "/api/v1/teams/{platform}", api(200)),
    Route("GET", "/api/v1/teams/{platform}/members", api(200)),
    Route("PUT", "/api/v1/teams/{platform}/leads", api_admin(200), json={"person_ids": []}),
    # --- programmes, pairings and never-pair ------------------------------------------------
    Route("GET", "/programs", page(200)),
    Route("POST", "/programs/{program}/join", form(303), form={}),
    Route("POST", "/programs/{program}/leave", form(303), form={}),
    Route("POST", "/programs/{program}/skip", form(303), form={}),
    Route("POST", "/programs/{program}/pause", form(303), form={"until": TOMORROW}),
    Route("POST", "/programs/{program}/resume", form(303), form={}),
    Route("POST", "/programs/{program}/buddy", form(303), form={"capacity": "1"}),
    Route("GET", "/me/never-pair", page(200)),
    Route("POST", "/me/never-pair", form(303), form={"email": "extra@example.org"}),
    Route("POST", "/me/never-pair/{extra}/remove", form(303), form={}),
    Route("GET", "/pairings", page(200)),
    Route("GET", "/pairings/{group}", group_members(200)),
    Route("GET", "/pairings/{group}/invite.ics", group_members(200)),
    Route("POST", "/pairings/{group}/answer", group_form(303), form={"met": "no"}),
    Route("POST", "/pairings/{group}/reschedule", group_form(303), form={"start": IN_A_WEEK}),
    Route("GET", "/admin/programs", admin_page(200)),
    Route("POST", "/admin/programs", admin_form(303), form=NEW_PROGRAM),
    Route("GET", "/admin/programs/{program}", admin_page(200)),
    Route("GET", "/admin/programs/{program}/edit", admin_page(200)),
    Route("POST", "/admin/programs/{program}/edit", admin_form(303), form=CHANGED_PROGRAM),
    Route("POST", "/admin/programs/{program}/run", admin_form(303), form={"round_on": TOMORROW}),
    Route("POST", "/admin/programs/{program}/active", admin_form(303), form={"active": "true"}),
    # --- API: programmes and pairings ------------------------------------------------------
    Route("GET", "/api/v1/programs", api(200)),
    Route("POST", "/api/v1/programs", api_admin(201), json={"name": "API", "starts_on": TOMORROW}),
    Route("GET", "/api/v1/programs/{program}", api(200)),
    Route("PUT", "/api/v1/programs/{program}", api_admin(200), json={"name": "Coffee"}),
    Route("GET", "/api/v1/programs/{program}/membership", api(200)),
    Route("POST", "/api/v1/programs/{program}/join", api(200)),
    Route("POST", "/api/v1/programs/{program}/leave", api(200)),
    Route("POST", "/api/v1/programs/{program}/skip", api(200)),
    Route("GET", "/api/v1/programs/{program}/rounds", api_admin(200)),
    Route("GET", "/api/v1/pairings", api(200)),
    # The member answers first (by session), so the member's token finds it answered.
    Route(
        "POST",
        "/api/v1/pairings/{group}/answer",
        {**group_members(200, anonymous=401), "member_token": 409},
        json=TAPS,
    ),
    # --- shout-outs, appreciation, values and the audit log ------------------------------------
    Route("GET", "/shoutouts", page(200)),
    Route("POST", "/shoutouts", form(303), form=SHOUT),
    Route("GET", "/shoutouts/{shoutout}", page(200)),
    Route("POST", "/shoutouts/{shoutout}/reactions", form(303), form={"kind": "🎉"}),
    Route("POST", "/shoutouts/{shoutout}/reactions/remove", form(303), form={"kind": "🎉"}),
    Route("POST", "/shoutouts/{shoutout}/hide", admin_form(303), form={"reason": "Testing"}),
    Route("GET", "/me/appreciation", page(200)),
    Route("GET", "/teams/{platform}/appreciation", team_leads(200)),
    Route("GET", "/admin/values", admin_page(200)),
    Route("POST", "/admin/values", admin_form(303), form={"name": "Value of {role}"}),
    Route("POST", "/admin/values/{value}/retire", admin_form(303), form={}),
    Route("GET", "/admin/audit", admin_page(200)),
    Route("GET", "/admin/audit.csv", admin_page(200)),
    Route("GET", "/api/v1/audit", api_admin(200)),
    Route("GET", "/api/v1/shoutouts", api(200)),
    # A token acts as its owner, who gave this very shout-out by session already: a duplicate.
    Route(
        "POST",
        "/api/v1/shoutouts",
        {**api(201), "member_token": 409, "admin_token": 409},
        json=API_SHOUT,
    ),
    Route("GET", "/api/v1/shoutouts/{shoutout}", api(200)),
    Route("POST", "/api/v1/shoutouts/{shoutout}/reactions", api(200), json={"kind": "🎉"}),
    Route("DELETE", "/api/v1/shoutouts/{shoutout}/reactions", api(200), params={"kind": "🎉"}),
    Route("POST", "/api/v1/shoutouts/{shoutout}/hide", api_admin(200), json={"reason": "Test"}),
    Route("GET", "/api/v1/me/appreciation", api(200)),
    Route("GET", "/api/v1/teams/{platform}/appreciation", team_leads(200, anonymous=401)),
    Route("GET", "/api/v1/values", api(200)),
    # The admin's token is the admin, who added this value by session already.
    Route(
        "POST", "/api/v1/values", {**api_admin(201), "admin_token": 409}, json={"name": "Candour"}
    ),
    Route("POST", "/api/v1/values/{value}/retire", api_admin(200)),
    # --- API: roster -----------------------------------------------------------------------
    Route("GET", "/api/v1/roster", api_admin(200)),
    Route("POST", "/api/v1/roster", api_admin(200), upload=NEW_PEOPLE),
]

# --- insights (not computed yet in this world: the readers say so with 404) ------------------
LEADS_OF_PLATFORM = ("lead", "admin", "admin_token")


def platform_leads(code: int, *, anonymous: int = 303) -> dict[str, int]:
    """The lead of Platform and admins get ``code``; everyone else is refused."""
    return {**everyone(403), **dict.fromkeys(LEADS_OF_PLATFORM, code), ANONYMOUS: anonymous}


ROUTES += [
    Route("GET", "/insights", {**platform_leads(303), ANONYMOUS: 303}),
    Route("GET", "/insights/org", admin_page(200)),
    Route("GET", "/insights/teams/{platform}", platform_leads(200)),
    Route("GET", "/insights/org.csv", admins_only(404, 403, 303)),
    Route("GET", "/insights/teams/{platform}/export.csv", platform_leads(404)),
    Route("POST", "/insights/publish", admin_form(303), form={}),
    Route("GET", "/me/connections", page(200)),
    Route("GET", "/api/v1/insights/org", admins_only(404, 403, 401)),
    Route("GET", "/api/v1/insights/teams/{platform}", platform_leads(404, anonymous=401)),
]

# --- pulses and the item bank (a round open to the whole cast) ------------------------------
ROUTES += [
    Route("GET", "/pulses", page(200)),
    Route("GET", "/pulses/{pulse_round}", page(200)),
    Route("POST", "/pulses/{pulse_round}", form(422), form={}),  # no answer: refused, by name
    Route("GET", "/admin/pulses", admin_page(200)),
    Route("POST", "/admin/pulses", admin_form(303), form={"name": "P", "starts_on": TOMORROW}),
    Route("POST", "/admin/pulses/{pulse}/open", admin_form(303), form={"opens_on": TOMORROW}),
    Route("GET", "/admin/bank", admin_page(200)),
    Route("POST", "/admin/bank/constructs", admin_form(303), form={"key": "k_{role}", "name": "K"}),
    Route(
        "POST",
        "/admin/bank/items",
        admin_form(422),
        form={"construct_id": "0", "text": "No such construct"},
    ),
    Route("GET", "/api/v1/pulses", api_admin(200)),
    Route("POST", "/api/v1/pulses", api_admin(201), json={"name": "API", "starts_on": TOMORROW}),
    Route("GET", "/api/v1/pulses/open", api(200)),
    Route("GET", "/api/v1/pulses/rounds/{pulse_round}", api(200)),
    # Each person answers once: the member's and the admin's tokens find theirs answered.
    Route(
        "POST",
        "/api/v1/pulses/rounds/{pulse_round}/responses",
        {**api(201), "member_token": 409, "admin_token": 409},
        json={"answers": {"{pulse_item}": 4}},
    ),
]


# --- team goals and the weekly digest ---------------------------------------------------------
NEW_GOAL = {"title": "A goal by {role}", "done_looks_like": "Done", "target": "5"}
OF_PLATFORM = {"other_member": 403}  # goals of the member's and lead's team: Noah is not in it
LEADS_AND_ADMINS = {"member": 403, "other_member": 403, "member_token": 403}
ROUTES += [
    Route("GET", "/goals", page(303)),  # to the viewer's team's goals
    Route("GET", "/teams/{platform}/goals", page(200)),
    Route("POST", "/teams/{platform}/goals", {**form(303), **OF_PLATFORM}, form=NEW_GOAL),
    Route("GET", "/goals/{goal}", page(200)),
    Route("POST", "/goals/{goal}/progress", {**form(303), **OF_PLATFORM}, form={"note": "Hi"}),
    Route("GET", "/teams/{platform}/digest", {**page(200), **LEADS_AND_ADMINS}),
    Route("POST", "/teams/{platform}/digest", {**form(303), **LEADS_AND_ADMINS},
          form={"weekday": "4", "local_hour": "15"}),
    Route("GET", "/me/digest", page(200)),
    Route("POST", "/me/digest", form(303), form={"subscribed": "true"}),
    # The signed link is the permission: no sign-in, no CSRF token (one-click unsubscribe).
    Route("GET", "/digest/unsubscribe/{unsub}", everyone(200)),
    Route("POST", "/digest/unsubscribe/{unsub}", everyone(200), form={}),
    Route("GET", "/api/v1/goals", api(200), params={"team_id": "1"}),
    Route("POST", "/api/v1/goals", {**api(201), **OF_PLATFORM},
          json={"team_id": "{platform}", "title": "API goal", "done_looks_like": "Done"}),
    Route("GET", "/api/v1/goals/{goal}", api(200)),
    Route("POST", "/api/v1/goals/{goal}/progress", {**api(200), **OF_PLATFORM},
          json={"amount": 1}),
]  # fmt: skip


def _pulse_ids(db: Session) -> dict[str, int | str]:
    """A pulse with a round open to the whole cast, and the first statement it asks."""
    pulse = pulses_service.create_pulse(
        db, PulseIn(name="Pulse", starts_on=dt.date.today()), actor=None
    )
    row = pulses_service.open_round(db, pulse, dt.date.today(), actor=None)
    assert row is not None
    db.commit()
    return {"pulse": pulse.id, "pulse_round": row.id, "pulse_item": row.item_ids[0]}


def _goal_and_digest_ids(db: Session, cast: Cast, settings: Settings) -> dict[str, int | str]:
    """A goal of Platform (its target out of reach) and the member's unsubscribe token."""
    goal = goals_service.create_goal(
        db, cast.lead, GoalIn(team_id=cast.platform.id, title="Big", done_looks_like="x",
                              target=1000)
    )  # fmt: skip
    db.commit()
    return {"goal": goal.id, "unsub": digests_service.unsubscribe_token(settings, cast.member.id)}


def _filled(value: Any, world: World) -> Any:
    """A JSON body with "{name}" values replaced by the world's ids (e.g. a team's id)."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return world.ids[value[1:-1]]
    if isinstance(value, dict):  # keys too: {"{pulse_item}": 4} answers that item
        return {str(_filled(key, world)): _filled(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, world) for item in value]
    return value


@dataclass
class World:
    cast: Cast
    tokens: Tokens
    ids: dict[str, int | str]
    cookies: dict[str, dict[str, str]]  # each browser's cookies: one per role but the tokens


@pytest.fixture
def world(db: Session, cast: Cast, tokens: Tokens, settings: Settings) -> World:
    """The cast signed in, their tokens, someone who has left, a notification for the member."""
    inactive = Person(
        email="left@example.org", name="Left Already", team=cast.support, is_active=False
    )
    extra = Person(email="extra@example.org", name="Extra Person", team=cast.support)
    db.add_all([inactive, extra])
    program = programs_service.create_program(
        db, ProgramIn(name="Coffee", starts_on=dt.date.today(), cadence="weekly"), actor=None
    )
    db.flush()
    round_ = Round(program_id=program.id, round_on=dt.date.today())
    group = Group(round=round_, uid="permissions-group", slot_start=now(),
                  slot_end=now() + dt.timedelta(minutes=30), starter="Hello?")  # fmt: skip
    group.members = [GroupMember(person_id=cast.member.id), GroupMember(person_id=cast.lead.id)]
    db.add(group)
    shoutout = shoutouts_service.give(
        db,
        cast.lead,
        ShoutOutIn(message="Thanks!", pathway="play", person_ids=[cast.member.id]),
        settings,
    )
    value = shoutout_values.add_value(db, "Kindness", actor=None)
    cookies = {ANONYMOUS: {ANON_COOKIE: "an-anonymous-visitor"}}
    for role in SESSION_ROLES:
        cookies[role] = {SESSION_COOKIE: accounts.start_session(db, getattr(cast, role), settings)}
    db.commit()
    ids = {
        "member": cast.member.id,
        "admin": cast.admin.id,
        "inactive": inactive.id,
        "platform": cast.platform.id,
        "notification": send(db, cast.member, "For Mia"),
        "token": tokens.member_id,
        "program": program.id,
        "group": group.id,
        "extra": extra.id,
        "shoutout": shoutout.id,
        "value": value.id,
    }
    ids |= _goal_and_digest_ids(db, cast, settings)
    ids |= _pulse_ids(db)
    return World(cast, tokens, ids, cookies)


def _path(route: Route, world: World) -> str:
    return route.path.format(secret="no-such-link", **world.ids)


def _call(
    client: TestClient, route: Route, world: World, role: str, csrf: str | None
) -> httpx.Response:
    """One request as ``role``: a browser with its cookies, or a script with its token."""
    client.cookies = world.cookies.get(role, {})
    headers: dict[str, str] = {}
    data = (
        {k: v.format(role=role) for k, v in route.form.items()} if route.form is not None else None
    )
    if role in TOKEN_ROLES:
        headers |= bearer(world.tokens.member if role == "member_token" else world.tokens.admin)
    elif csrf is not None:  # what this browser's pages carry
        if data is not None:
            data["csrf_token"] = csrf
        else:
            headers["X-CSRF-Token"] = csrf
    files = {"file": ("roster.csv", route.upload.encode(), "text/csv")} if route.upload else None
    return client.request(
        route.method, _path(route, world), data=data, json=_filled(route.json, world), files=files,
        params=route.params, headers=headers,
    )  # fmt: skip


@pytest.mark.parametrize("route", [pytest.param(route, id=route.id) for route in ROUTES])
def test_each_role_gets_exactly_the_expected_status(
    client: TestClient, world: World, route: Route
) -> None:
    got: dict[str, int] = {}
    for role in ROLES:
        csrf = None
        if route.method != "GET" and role not in TOKEN_ROLES:
            client.cookies = world.cookies[role]
            csrf = form_token(client)
        response = _call(client, route, world, role, csrf)
        got[role] = response.status_code
        if role == ANONYMOUS and response.status_code == 303 and route.id != "POST /logout":
            assert response.headers["location"] == f"/login?next={_path(route, world)}"

    assert got == route.expect


def test_the_matrix_covers_every_route() -> None:
    served: set[tuple[str, str]] = set(APP_ROUTES)
    for module in PAGE_MODULES:
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            served |= {(method, route.path) for method in route.methods}
    for module, prefix in API_MODULES.items():
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            served |= {(method, prefix + route.path) for method in route.methods}

    placeholders = {"member": "person_id", "admin": "person_id", "inactive": "person_id",
                    "platform": "team_id", "notification": "notification_id",
                    "token": "token_id", "secret": "secret", "program": "program_id",
                    "group": "group_id", "extra": "other_id", "shoutout": "shoutout_id",
                    "value": "value_id"}  # fmt: skip
    placeholders |= {"goal": "goal_id", "unsub": "token"}
    placeholders |= {"pulse": "pulse_id", "pulse_round": "round_id"}
    covered = {(r.method, r.path.format(**{k: "{" + v + "}" for k, v in placeholders.items()}))
               for r in ROUTES}  # fmt: skip
    assert served - covered == set()
    assert covered - served == set()


def test_every_row_names_every_role() -> None:
    for route in ROUTES:
        assert set(route.expect) == set(ROLES), route.id
