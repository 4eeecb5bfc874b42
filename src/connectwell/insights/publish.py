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
through a gate of their own with the comment floor, listed alphabetically. Where a shown
scope has at least two shown child teams, its figure of a construct also holds how those
teams compare (shrunken means, ICC(1), ICC(2): :mod:`connectwell.insights.compare`), from
their respondents alone and written once with the rest.

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
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.core import audit
from connectwell.insights.check_ins import decide_check_in_round, publish_check_in_round
from connectwell.insights.compare import compare_teams
from connectwell.insights.gate import (
    CHECK_IN_ROUND,
    ORG_NAME,
    PULSE_ROUND,
    Decision,
    PublishError,
    Tree,
    gate_tree,
    ledger,
    new_groups,
    publish_once,
)
from connectwell.insights.models import Publication
from connectwell.insights.schemas import (
    ConstructFigure,
    GroupFigure,
    PulseRoundFigures,
    construct_figure,
)
from connectwell.programs.models import Round
from connectwell.pulses.bank import LOWER_IS_BETTER
from connectwell.pulses.models import Answer, Construct, Item, PulseRound, Response
from connectwell.stats import AnonymityPolicy, Disclosure, respondent_scores, score_construct

__all__ = [
    "CHECK_IN_ROUND",
    "PULSE_ROUND",
    "Decision",
    "PublishError",
    "Tree",
    "decide_check_in_round",
    "decide_pulse_round",
    "publish_check_in_round",
    "publish_due",
    "publish_now",
    "publish_pulse_round",
]


# --- a pulse round ------------------------------------------------------------------------


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


def _score(
    data: _Round, key: str, mask: np.ndarray, floor: int | None = None
) -> ConstructFigure | None:
    matrix, reverse = data.constructs[key]
    score = score_construct(
        matrix[mask], reverse, construct=key, lower_is_better=key in LOWER_IS_BETTER
    )
    return None if score.mean is None else construct_figure(score, floor=floor)


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

    for key, (matrix, reverse) in sorted(data.constructs.items()):
        answered = ~np.all(np.isnan(matrix), axis=1)
        rows = np.flatnonzero(answered)
        ids, team = data.ids[rows], data.team[rows]
        shown = gate_tree(scores, tree, team, ids)
        for name, mask in shown:
            full = np.zeros(data.ids.size, dtype=bool)
            full[rows[mask]] = True
            figure = _score(data, key, full, floor)
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
        person_scores = respondent_scores(matrix[rows], reverse)
        for name, comparison in compare_teams(person_scores, shown, tree).items():
            if key in figures[name].constructs:  # every shown scope has answered rows
                figures[name].constructs[key].teams = comparison
    comments = Disclosure(policy, seeded["comments"], comments=True)
    written = np.array([bool(c.strip()) for c in data.comment], dtype=bool)
    rows = np.flatnonzero(written)

    for name, mask in gate_tree(comments, tree, data.team[rows], data.ids[rows]):
        scope(name).comments = sorted(data.comment[k] for k in rows[mask].tolist())
    return Decision(
        figures=dict(figures),
        shown={
            "scores": new_groups(scores, seeded["scores"]),
            "comments": new_groups(comments, seeded["comments"]),
        },
    )


def _group_figure(data: _Round, key: str, label: str, mask: np.ndarray) -> GroupFigure:
    figure = _score(data, key, mask)
    assert figure is not None
    return GroupFigure(
        label=label, n=figure.n, mean=figure.mean, ci_low=figure.ci_low, ci_high=figure.ci_high
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
    return publish_once(
        session,
        PULSE_ROUND,
        round_.id,
        floor=floor,
        now=now,
        decide=lambda: decide_pulse_round(session, round_, floor=floor),
    )


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
