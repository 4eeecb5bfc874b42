"""Compute every scope's insights at once, deciding what may be shown for the whole tree.

Which groups are shown is decided once, for everyone, by walking the team tree from the
organisation down with :class:`connectwell.stats.Disclosure` (per construct): a team is shown
only if it, its complement inside its parent, and every cell it forms with what was shown
before hold at least the anonymity floor of responses. The per-pulse trend points and the
tenure and location breakdowns go through the same gate. Pages, the API and the CSV export
read only what this stored, so no combination of views can isolate fewer than the floor.

Complexity: one query for the window's answers; then O(depth x answers) set work per
construct. With 1,000,000 responses that is seconds, once a night, not per request.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from connectwell.core import audit
from connectwell.insights.models import InsightSnapshot
from connectwell.insights.network import network_figures
from connectwell.insights.schemas import (
    CheckIns,
    ConstructInsights,
    GroupFigure,
    OrgNetwork,
    ScopeInsights,
    Score,
    TeamNetwork,
    TrendPoint,
)
from connectwell.people.models import Team
from connectwell.programs.models import CheckIn, Round
from connectwell.pulses.models import Answer, Construct, Item, PulseRound, Response
from connectwell.stats.anonymity import AnonymityPolicy, Disclosure
from connectwell.stats.scores import cronbach_alpha, score_construct


@dataclass
class Responses:
    """The window's answers as flat arrays: one entry per answer."""

    response: np.ndarray  # per answer: the response's index
    round_opens: list[dt.date]  # by response index
    team: np.ndarray  # by response index: team id (0: no team)
    tenure: list[str]  # by response index
    location: list[str]  # by response index
    item: np.ndarray  # per answer
    value: np.ndarray  # per answer
    construct_of_item: dict[int, str] = field(default_factory=dict)
    reverse_of_item: dict[int, bool] = field(default_factory=dict)
    day: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # by response
    tenure_code: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    location_code: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    tenure_labels: list[str] = field(default_factory=list)
    location_labels: list[str] = field(default_factory=list)


def load(session: Session, since: dt.date, until: dt.date) -> Responses:
    rows = session.execute(
        select(
            Response.id,
            PulseRound.opens_on,
            Response.team_id,
            Response.tenure_band,
            Response.location,
            Answer.item_id,
            Answer.value,
        )
        .join(PulseRound, PulseRound.id == Response.round_id)
        .join(Answer, Answer.response_id == Response.id)
        .where(PulseRound.opens_on >= since, PulseRound.opens_on <= until)
    ).all()
    index: dict[str, int] = {}
    opens: list[dt.date] = []
    teams: list[int] = []
    tenure: list[str] = []
    location: list[str] = []
    response = np.empty(len(rows), dtype=np.int64)
    item = np.empty(len(rows), dtype=np.int64)
    value = np.empty(len(rows), dtype=np.float64)
    for k, (rid, opens_on, team_id, band, place, item_id, answer) in enumerate(rows):
        position = index.get(rid)
        if position is None:
            position = index[rid] = len(opens)
            opens.append(opens_on)
            teams.append(team_id or 0)
            tenure.append(band or "")
            location.append(place or "")
        response[k], item[k], value[k] = position, item_id, answer
    items = session.execute(
        select(Item.id, Construct.key, Item.reverse_coded).join(Construct)
    ).all()
    tenure_labels = sorted(set(tenure))
    location_labels = sorted(set(location))
    tenure_index = {label: k for k, label in enumerate(tenure_labels)}
    location_index = {label: k for k, label in enumerate(location_labels)}
    return Responses(
        response,
        opens,
        np.array(teams, dtype=np.int64),
        tenure,
        location,
        item,
        value,
        construct_of_item={i: key for i, key, _ in items},
        reverse_of_item={i: rev for i, _, rev in items},
        day=np.array([d.toordinal() for d in opens], dtype=np.int64),
        tenure_code=np.array([tenure_index[t] for t in tenure], dtype=np.int64),
        location_code=np.array([location_index[p] for p in location], dtype=np.int64),
        tenure_labels=tenure_labels,
        location_labels=location_labels,
    )


def _subtrees(session: Session) -> tuple[dict[int | None, list[int]], dict[int, str]]:
    children: dict[int | None, list[int]] = defaultdict(list)
    names = {}
    for team_id, parent_id, name in session.execute(select(Team.id, Team.parent_id, Team.name)):
        children[parent_id].append(team_id)
        names[team_id] = name
    for kids in children.values():
        kids.sort(key=lambda t: names[t].lower())
    return children, names


def _descendants(children: dict[int | None, list[int]], team_id: int) -> set[int]:
    found, stack = set(), [team_id]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return found


def _score(data: Responses, rows: np.ndarray, construct: str) -> Score:
    """The construct's score over the answers at ``rows`` (already filtered to it)."""
    respondents, row_of = np.unique(data.response[rows], return_inverse=True)
    item_ids, column = np.unique(data.item[rows], return_inverse=True)
    matrix = np.full((len(respondents), len(item_ids)), np.nan)
    matrix[row_of, column] = data.value[rows]
    reverse = [data.reverse_of_item[int(i)] for i in item_ids]
    result = score_construct(matrix, reverse, construct=construct)
    # Reliability needs the same items from the same people: the latest pulse's set.
    days = data.day[respondents]
    in_latest = days == days.max()
    asked = ~np.all(np.isnan(matrix[in_latest]), axis=0)
    reliability = cronbach_alpha(
        matrix[np.ix_(in_latest, asked)],
        [flag for flag, keep in zip(reverse, asked, strict=True) if keep],
    )
    return Score(
        n=result.n,
        mean=result.mean,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        favourable_pct=result.favourable_pct,
        alpha=reliability.alpha,
        alpha_n=reliability.n,
    )


def compute(
    session: Session,
    *,
    today: dt.date,
    floor: int,
    weeks: int = 12,
    shown: dict[str, list[frozenset[Hashable]]] | None = None,
) -> dict[str, ScopeInsights]:
    """Every scope's figures, as stored: ``{"org": ..., "team:<id>": ...}``.

    ``shown``, when given, receives each construct's shown groups of responses (and
    ``"check_ins"``'s): what the tests hand to :func:`connectwell.stats.verify_disclosure`.
    """
    clock = time.perf_counter()
    since = today - dt.timedelta(weeks=weeks)
    data = load(session, since, today)
    children, names = _subtrees(session)
    policy = AnonymityPolicy(floor=floor)
    scopes = {"org": _empty("The organisation", since, today)}
    for team_id, name in names.items():
        scopes[f"team:{team_id}"] = _empty(name, since, today)
    constructs = sorted(set(data.construct_of_item.values()))
    construct_of_row = np.array([data.construct_of_item.get(int(i), "") for i in data.item])
    for construct in constructs:
        rows_c = np.flatnonzero(construct_of_row == construct)
        if rows_c.size == 0:
            continue
        team_of_row = data.team[data.response[rows_c]]
        respondents_of = _respondent_sets(data, rows_c)
        disclosure = Disclosure(policy)
        org = respondents_of(np.ones(rows_c.size, dtype=bool))
        if disclosure.request(org):
            # The team tree first (the figures leaders need most), then, scope by scope, the
            # finer views: each must pass the gate given everything already shown.
            allowed = [("org", np.ones(rows_c.size, dtype=bool))]
            _walk(
                None,
                org,
                children,
                construct,
                team_of_row,
                disclosure,
                respondents_of,
                scopes,
                allowed,
            )
            for scope, mask in allowed:
                _fill(scopes[scope], construct, data, rows_c, mask, disclosure, respondents_of)
        if shown is not None:
            shown[construct] = [frozenset(group) for group in disclosure.shown]
    _check_ins(session, since, today, children, policy, scopes, shown)
    _comments(session, since, today, children, policy, scopes, shown)
    organisation, teams = network_figures(session, today=today, floor=floor)
    scopes["org"].network = OrgNetwork.model_validate(organisation) if organisation else None
    for team_id, figures in teams.items():
        scopes[f"team:{team_id}"].network = TeamNetwork.model_validate(figures)
    seconds = time.perf_counter() - clock
    for payload in scopes.values():
        payload.seconds = round(seconds, 3)
    return scopes


def _empty(name: str, since: dt.date, until: dt.date) -> ScopeInsights:
    return ScopeInsights(
        name=name,
        since=since,
        until=until,
        constructs={},
        check_ins=None,
        floor_hidden=[],
        network=None,
        comments=[],
    )


def _respondent_sets(data: Responses, rows_c: np.ndarray) -> Callable[[np.ndarray], frozenset[int]]:
    def respondents(mask: np.ndarray) -> frozenset[int]:
        return frozenset(np.unique(data.response[rows_c[mask]]).tolist())

    return respondents


def _fill(
    payload: ScopeInsights,
    construct: str,
    data: Responses,
    rows_c: np.ndarray,
    mask: np.ndarray,
    disclosure: Disclosure,
    respondents_of: Any,
) -> None:
    """The scope's score, and the trend and breakdowns that pass the same gate."""
    score = _score(data, rows_c[mask], construct)
    trend = []
    opens = data.day[data.response[rows_c[mask]]]
    for day in np.unique(opens).tolist():
        point = mask.copy()
        point[mask] = opens == day
        group = respondents_of(point)
        shown = disclosure.request(group)
        trend.append(
            TrendPoint(
                period=dt.date.fromordinal(day),
                n=len(group) if shown else None,
                mean=_score(data, rows_c[point], construct).mean if shown else None,
            )
        )
    breakdowns: dict[str, list[GroupFigure]] = {}
    for attribute, codes, names in (
        ("tenure", data.tenure_code, data.tenure_labels),
        ("location", data.location_code, data.location_labels),
    ):
        labels = codes[data.response[rows_c]]
        parent = respondents_of(mask)
        masks = {
            names[code]: mask & (labels == code)
            for code in np.unique(labels[mask]).tolist()
            if names[code]
        }
        groups = {label: respondents_of(m) for label, m in masks.items()}
        allowed = disclosure.breakdown(parent, groups)
        breakdowns[attribute] = [
            GroupFigure(
                label=label,
                n=len(groups[label]) if ok else None,
                mean=_score(data, rows_c[masks[label]], construct).mean if ok else None,
            )
            for label, ok in allowed.items()
        ]
    payload.constructs[construct] = ConstructInsights(
        **score.model_dump(),
        trend=trend,
        tenure=breakdowns["tenure"],
        location=breakdowns["location"],
    )


def _walk(
    parent_id: int | None,
    parent: frozenset[int],
    children: dict[int | None, list[int]],
    construct: str,
    team_of_row: np.ndarray,
    disclosure: Disclosure,
    respondents_of: Any,
    scopes: dict[str, ScopeInsights],
    allowed_scopes: list[tuple[str, np.ndarray]],
) -> None:
    """Decide the team tree, parents before children, recording each allowed team."""
    masks = {
        team_id: np.isin(team_of_row, list(_descendants(children, team_id)))
        for team_id in children.get(parent_id, [])
    }
    groups = {team_id: respondents_of(mask) for team_id, mask in masks.items()}
    allowed = disclosure.breakdown(parent, {t: g for t, g in groups.items() if g})
    for team_id, ok in allowed.items():
        if not ok:
            scopes[f"team:{team_id}"].floor_hidden.append(construct)
            continue
        allowed_scopes.append((f"team:{team_id}", masks[team_id]))
        _walk(
            team_id,
            groups[team_id],
            children,
            construct,
            team_of_row,
            disclosure,
            respondents_of,
            scopes,
            allowed_scopes,
        )


def _gate_tree(
    disclosure: Disclosure,
    children: dict[int | None, list[int]],
    team: np.ndarray,
    record: Callable[[str, np.ndarray], None],
) -> None:
    """Walk the team tree from the organisation down through ``disclosure``, calling
    ``record(scope, mask)`` for each scope that may be shown (rows are items by ``team``)."""
    everyone = frozenset(range(len(team)))
    if not disclosure.request(everyone):
        return
    record("org", np.ones(len(team), dtype=bool))

    def walk(parent_id: int | None, parent: frozenset[int]) -> None:
        masks = {
            t: np.isin(team, list(_descendants(children, t))) for t in children.get(parent_id, [])
        }
        groups = {t: frozenset(np.flatnonzero(m).tolist()) for t, m in masks.items()}
        for t, ok in disclosure.breakdown(parent, {t: g for t, g in groups.items() if g}).items():
            if ok:
                record(f"team:{t}", masks[t])
                walk(t, groups[t])

    walk(None, everyone)


def _comments(
    session: Session,
    since: dt.date,
    until: dt.date,
    children: dict[int | None, list[int]],
    policy: AnonymityPolicy,
    scopes: dict[str, ScopeInsights],
    shown: dict[str, list[frozenset[Hashable]]] | None = None,
) -> None:
    """Free-text comments per scope, only from the comment floor (10) up, through a gate of
    their own; shown in alphabetical order, which says nothing about who wrote them or when."""
    rows = session.execute(
        select(Response.team_id, Response.comment)
        .join(PulseRound, PulseRound.id == Response.round_id)
        .where(PulseRound.opens_on >= since, PulseRound.opens_on <= until, Response.comment != "")
    ).all()
    if not rows:
        return
    texts = [comment for _, comment in rows]
    disclosure = Disclosure(policy, comments=True)

    def record(scope: str, mask: np.ndarray) -> None:
        scopes[scope].comments = sorted(texts[k] for k in np.flatnonzero(mask).tolist())

    team = np.array([team_id or 0 for team_id, _ in rows], dtype=np.int64)
    _gate_tree(disclosure, children, team, record)
    if shown is not None:
        shown["comments"] = [frozenset(group) for group in disclosure.shown]


def _check_ins(
    session: Session,
    since: dt.date,
    until: dt.date,
    children: dict[int | None, list[int]],
    policy: AnonymityPolicy,
    scopes: dict[str, ScopeInsights],
    shown: dict[str, list[frozenset[Hashable]]] | None = None,
) -> None:
    """Micro check-in means per scope, through the same kind of gate (one for all three)."""
    rows = session.execute(
        select(CheckIn.team_id, CheckIn.positive_regard, CheckIn.mutuality, CheckIn.vitality)
        .join(Round, Round.id == CheckIn.round_id)
        .where(Round.round_on >= since, Round.round_on <= until)
    ).all()
    if not rows:
        return
    taps = np.array([[r[1], r[2], r[3]] for r in rows], dtype=np.float64)
    disclosure = Disclosure(policy)

    def record(scope: str, mask: np.ndarray) -> None:
        scopes[scope].check_ins = CheckIns(
            n=int(mask.sum()),
            positive_regard=float(taps[mask, 0].mean()),
            mutuality=float(taps[mask, 1].mean()),
            vitality=float(taps[mask, 2].mean()),
        )

    team = np.array([r[0] or 0 for r in rows], dtype=np.int64)
    _gate_tree(disclosure, children, team, record)
    if shown is not None:
        shown["check_ins"] = [frozenset(group) for group in disclosure.shown]


def store(session: Session, scopes: dict[str, ScopeInsights], *, today: dt.date, weeks: int) -> int:
    """Replace the stored snapshots with ``scopes``; returns how many."""
    session.execute(delete(InsightSnapshot))
    since = today - dt.timedelta(weeks=weeks)
    session.add_all(
        InsightSnapshot(
            scope=scope,
            window_start=since,
            window_end=today,
            payload=_stored(payload),
        )
        for scope, payload in scopes.items()
    )
    session.flush()
    return len(scopes)


def _stored(payload: ScopeInsights) -> dict[str, Any]:
    """The JSON the column holds, checked against the schema once more (the computation
    fills the figures in place, which pydantic does not check as it goes)."""
    data = payload.model_dump(mode="json")
    ScopeInsights.model_validate(data)
    return data


def refresh(
    session: Session,
    *,
    today: dt.date,
    floor: int,
    weeks: int = 12,
    actor: audit.Actor = None,
) -> int:
    """Compute and store every scope's insights; returns how many scopes.

    The nightly job passes no ``actor`` (the scheduler: not audited); an admin recomputing by
    hand is recorded as ``insights.refresh``.
    """
    count = store(
        session, compute(session, today=today, floor=floor, weeks=weeks), today=today, weeks=weeks
    )
    if actor is not None:
        audit.record(
            session, actor, "insights.refresh", "insights", None, "every team and the organisation",
            changes={"scopes": [None, count]},
        )  # fmt: skip
    return count
