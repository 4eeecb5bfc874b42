"""A deterministic generator of realistic organisations.

The demo organisation, the test fixtures that need a roster and the benchmarks all draw from
this one generator, so that "240 people" in the demo and "100,000 people" in a benchmark have
the same shape: nested teams, managers inside each team reporting up the tree, four time zones,
a spread of start dates with some new hires this month.

It imports nothing of the database or the web: dataclasses out (and, for the pairing
benchmarks and tests, the matching library's participants).

Complexity: O(people + teams) time and memory.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from connectwell.matching.model import Participant

DEMO_DOMAIN = "demo.connectwell.example"

# Each site: (location, IANA time zone, working hours start, end). Four time zones.
SITES: tuple[tuple[str, str, int, int], ...] = (
    ("London", "Europe/London", 9, 17),
    ("Berlin", "Europe/Berlin", 9, 17),
    ("New York", "America/New_York", 9, 17),
    ("Singapore", "Asia/Singapore", 9, 17),
)

DEPARTMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Engineering", ("Platform", "Payments", "Mobile", "Data")),
    ("Product", ("Design", "Research")),
    ("Customer", ("Support", "Success")),
    ("Operations", ("People", "Finance")),
)

FIRST_NAMES = (
    "Ada",
    "Amara",
    "Ben",
    "Carmen",
    "Chen",
    "Dana",
    "Dev",
    "Elif",
    "Emeka",
    "Farah",
    "Felix",
    "Grace",
    "Hana",
    "Hugo",
    "Imani",
    "Ines",
    "Jonas",
    "Kai",
    "Lawrence",
    "Leila",
    "Luca",
    "Maya",
    "Mateo",
    "Nadia",
    "Noor",
    "Olga",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Sofia",
    "Tariq",
    "Tomas",
    "Uma",
    "Vera",
    "Wei",
    "Xavier",
    "Yara",
    "Yusuf",
    "Zoe",
)
LAST_NAMES = (
    "Abara",
    "Berg",
    "Costa",
    "Diallo",
    "Evans",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Mensah",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quist",
    "Rossi",
    "Singh",
    "Tanaka",
    "Ueda",
    "Varga",
    "Walker",
    "Xu",
    "Yilmaz",
    "Zhang",
)
INTERESTS = (
    "cycling",
    "baking",
    "chess",
    "climbing",
    "film",
    "gardening",
    "jazz",
    "languages",
    "photography",
    "podcasts",
    "running",
    "board games",
    "travel",
    "yoga",
    "reading",
    "football",
    "coffee",
    "music production",
    "hiking",
    "cooking",
)
TITLES_BY_LEVEL = {1: "Associate", 2: "Specialist", 3: "Senior Specialist", 4: "Principal"}


@dataclass(frozen=True)
class DemoTeam:
    """A team; ``path`` is the team with its parents, joined by `` > ``."""

    name: str
    path: str
    parent_path: str | None
    location: str
    timezone: str


@dataclass(frozen=True)
class DemoPerson:
    """One roster row, plus what the matching library can use."""

    email: str
    name: str
    team: str  # the team path, e.g. "Engineering > Platform"
    manager_email: str | None
    title: str
    timezone: str
    location: str
    start_date: dt.date
    role: str  # member, lead or admin
    level: int
    work_start: int
    work_end: int
    interests: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DemoOrg:
    teams: list[DemoTeam]
    people: list[DemoPerson]


def _team_tree(team_count: int) -> list[tuple[str, str | None]]:
    """Return (path, parent_path) for ``team_count`` nested teams, parents first."""
    tree: list[tuple[str, str | None]] = []
    for dept, subs in DEPARTMENTS:
        tree.append((dept, None))
        tree.extend((f"{dept} > {sub}", dept) for sub in subs)
    # Larger organisations get numbered squads under the leaf teams.
    leaves = [path for path, parent in tree if parent is not None]
    squad = 1
    while len(tree) < team_count:
        parent = leaves[(squad - 1) % len(leaves)]
        tree.append((f"{parent} > Squad {squad}", parent))
        squad += 1
    return tree[:team_count]


def generate_org(
    people: int = 240,
    *,
    teams: int | None = None,
    seed: int = 7,
    today: dt.date | None = None,
    admin_email: str = f"admin@{DEMO_DOMAIN}",
) -> DemoOrg:
    """Generate an organisation of ``people`` people.

    Parameters
    ----------
    people : int
        Head count, at least 4.
    teams : int, optional
        Number of teams; by default about one per 17 people, at least 14 for the demo size.
    seed : int
        The same seed gives the same organisation.
    today : date, optional
        Start dates are spread over the ten years before ``today``; about 3% started in the
        last 30 days. Defaults to the real date.
    admin_email : str
        The first person is the admin, with this address.

    Returns
    -------
    DemoOrg
        Teams (parents before children) and people (managers before their reports).
    """
    if people < 4:
        raise ValueError("people: at least 4")
    rng = random.Random(seed)
    today = today or dt.date.today()
    team_count = teams or max(14, people // 17)
    tree = _team_tree(min(team_count, max(1, people // 2)))
    demo_teams: list[DemoTeam] = []
    site_of: dict[str, tuple[str, str, int, int]] = {}
    for index, (path, parent) in enumerate(tree):
        site = site_of[parent] if parent and rng.random() < 0.6 else SITES[index % len(SITES)]
        site_of[path] = site
        demo_teams.append(DemoTeam(path.rsplit(" > ", 1)[-1], path, parent, site[0], site[1]))

    # Every team gets at least one person (its lead); the rest are spread at random.
    slots = [t.path for t in demo_teams]
    slots += [rng.choice(demo_teams).path for _ in range(people - len(slots))]
    members_of: dict[str, int] = {}
    for path in slots:
        members_of[path] = members_of.get(path, 0) + 1

    used_emails: set[str] = set()
    result: list[DemoPerson] = []
    lead_of: dict[str, str] = {}
    for team in demo_teams:
        for position in range(members_of[team.path]):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            base = f"{first}.{last}".lower()
            email = f"{base}@{DEMO_DOMAIN}"
            suffix = 2
            while email in used_emails:
                email = f"{base}{suffix}@{DEMO_DOMAIN}"
                suffix += 1
            is_admin = not result
            if is_admin:
                email = admin_email
            used_emails.add(email)
            is_lead = position == 0
            if is_lead:
                lead_of[team.path] = email
                manager = lead_of.get(team.parent_path) if team.parent_path else None
                level = 4 if team.parent_path is None else 3
            else:
                manager = lead_of[team.path]
                level = rng.choice((1, 1, 2, 2, 2, 3))
            loc, tz, start, end = site_of[team.path]
            if rng.random() < 0.15:  # some people work from another site
                loc, tz, start, end = rng.choice(SITES)
            if rng.random() < 0.03 or (position == 1 and rng.random() < 0.25):
                started = today - dt.timedelta(days=rng.randint(0, 27))
            else:
                started = today - dt.timedelta(days=rng.randint(30, 3650))
            role = "admin" if is_admin else ("lead" if is_lead else "member")
            title = ("Head of " + team.name) if is_lead else f"{TITLES_BY_LEVEL[level]}"
            result.append(
                DemoPerson(
                    email=email,
                    name=f"{first} {last}",
                    team=team.path,
                    manager_email=manager,
                    title=title,
                    timezone=tz,
                    location=loc,
                    start_date=started,
                    role=role,
                    level=level,
                    work_start=start,
                    work_end=end,
                    interests=tuple(sorted(rng.sample(INTERESTS, rng.randint(0, 3)))),
                )
            )
    return DemoOrg(teams=demo_teams, people=result)


def as_participants(org: DemoOrg) -> list[Participant]:
    """The organisation as the matching library's participants (benchmarks and tests)."""
    return [
        Participant(
            id=p.email,
            team=p.team,
            manager=p.manager_email,
            timezone=p.timezone,
            work_start=dt.time(p.work_start),
            work_end=dt.time(p.work_end),
            level=p.level,
            location=p.location,
            interests=frozenset(p.interests),
            joined=p.start_date,
        )
        for p in org.people
    ]
