"""The connection network from the database: met pairings and shout-outs between people.

The nightly job gathers the last year's interactions, measures them with the pure
:mod:`connectwell.network` library and adds organisation- and team-level figures to the stored
insight snapshots. Team figures appear only for teams of at least the anonymity floor; nobody
but the person sees whom they connected with (:func:`my_connections`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from connectwell.network import build_network, measure
from connectwell.people.models import Person, Team
from connectwell.programs.models import Group, GroupMember, Round
from connectwell.shoutouts.models import Recipient, ShoutOut

HORIZON = dt.timedelta(days=365)


@dataclass(frozen=True)
class Interactions:
    source: list[int]  # person ids
    target: list[int]
    kind: list[str]
    day: list[dt.date]


def gather(
    session: Session, today: dt.date, *, since: dt.date | None = None, person_id: int | None = None
) -> Interactions:
    """Met pairings (everyone in a group someone said met) and shout-outs to people; with
    ``person_id``, only those the person took part in."""
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
        .where(mine.group_id.in_(select(met_groups.c.group_id)), Round.round_on >= since)
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
) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """Organisation-level figures and, for teams of at least ``floor`` people, team figures."""
    people = session.execute(
        select(Person.id, Person.team_id).where(Person.is_active).order_by(Person.id)
    ).all()
    index = {person_id: k for k, (person_id, _) in enumerate(people)}
    team_ids = sorted({team_id or 0 for _, team_id in people})
    team_index = {team_id: k for k, team_id in enumerate(team_ids)}
    team = np.array([team_index[team_id or 0] for _, team_id in people], dtype=np.int64)
    found = gather(session, today)
    keep = [
        k
        for k, (a, b) in enumerate(zip(found.source, found.target, strict=True))
        if a in index and b in index
    ]
    if not people:
        return {}, {}
    network = build_network(
        team,
        np.array([index[found.source[k]] for k in keep], dtype=np.int64),
        np.array([index[found.target[k]] for k in keep], dtype=np.int64),
        [found.kind[k] for k in keep],
        age_days=np.array([(today - found.day[k]).days for k in keep], dtype=np.float64),
        teams=len(team_ids),
    )
    result = measure(network)
    names = {team_id: name for team_id, name in session.execute(select(Team.id, Team.name))}
    bridging = [
        names[team_ids[k]]
        for k in result.bridging.ranking[:5].tolist()
        if team_ids[k] and result.bridging.other_teams[k] > 0
    ]
    organisation = {
        "people": len(people),
        "interactions": len(keep),
        "isolated": int(result.isolation.count),
        "isolated_share": _number(result.isolation.share),
        "modularity": _number(result.modularity.q),
        "reciprocity": _number(result.reciprocity.ratio),
        "bridging_teams": bridging,
    }
    teams: dict[int, dict[str, Any]] = {}
    for k, team_id in enumerate(team_ids):
        size = int(result.teams.size[k])
        if not team_id or size < floor:
            continue
        members = team == k
        teams[team_id] = {
            "people": size,
            "isolated": int(result.isolation.isolated[members].sum()),
            "cross_team_ratio": _number(result.teams.cross_team_ratio[k]),
            "ei_index": _number(result.teams.ei_index[k]),
            "other_teams": int(result.bridging.other_teams[k]),
        }
    return organisation, teams


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
