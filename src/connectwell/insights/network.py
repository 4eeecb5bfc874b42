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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Date, Select, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from connectwell.network import (
    KINDS,
    WINDOW_DAYS,
    Network,
    build_network,
    count_bands,
    isolation,
    measure,
    plan_counts,
    recent_connection_counts,
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
PAIRING_MET, SHOUTOUT = KINDS.index("pairing_met"), KINDS.index("shoutout")
#: Rows turned into arrays at a time: bounds the Python objects alive at once.
_CHUNK = 100_000


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


@dataclass(frozen=True)
class InteractionArrays:
    """:class:`Interactions` as arrays, for the nightly measures: no Python object per row."""

    source: npt.NDArray[np.int64]  # person ids
    target: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int8]  # codes of connectwell.network.KINDS
    day: npt.NDArray[np.datetime64]  # datetime64[D]


class _utc_day(FunctionElement[dt.date]):
    """The UTC calendar day of a stored timestamp, in SQL (``created_at.date()`` in UTC)."""

    type = Date()
    inherit_cache = True
    name = "utc_day"


@compiles(_utc_day, "postgresql")
def _utc_day_postgresql(element: _utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC' AS DATE)"


@compiles(_utc_day)
def _utc_day_sqlite(element: _utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"  # stored in UTC, without zone


def _interaction_queries(
    since: dt.date, today: dt.date, person_id: int | None
) -> list[tuple[int, Select[int, int | None, dt.date]]]:
    """The kind code and the query of (one person, the other, day) for each kind gathered."""
    mine, theirs, said = aliased(GroupMember), aliased(GroupMember), aliased(GroupMember)
    someone_met = select(said.id).where(said.group_id == mine.group_id, said.met.is_(True)).exists()
    pairs = (
        select(mine.person_id, theirs.person_id, Round.round_on)
        .join(theirs, (theirs.group_id == mine.group_id) & (theirs.person_id > mine.person_id))
        .join(Group, Group.id == mine.group_id)
        .join(Round, Round.id == Group.round_id)
        .where(
            someone_met,
            Round.round_on >= since,
            Round.round_on <= today,
        )
    )
    if person_id is not None:
        pairs = pairs.where((mine.person_id == person_id) | (theirs.person_id == person_id))
    recipient = Recipient.person_id
    shoutouts = (
        select(ShoutOut.sender_id, recipient, _utc_day(ShoutOut.created_at))
        .join(Recipient, Recipient.shoutout_id == ShoutOut.id)
        .where(
            recipient.is_not(None),
            recipient != ShoutOut.sender_id,
            ShoutOut.hidden_at.is_(None),
            ShoutOut.created_at >= dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC),
            ShoutOut.created_at
            < dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
        )
    )
    if person_id is not None:
        shoutouts = shoutouts.where((ShoutOut.sender_id == person_id) | (recipient == person_id))
    return [(PAIRING_MET, pairs), (SHOUTOUT, shoutouts)]


_Columns = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.datetime64]]


def gather_arrays(
    session: Session, today: dt.date, *, since: dt.date | None = None, person_id: int | None = None
) -> InteractionArrays:
    """Met pairings (everyone in a group someone said met: each pair of its members) and
    shout-outs to people other than the sender, not hidden, from ``since`` (a year before
    ``today`` by default) to ``today``, both days included; with ``person_id``, only those the
    person took part in. Pairings come first, each pair as (smaller id, larger id).

    Complexity
    ----------
    One query per kind, ``O(E)`` for ``E`` interactions and no ORM object: on PostgreSQL a
    binary ``COPY`` read straight into arrays (no Python object per row), elsewhere Core rows
    turned into arrays a chunk at a time.
    """
    since = since or today - HORIZON
    parts: list[tuple[int, _Columns]] = []
    copy = session.get_bind().dialect.name == "postgresql"
    for code, query in _interaction_queries(since, today, person_id):
        parts.extend(
            (code, columns)
            for columns in (_copied(session, query) if copy else _fetched(session, query))
        )
    if not parts:
        no_ids = np.zeros(0, dtype=np.int64)
        return InteractionArrays(
            no_ids, no_ids, np.zeros(0, dtype=np.int8), np.zeros(0, dtype="datetime64[D]")
        )
    return InteractionArrays(
        source=np.concatenate([columns[0] for _, columns in parts]),
        target=np.concatenate([columns[1] for _, columns in parts]),
        kind=np.concatenate(
            [np.full(columns[0].shape[0], code, dtype=np.int8) for code, columns in parts]
        ),
        day=np.concatenate([columns[2] for _, columns in parts]),
    )


def _fetched(session: Session, query: Select[int, int | None, dt.date]) -> Iterator[_Columns]:
    """The rows of (person id, person id, day), a chunk of arrays at a time."""
    result = session.connection().execute(query)  # Core rows: no ORM loading
    while chunk := result.fetchmany(_CHUNK):
        a, b, day = zip(*chunk, strict=True)
        yield (
            np.array(a, dtype=np.int64),
            np.array(b, dtype=np.int64),
            np.array(day, dtype="datetime64[D]"),
        )


#: A row of ``COPY ... TO STDOUT (FORMAT BINARY)`` of (integer, integer, date): the number of
#: fields, then each field's length and big-endian value; a date is days since 2000-01-01.
_COPY_ROW = np.dtype(
    [("fields", ">i2")] + [(f"{name}{part}", ">i4") for name in "abd" for part in ("_length", "")]
)
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00"
_POSTGRES_EPOCH = np.datetime64("2000-01-01", "D")


def _copied(session: Session, query: Select[int, int | None, dt.date]) -> Iterator[_Columns]:
    """The rows of (person id, person id, day) from PostgreSQL's binary COPY, in the session's
    transaction: read as one buffer, no Python object per row (the dates and ids that
    :func:`_fetched` builds cost more than the query)."""
    connection = session.connection()
    # COPY takes no parameters: the values are days and ids of our own, rendered as literals.
    sql = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)") as copy:
        data = b"".join(bytes(block) for block in copy)
    if not data.startswith(_COPY_HEADER):
        raise RuntimeError("not a binary COPY")
    start = 19 + int.from_bytes(data[15:19], "big")  # after the header and its extension
    body = data[start:-2]  # the trailer is a field count of -1
    if len(body) % _COPY_ROW.itemsize:
        raise RuntimeError("a COPY row is not (integer, integer, date)")
    rows = np.frombuffer(body, dtype=_COPY_ROW)
    lengths = [rows[f"{name}_length"] for name in "abd"]
    if (rows["fields"] != 3).any() or any((length != 4).any() for length in lengths):
        raise RuntimeError("a COPY row is not (integer, integer, date)")
    yield (
        rows["a"].astype(np.int64),
        rows["b"].astype(np.int64),
        _POSTGRES_EPOCH + rows["d"].astype("timedelta64[D]"),
    )


def gather(
    session: Session, today: dt.date, *, since: dt.date | None = None, person_id: int | None = None
) -> Interactions:
    """:func:`gather_arrays` as lists: kinds by name, days as dates."""
    found = gather_arrays(session, today, since=since, person_id=person_id)
    return Interactions(
        source=found.source.tolist(),
        target=found.target.tolist(),
        kind=[KINDS[code] for code in found.kind.tolist()],
        day=found.day.tolist(),
    )


def connection_counts(session: Session, round_on: dt.date) -> dict[int, int]:
    """How many distinct people each person connected with (a met pairing or a shout-out,
    either way) in the library's window (:data:`WINDOW_DAYS`) before ``round_on``: what a
    pairing round takes as each participant's recorded connections
    (:data:`connectwell.programs.rounds.ConnectionCounts`). A person absent has none.

    Complexity: :func:`gather_arrays` (one query per kind of interaction) and ``O(E log E)``
    for ``E`` interactions: no query per person.
    """
    last = round_on - dt.timedelta(days=1)
    found = gather_arrays(session, last, since=round_on - dt.timedelta(days=int(WINDOW_DAYS)))
    if found.source.shape[0] == 0:
        return {}
    ids, people = np.unique(np.concatenate([found.source, found.target]), return_inverse=True)
    edges = found.source.shape[0]
    network = build_network(
        np.zeros(ids.shape[0], dtype=np.int64),
        people[:edges],
        people[edges:],
        found.kind,
        age_days=(np.datetime64(last, "D") - found.day).astype(np.float64),
    )
    counts = recent_connection_counts(network)
    return dict(zip(ids.tolist(), counts.tolist(), strict=True))


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
    ids = np.array([person_id for person_id, _ in people], dtype=np.int64)  # ascending
    team_ids = sorted({team_id or 0 for _, team_id in people})
    team_index = {team_id: k for k, team_id in enumerate(team_ids)}
    team = np.array([team_index[team_id or 0] for _, team_id in people], dtype=np.int64)
    first, last = last_closed_period(today)
    found = gather_arrays(session, last)

    def position(person_ids: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], Any]:
        """Each person's index among the active people, and whether they are one."""
        at = np.minimum(np.searchsorted(ids, person_ids), len(ids) - 1)
        return at, ids[at] == person_ids

    source, source_active = position(found.source)
    target, target_active = position(found.target)
    keep = source_active & target_active
    source, target, kind = source[keep], target[keep], found.kind[keep]
    age = (np.datetime64(last, "D") - found.day[keep]).astype(np.int64)

    def network_of(rows: Any) -> Network:
        return build_network(
            team,
            source[rows],
            target[rows],
            kind[rows],
            age_days=age[rows].astype(np.float64),
            teams=len(team_ids),
        )

    # Who has few connections: the period. The figures about ties: only what came before it,
    # so that they bound nobody's connections in the period (a team with no ties at all would
    # otherwise say that all its members have few).
    few_of = isolation(network_of(slice(None)), max_connections=FEW)
    result = measure(network_of(age > WINDOW_DAYS))
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
