"""The connection network from the database: met pairings and shout-outs between people.

The nightly job gathers the last year's recorded connections, measures them with the pure
:mod:`connectwell.network` library and adds organisation- and team-level figures to the stored
insight snapshots; nobody but the person sees whom they connected with (:func:`my_connections`).

What the figures say about people goes through the same kind of gate as answers:

- **Which groups.** The groups are sets of people. The organisation, then the team tree
  (parents before children), pass through :class:`connectwell.stats.Disclosure`, so no team is
  shown whose complement in its parent, or whose combination with the teams already shown,
  holds fewer than the floor. The figures about ties (cross-team share, E-I index, other
  teams reached, modularity, reciprocity, the most bridging teams) appear only for groups
  shown this way, and the bridging teams named are only teams shown. They count the ties
  from before the period of "few recorded connections" (up to a year back from its end), so
  they say nothing about who has few connections in it: "no ties at all" would otherwise tell
  that everyone in a team has few.
- **"Few recorded connections", in bands.** A person has few recorded connections when they
  connected with at most one other person (:data:`FEW`) in a period of :data:`PERIOD_DAYS`
  days: fixed periods, back to back, and the figures describe the last one that ended, so
  they do not move night after night (a band edge crossed between two nights would tell the
  count). How many people do is shown only as a band,
  by :func:`connectwell.network.plan_counts` and :func:`connectwell.network.count_bands`:
  cells of at least twice the floor decided by group sizes alone, a band of the share per
  cell whose edges never single out 0 or the whole cell, and group figures that are sums of
  their cells' bands. For every set of people (a cell, a hidden team, one person) at least
  two counts stay consistent with everything shown, and neither "nobody" nor "everybody" can
  be deduced: see :mod:`connectwell.network.bands` for the rule and its proof.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from connectwell.network import (
    WINDOW_DAYS,
    Network,
    build_network,
    count_bands,
    isolation,
    measure,
    plan_counts,
)
from connectwell.people.models import Person, Team
from connectwell.programs.models import Group, GroupMember, Round
from connectwell.shoutouts.models import Recipient, ShoutOut
from connectwell.stats import AnonymityPolicy, Disclosure

HORIZON = dt.timedelta(days=365)
#: A person has few recorded connections with at most this many people in the period.
FEW = 1
#: The periods "few recorded connections" is counted over: the library's window (interactions
#: at most 90 days before the last day, so 91 days), back to back from a fixed first day.
PERIOD_DAYS = int(WINDOW_DAYS) + 1
EPOCH = dt.date(2024, 1, 1)


def period_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The period holding ``day``: its first and last day.

    >>> period_of(dt.date(2024, 2, 15))
    (datetime.date(2024, 1, 1), datetime.date(2024, 3, 31))
    >>> period_of(dt.date(2024, 4, 1))[0]
    datetime.date(2024, 4, 1)
    """
    start = EPOCH + dt.timedelta(days=(day - EPOCH).days // PERIOD_DAYS * PERIOD_DAYS)
    return start, start + dt.timedelta(days=PERIOD_DAYS - 1)


def last_closed_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The latest period that ended before ``today``: the one the figures describe.

    >>> last_closed_period(dt.date(2024, 4, 1)) == last_closed_period(dt.date(2024, 6, 30))
    True
    """
    start, _ = period_of(today)
    return period_of(start - dt.timedelta(days=1))


@dataclass(frozen=True)
class Interactions:
    source: list[int]  # person ids
    target: list[int]
    kind: list[str]
    day: list[dt.date]


def gather(
    session: Session, today: dt.date, *, since: dt.date | None = None, person_id: int | None = None
) -> Interactions:
    """Met pairings (everyone in a group someone said met) and shout-outs to people, from
    ``since`` (a year before ``today`` by default) to ``today``; with ``person_id``, only those
    the person took part in."""
    since = since or today - HORIZON
    source: list[int] = []
    target: list[int] = []
    kind: list[str] = []
    day: list[dt.date] = []
    mine, theirs = aliased(GroupMember), aliased(GroupMember)
    met_groups = select(GroupMember.group_id).where(GroupMember.met.is_(True)).distinct().subquery()
    pairs = (
        select(mine.person_id, theirs.person_id, Round.round_on)
        .join(theirs, (theirs.group_id == mine.group_id) & (theirs.person_id > mine.person_id))
        .join(Group, Group.id == mine.group_id)
        .join(Round, Round.id == Group.round_id)
        .where(
            mine.group_id.in_(select(met_groups.c.group_id)),
            Round.round_on >= since,
            Round.round_on <= today,
        )
    )
    if person_id is not None:
        pairs = pairs.where((mine.person_id == person_id) | (theirs.person_id == person_id))
    for a, b, on in session.execute(pairs):
        source.append(a)
        target.append(b)
        kind.append("pairing_met")
        day.append(on)
    shoutouts = (
        select(ShoutOut.sender_id, Recipient.person_id, ShoutOut.created_at)
        .join(Recipient, Recipient.shoutout_id == ShoutOut.id)
        .where(
            Recipient.person_id.is_not(None),
            ShoutOut.hidden_at.is_(None),
            ShoutOut.created_at >= dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC),
            ShoutOut.created_at
            < dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
        )
    )
    if person_id is not None:
        shoutouts = shoutouts.where(
            (ShoutOut.sender_id == person_id) | (Recipient.person_id == person_id)
        )
    for sender, recipient, at in session.execute(shoutouts):
        if recipient is not None and sender != recipient:
            source.append(sender)
            target.append(recipient)
            kind.append("shoutout")
            day.append(at.date())
    return Interactions(source, target, kind, day)


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)


def network_figures(
    session: Session, *, today: dt.date, floor: int
) -> tuple[dict[str, Any] | None, dict[int, dict[str, Any]]]:
    """The organisation's figures and, by team id, the figures of the teams the gate shows.

    Parameters
    ----------
    session : Session
    today : date
        The figures describe the last whole period before it (:func:`last_closed_period`):
        every day of the next period gives the same figures, whatever the day.
    floor : int
        The anonymity floor (at least 3); count cells hold at least twice as many people.

    Returns
    -------
    (dict or None, dict of team id -> dict)
        ``None`` and ``{}`` when the organisation itself may not be shown (fewer active people
        than the floor). The dicts validate into
        :class:`~connectwell.insights.schemas.OrgNetwork` and
        :class:`~connectwell.insights.schemas.TeamNetwork`; ``few_connections_low`` and
        ``_high`` are ``None`` for a group that gets no band (see the module).

    Complexity
    ----------
    One query per kind of interaction, the network measures (``O(n + L log L)``) and
    ``O(depth x people)`` set work for the gate and the cells.
    """
    people = session.execute(
        select(Person.id, Person.team_id).where(Person.is_active).order_by(Person.id)
    ).all()
    if not people:
        return None, {}
    index = {person_id: k for k, (person_id, _) in enumerate(people)}
    team_ids = sorted({team_id or 0 for _, team_id in people})
    team_index = {team_id: k for k, team_id in enumerate(team_ids)}
    team = np.array([team_index[team_id or 0] for _, team_id in people], dtype=np.int64)
    first, last = last_closed_period(today)
    found = gather(session, last)
    keep = [
        k
        for k, (a, b) in enumerate(zip(found.source, found.target, strict=True))
        if a in index and b in index
    ]
    age = {k: (last - found.day[k]).days for k in keep}

    def network_of(rows: list[int]) -> Network:
        return build_network(
            team,
            np.array([index[found.source[k]] for k in rows], dtype=np.int64),
            np.array([index[found.target[k]] for k in rows], dtype=np.int64),
            [found.kind[k] for k in rows],
            age_days=np.array([age[k] for k in rows], dtype=np.float64),
            teams=len(team_ids),
        )

    # Who has few connections: the period. The figures about ties: only what came before it,
    # so that they bound nobody's connections in the period (a team with no ties at all would
    # otherwise say that all its members have few).
    few_of = isolation(network_of(keep), max_connections=FEW)
    result = measure(network_of([k for k in keep if age[k] > WINDOW_DAYS]))
    names = {team_id: name for team_id, name in session.execute(select(Team.id, Team.name))}
    groups, parent = _gate(session, [team_id or 0 for _, team_id in people], floor)
    if "org" not in groups:
        return None, {}
    plan = plan_counts(groups, parent, minimum=2 * floor)
    few = frozenset(np.flatnonzero(few_of.isolated).tolist())
    bands = count_bands(plan, few)

    def band(key: str) -> dict[str, int | dt.date | None]:
        shown = bands.get(key)
        return {
            "few_connections_low": shown.low if shown else None,
            "few_connections_high": shown.high if shown else None,
            "counted_from": first,
            "counted_to": last,
            "ties_from": last - HORIZON,
        }

    shown_teams = {int(key.removeprefix("team:")) for key in groups if key != "org"}
    bridging = [
        names[team_ids[k]]
        for k in result.bridging.ranking.tolist()
        if team_ids[k] in shown_teams and result.bridging.other_teams[k] > 0
    ][:5]
    organisation = {
        "people": len(people),
        **band("org"),
        "modularity": _number(result.modularity.q),
        "reciprocity": _number(result.reciprocity.ratio),
        "bridging_teams": bridging,
    }
    teams: dict[int, dict[str, Any]] = {}
    for team_id in sorted(shown_teams):
        k = team_index.get(team_id)
        teams[team_id] = {
            "people": len(groups[f"team:{team_id}"]),
            **band(f"team:{team_id}"),
            "cross_team_ratio": None if k is None else _number(result.teams.cross_team_ratio[k]),
            "ei_index": None if k is None else _number(result.teams.ei_index[k]),
            "other_teams": 0 if k is None else int(result.bridging.other_teams[k]),
        }
    return organisation, teams


def _gate(
    session: Session, team_of_person: list[int], floor: int
) -> tuple[dict[str, frozenset[int]], dict[str, str | None]]:
    """The groups of people (by index) the gate shows, and each one's parent: the organisation
    first, then the team tree, parents before children, through :class:`Disclosure` (the
    walk of ``gate_tree`` in :mod:`connectwell.insights.gate`, over people)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    tree = session.execute(select(Team.id, Team.parent_id, Team.name)).all()
    for team_id, parent_id, _ in sorted(tree, key=lambda row: (row[2].lower(), row[0])):
        children[parent_id].append(team_id)
    members: dict[int, set[int]] = defaultdict(set)
    for person, team_id in enumerate(team_of_person):
        members[team_id].add(person)

    def subtree(team_id: int) -> frozenset[int]:
        found: set[int] = set()
        stack = [team_id]
        while stack:
            current = stack.pop()
            found |= members.get(current, set())
            stack.extend(children.get(current, []))
        return frozenset(found)

    disclosure = Disclosure(AnonymityPolicy(floor=floor))
    everyone = frozenset(range(len(team_of_person)))
    groups: dict[str, frozenset[int]] = {}
    parent: dict[str, str | None] = {}
    if not disclosure.request(everyone):
        return groups, parent
    groups["org"], parent["org"] = everyone, None

    def walk(parent_id: int | None, key: str, people: frozenset[int]) -> None:
        below = {t: subtree(t) for t in children.get(parent_id, [])}
        allowed = disclosure.breakdown(people, {t: g for t, g in below.items() if g})
        for t, ok in allowed.items():
            if ok:
                groups[f"team:{t}"], parent[f"team:{t}"] = below[t], key
                walk(t, f"team:{t}", below[t])

    walk(None, "org", everyone)
    return groups, parent


@dataclass(frozen=True)
class Connection:
    person: Person
    how: str
    on: dt.date


def my_connections(
    session: Session, person: Person, today: dt.date, *, days: int = 90
) -> list[Connection]:
    """The person's own connections lately, newest first: only they see this."""
    found = gather(session, today, since=today - dt.timedelta(days=days), person_id=person.id)
    rows = list(zip(found.source, found.target, found.kind, found.day, strict=True))
    other_ids = {b if a == person.id else a for a, b, _, _ in rows}
    others = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(other_ids)))}
    result = []
    for a, b, how, on in sorted(rows, key=lambda row: row[3], reverse=True):
        if how == "shoutout":
            label = "you appreciated them" if a == person.id else "appreciated you"
        else:
            label = "you met in a pairing"
        result.append(Connection(others[b if a == person.id else a], label, on))
    return result
