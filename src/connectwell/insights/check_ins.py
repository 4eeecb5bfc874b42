"""Publish a programme round's micro check-ins once, after they closed and were counted:
the organisation and the team tree through a gate seeded from the disclosure ledger (n and
the three element means with intervals), and the share who met, through a gate of its own,
only from the floor up (see :mod:`connectwell.insights.publish` for the rule)."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.insights.gate import (
    CHECK_IN_ROUND,
    ORG_NAME,
    Decision,
    PublishError,
    Tree,
    gate_tree,
    ledger,
    new_groups,
    publish_once,
)
from connectwell.insights.models import Publication
from connectwell.insights.schemas import CheckInRoundFigures, interval_figure, share_figure
from connectwell.people.models import Person
from connectwell.programs.models import CheckIn, Group, GroupMember, Round
from connectwell.stats import AnonymityPolicy, Disclosure, score_construct, wilson_interval

ELEMENTS = ("positive_regard", "mutuality", "vitality")


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
    for name, mask in gate_tree(
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
    for name, mask in gate_tree(
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
            "check_ins": new_groups(check_ins, seeded["check_ins"]),
            "met": new_groups(met_gate, seeded["met"]),
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
    return publish_once(
        session,
        CHECK_IN_ROUND,
        round_.id,
        floor=floor,
        now=now,
        decide=lambda: decide_check_in_round(session, round_, floor=floor),
    )
