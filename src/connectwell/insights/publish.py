"""Publish a closed, counted round's results once, and never change them.

A pulse round (or a programme round's micro check-ins) is published after it closed and its
sealed answers were counted (``PulseRound.counted_at``, ``Round.check_ins_counted_at``): its
figures are computed once, rounded as shown, and stored in ``published_figures``; the unique
(kind, source_id) of ``publications`` is the claim, so racing workers publish a round once.
Nothing is recomputed later: no rolling window, no second figure of the same group, so the
difference of two snapshots around a late answer (``8 x new mean - 7 x old mean``) has
nothing to subtract.

Which groups are shown is decided by walking the team tree from the organisation down with
:class:`connectwell.stats.Disclosure`, one per measure (scores, comments, check-ins, met),
**seeded with the disclosure ledger** of the same universe (the same round's answers): every
group ever shown of those answers is in ``disclosure_ledger``, so a later figure of them (a
republication under a reorganised team tree, a new view) is gated against everything shown
before. The rule (Denning & Schlörer 1983; Hundepool et al. 2012, ch. 5): over all groups
shown of one universe, every *cell* (the respondents in exactly the same shown groups) holds
at least the floor, so no linear combination of published counts and sums isolates fewer
than the floor. Breakdowns by tenure band and location go through the same gate; comments
through a gate of their own with the comment floor, listed alphabetically.

Complexity: one query for the round's answers, then O(teams x responses) set work per
construct; a round of 10,000 answers publishes in seconds.

References
----------
.. [1] D. E. Denning, J. Schlörer, "Inference controls for statistical databases",
   IEEE Computer 16(7) (1983) 69-82.
.. [2] A. Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, ch. 5.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectwell.core import audit, errors
from connectwell.insights.models import LedgerEntry, Publication, PublishedFigure
from connectwell.insights.schemas import (
    CheckInRoundFigures,
    ConstructFigure,
    GroupFigure,
    PulseRoundFigures,
    construct_figure,
    interval_figure,
    share_figure,
    stored,
)
from connectwell.people.models import Person, Team
from connectwell.programs.models import CheckIn, Group, GroupMember, Round
from connectwell.pulses.bank import LOWER_IS_BETTER
from connectwell.pulses.models import Answer, Construct, Item, PulseRound, Response
from connectwell.stats import AnonymityPolicy, Disclosure, score_construct, wilson_interval

PULSE_ROUND: Final = "pulse_round"
CHECK_IN_ROUND: Final = "check_in_round"
ORG_NAME = "The organisation"
ELEMENTS = ("positive_regard", "mutuality", "vitality")


class PublishError(errors.Invalid):
    """A round that cannot be published (yet); ``field`` names the culprit."""


# --- the team tree and the ledger ---------------------------------------------------------


@dataclass(frozen=True)
class Tree:
    """The team tree: children by parent (``None``: top level), names, and each team with
    the teams nested under it."""

    children: dict[int | None, list[int]]
    names: dict[int, str]
    below: dict[int, frozenset[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Tree:
        children: dict[int | None, list[int]] = defaultdict(list)
        names: dict[int, str] = {}
        for team_id, parent_id, name in session.execute(select(Team.id, Team.parent_id, Team.name)):
            children[parent_id].append(team_id)
            names[team_id] = name
        for kids in children.values():
            kids.sort(key=lambda t: (names[t].lower(), t))
        below: dict[int, frozenset[int]] = {}

        def collect(team_id: int, seen: frozenset[int]) -> frozenset[int]:
            if team_id in below:
                return below[team_id]
            found = {team_id}
            for kid in children.get(team_id, []):
                if kid not in seen:  # a cycle would be a bug elsewhere; never loop on it
                    found |= collect(kid, seen | {team_id})
            below[team_id] = frozenset(found)
            return below[team_id]

        for team_id in names:
            collect(team_id, frozenset())
        return cls(dict(children), names, below)


def ledger(session: Session, universe: str) -> dict[str, list[frozenset[Hashable]]]:
    """Every group shown so far of ``universe``, by measure, oldest first."""
    shown: dict[str, list[frozenset[Hashable]]] = defaultdict(list)
    for measure, members in session.execute(
        select(LedgerEntry.measure, LedgerEntry.members)
        .where(LedgerEntry.universe == universe)
        .order_by(LedgerEntry.id)
    ):
        shown[measure].append(frozenset(members))
    return shown


def _gate_tree(
    gate: Disclosure, tree: Tree, team: np.ndarray, ids: np.ndarray
) -> list[tuple[str, np.ndarray]]:
    """Walk the team tree from the organisation down through ``gate`` (parents before
    children); return each scope that may be shown with its rows' mask. ``team`` and ``ids``
    are the rows' team ids (0: none) and respondent ids."""
    allowed: list[tuple[str, np.ndarray]] = []
    if ids.size == 0:
        return allowed
    everyone = np.ones(ids.size, dtype=bool)
    if not gate.request(frozenset(ids.tolist())):
        return allowed
    allowed.append(("org", everyone))

    def walk(parent_id: int | None, parent: np.ndarray) -> None:
        masks = {
            kid: parent & np.isin(team, list(tree.below.get(kid, {kid})))
            for kid in tree.children.get(parent_id, [])
        }
        groups = {kid: frozenset(ids[m].tolist()) for kid, m in masks.items() if m.any()}
        for kid, ok in gate.breakdown(frozenset(ids[parent].tolist()), groups).items():
            if ok:
                allowed.append((f"team:{kid}", masks[kid]))
                walk(kid, masks[kid])

    walk(None, everyone)
    return allowed


def _new_groups(gate: Disclosure, seeded: Iterable[frozenset[Hashable]]) -> list[frozenset[str]]:
    before = set(seeded)
    return [frozenset(str(m) for m in g) for g in gate.shown if g not in before]


# --- a pulse round ------------------------------------------------------------------------


@dataclass
class Decision:
    """What a publication would show: figures by scope, and the new groups by measure."""

    figures: dict[str, PulseRoundFigures | CheckInRoundFigures]
    shown: dict[str, list[frozenset[str]]]


@dataclass
class _Round:
    ids: np.ndarray  # response ids (str), one per response
    team: np.ndarray  # team id per response, 0 for none
    tenure: np.ndarray  # per response
    location: np.ndarray
    comment: list[str]
    constructs: dict[str, tuple[np.ndarray, list[bool]]]  # key -> (matrix, reverse flags)


def _load_round(session: Session, round_: PulseRound) -> _Round:
    responses = session.execute(
        select(
            Response.id, Response.team_id, Response.tenure_band, Response.location,
            Response.comment,
        ).where(Response.round_id == round_.id).order_by(Response.id)
    ).all()  # fmt: skip
    position = {rid: k for k, (rid, *_rest) in enumerate(responses)}
    items = {
        item_id: (key, reverse)
        for item_id, key, reverse in session.execute(
            select(Item.id, Construct.key, Item.reverse_coded).join(Construct)
        )
    }
    asked = [i for i in round_.item_ids if i in items]
    by_construct: dict[str, list[int]] = defaultdict(list)
    for item_id in asked:
        by_construct[items[item_id][0]].append(item_id)
    column = {
        item_id: (key, k) for key, ids in by_construct.items() for k, item_id in enumerate(ids)
    }
    matrices = {
        key: np.full((len(responses), len(ids)), np.nan) for key, ids in by_construct.items()
    }
    for response_id, item_id, value in session.execute(
        select(Answer.response_id, Answer.item_id, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.round_id == round_.id)
    ):
        place = column.get(item_id)
        if place is not None:
            matrices[place[0]][position[response_id], place[1]] = value
    return _Round(
        ids=np.array([r[0] for r in responses], dtype=object),
        team=np.array([r[1] or 0 for r in responses], dtype=np.int64),
        tenure=np.array([r[2] or "" for r in responses], dtype=object),
        location=np.array([r[3] or "" for r in responses], dtype=object),
        comment=[r[4] or "" for r in responses],
        constructs={
            key: (matrices[key], [items[i][1] for i in ids]) for key, ids in by_construct.items()
        },
    )


def _score(data: _Round, key: str, mask: np.ndarray) -> ConstructFigure | None:
    matrix, reverse = data.constructs[key]
    score = score_construct(
        matrix[mask], reverse, construct=key, lower_is_better=key in LOWER_IS_BETTER
    )
    return None if score.mean is None else construct_figure(score)


def decide_pulse_round(
    session: Session, round_: PulseRound, *, floor: int, tree: Tree | None = None
) -> Decision:
    """The figures a publication of ``round_`` would show, gated by the ledger; writes nothing.

    :func:`publish_pulse_round` calls it once; a test can call it again (for example after
    the team tree changed) to show that nothing new, together with the ledger, isolates
    fewer than the floor.
    """
    tree = tree or Tree.load(session)
    data = _load_round(session, round_)
    policy = AnonymityPolicy(floor=floor)
    universe = f"{PULSE_ROUND}:{round_.id}"
    seeded = ledger(session, universe)
    scores = Disclosure(policy, seeded["scores"])
    figures: dict[str, PulseRoundFigures] = {}

    def scope(name: str) -> PulseRoundFigures:
        if name not in figures:
            label = ORG_NAME if name == "org" else tree.names[int(name.split(":")[1])]
            figures[name] = PulseRoundFigures(name=label, constructs={}, comments=[])
        return figures[name]

    for key, (matrix, _reverse) in sorted(data.constructs.items()):
        answered = ~np.all(np.isnan(matrix), axis=1)
        rows = np.flatnonzero(answered)
        ids, team = data.ids[rows], data.team[rows]
        for name, mask in _gate_tree(scores, tree, team, ids):
            full = np.zeros(data.ids.size, dtype=bool)
            full[rows[mask]] = True
            figure = _score(data, key, full)
            if figure is None:
                continue
            parent = frozenset(data.ids[full].tolist())
            breakdowns: dict[str, list[GroupFigure]] = {}
            for attribute, labels in (("tenure", data.tenure), ("location", data.location)):
                masks = {
                    label: full & (labels == label)
                    for label in sorted(set(labels[full].tolist()))
                    if label
                }
                groups = {label: frozenset(data.ids[m].tolist()) for label, m in masks.items()}
                ok = scores.breakdown(parent, groups)
                breakdowns[attribute] = [
                    _group_figure(data, key, label, masks[label]) if shown
                    else GroupFigure(label=label, n=None, mean=None)
                    for label, shown in ok.items()
                ]  # fmt: skip
            figure.tenure, figure.location = breakdowns["tenure"], breakdowns["location"]
            scope(name).constructs[key] = figure
    comments = Disclosure(policy, seeded["comments"], comments=True)
    written = np.array([bool(c.strip()) for c in data.comment], dtype=bool)
    rows = np.flatnonzero(written)

    for name, mask in _gate_tree(comments, tree, data.team[rows], data.ids[rows]):
        scope(name).comments = sorted(data.comment[k] for k in rows[mask].tolist())
    return Decision(
        figures=dict(figures),
        shown={
            "scores": _new_groups(scores, seeded["scores"]),
            "comments": _new_groups(comments, seeded["comments"]),
        },
    )


def _group_figure(data: _Round, key: str, label: str, mask: np.ndarray) -> GroupFigure:
    figure = _score(data, key, mask)
    assert figure is not None
    return GroupFigure(
        label=label, n=figure.n, mean=figure.mean, ci_low=figure.ci_low, ci_high=figure.ci_high
    )


def _claim(
    session: Session, kind: str, source_id: int, floor: int, now: dt.datetime
) -> Publication | None:
    """Insert the publication row in a savepoint: losing the race rolls back only the claim."""
    publication = Publication(kind=kind, source_id=source_id, floor=floor, published_at=now)
    try:
        with session.begin_nested():
            session.add(publication)
            session.flush()
    except IntegrityError:
        return None
    return publication


def _write(session: Session, publication: Publication, universe: str, decision: Decision) -> None:
    session.add_all(
        PublishedFigure(publication_id=publication.id, scope=scope, payload=stored(payload))
        for scope, payload in decision.figures.items()
    )
    session.add_all(
        LedgerEntry(
            publication_id=publication.id,
            universe=universe,
            measure=measure,
            members=sorted(group),
        )
        for measure, groups in decision.shown.items()
        for group in groups
    )
    session.flush()


def _published(session: Session, kind: str, source_id: int) -> bool:
    return (
        session.scalar(
            select(Publication.id).where(
                Publication.kind == kind, Publication.source_id == source_id
            )
        )
        is not None
    )


def publish_pulse_round(
    session: Session, round_: PulseRound, *, floor: int, now: dt.datetime
) -> Publication | None:
    """Publish a counted pulse round once; ``None`` if it was published already.

    Raises
    ------
    PublishError
        The round has not been counted yet (it is open, or its count has not run): naming
        ``round``.
    """
    if round_.counted_at is None:
        raise PublishError("round", f"pulse round {round_.id} has not been counted yet")
    if _published(session, PULSE_ROUND, round_.id):
        return None
    publication = _claim(session, PULSE_ROUND, round_.id, floor, now)
    if publication is None:
        return None
    _write(
        session,
        publication,
        f"{PULSE_ROUND}:{round_.id}",
        decide_pulse_round(session, round_, floor=floor),
    )
    return publication


# --- a programme round's check-ins --------------------------------------------------------


def decide_check_in_round(
    session: Session, round_: Round, *, floor: int, tree: Tree | None = None
) -> Decision:
    """The check-in figures a publication of ``round_`` would show, gated by the ledger."""
    tree = tree or Tree.load(session)
    policy = AnonymityPolicy(floor=floor)
    universe = f"{CHECK_IN_ROUND}:{round_.id}"
    seeded = ledger(session, universe)
    rows = session.execute(
        select(CheckIn.id, CheckIn.team_id, CheckIn.positive_regard, CheckIn.mutuality,
               CheckIn.vitality).where(CheckIn.round_id == round_.id).order_by(CheckIn.id)
    ).all()  # fmt: skip
    taps = np.array([[r[2], r[3], r[4]] for r in rows], dtype=np.float64).reshape(-1, 3)
    figures: dict[str, CheckInRoundFigures] = {}

    def scope(name: str) -> CheckInRoundFigures:
        if name not in figures:
            label = ORG_NAME if name == "org" else tree.names[int(name.split(":")[1])]
            figures[name] = CheckInRoundFigures(
                name=label, n=None, positive_regard=None, mutuality=None, vitality=None,
                met_n=None, met_pct=None, met_low=None, met_high=None,
            )  # fmt: skip
        return figures[name]

    check_ins = Disclosure(policy, seeded["check_ins"])
    for name, mask in _gate_tree(
        check_ins,
        tree,
        np.array([r[1] or 0 for r in rows], dtype=np.int64),
        np.array([r[0] for r in rows], dtype=object),
    ):
        target = scope(name)
        target.n = int(mask.sum())
        for k, element in enumerate(ELEMENTS):
            score = score_construct(taps[mask, k : k + 1], construct=element)
            assert score.mean is not None
            setattr(target, element, interval_figure(score.mean, score.ci_low, score.ci_high))
    people = session.execute(
        select(GroupMember.person_id, GroupMember.met, Person.team_id)
        .join(Group, Group.id == GroupMember.group_id)
        .join(Person, Person.id == GroupMember.person_id)
        .where(Group.round_id == round_.id, GroupMember.answered_at.is_not(None))
        .order_by(GroupMember.person_id)
    ).all()
    met = np.array([bool(r[1]) for r in people], dtype=bool)
    met_gate = Disclosure(policy, seeded["met"])
    for name, mask in _gate_tree(
        met_gate,
        tree,
        np.array([r[2] or 0 for r in people], dtype=np.int64),
        np.array([f"person:{r[0]}" for r in people], dtype=object),
    ):
        target = scope(name)
        n = int(mask.sum())
        low, high = wilson_interval(float(met[mask].sum()), n)
        target.met_n = n
        target.met_pct, target.met_low, target.met_high = share_figure(
            float(met[mask].mean()), low, high
        )
    return Decision(
        figures={k: CheckInRoundFigures.model_validate(v.model_dump()) for k, v in figures.items()},
        shown={
            "check_ins": _new_groups(check_ins, seeded["check_ins"]),
            "met": _new_groups(met_gate, seeded["met"]),
        },
    )


def publish_check_in_round(
    session: Session, round_: Round, *, floor: int, now: dt.datetime
) -> Publication | None:
    """Publish a programme round's counted micro check-ins once; ``None`` if already done.

    Raises
    ------
    PublishError
        The round's check-ins have not been counted yet (``check_ins_counted_at`` unset).
    """
    if round_.check_ins_counted_at is None:
        raise PublishError("round", f"the check-ins of round {round_.id} have not been counted yet")
    if _published(session, CHECK_IN_ROUND, round_.id):
        return None
    publication = _claim(session, CHECK_IN_ROUND, round_.id, floor, now)
    if publication is None:
        return None
    _write(
        session,
        publication,
        f"{CHECK_IN_ROUND}:{round_.id}",
        decide_check_in_round(session, round_, floor=floor),
    )
    return publication


# --- everything due -----------------------------------------------------------------------


def publish_due(session: Session, *, floor: int, now: dt.datetime) -> list[str]:
    """Publish every counted, unpublished round of both kinds, oldest first; returns what
    was published, in words. Rounds already published are never touched again."""
    done: list[str] = []
    pulse_published = select(Publication.source_id).where(Publication.kind == PULSE_ROUND)
    for row in session.scalars(
        select(PulseRound)
        .where(PulseRound.counted_at.is_not(None), PulseRound.id.not_in(pulse_published))
        .order_by(PulseRound.closes_on, PulseRound.id)
    ):
        if publish_pulse_round(session, row, floor=floor, now=now) is not None:
            done.append(f"pulse round {row.id} ({row.opens_on} to {row.closes_on})")
    check_ins_published = select(Publication.source_id).where(Publication.kind == CHECK_IN_ROUND)
    for round_ in session.scalars(
        select(Round)
        .where(Round.check_ins_counted_at.is_not(None), Round.id.not_in(check_ins_published))
        .order_by(Round.round_on, Round.id)
    ):
        if publish_check_in_round(session, round_, floor=floor, now=now) is not None:
            done.append(f"check-ins of round {round_.id} ({round_.round_on})")
    return done


def publish_now(session: Session, *, floor: int, now: dt.datetime, actor: audit.Actor) -> list[str]:
    """An admin publishes every counted, unpublished round now: :func:`publish_due`,
    audited as ``insights.publish``. It never recomputes a published or an open round."""
    done = publish_due(session, floor=floor, now=now)
    audit.record(
        session, actor, "insights.publish", "insights", None, "closed rounds",
        changes={"published": [None, len(done)]},
    )  # fmt: skip
    return done
