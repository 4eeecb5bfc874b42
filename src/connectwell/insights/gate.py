"""The gate every publication goes through: the team tree, the disclosure ledger, and the
claim and write of a publication. See :mod:`connectwell.insights.publish` for the rule."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectwell.core import errors
from connectwell.insights.models import LedgerEntry, Publication, PublishedFigure
from connectwell.insights.schemas import CheckInRoundFigures, PulseRoundFigures, stored
from connectwell.people.models import Team
from connectwell.stats import Disclosure

PULSE_ROUND: Final = "pulse_round"
CHECK_IN_ROUND: Final = "check_in_round"
ORG_NAME = "The organisation"


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


def gate_tree(
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


def new_groups(gate: Disclosure, seeded: Iterable[frozenset[Hashable]]) -> list[frozenset[str]]:
    before = set(seeded)
    return [frozenset(str(m) for m in g) for g in gate.shown if g not in before]


@dataclass
class Decision:
    """What a publication would show: figures by scope, and the new groups by measure."""

    figures: dict[str, PulseRoundFigures | CheckInRoundFigures]
    shown: dict[str, list[frozenset[str]]]


def claim(
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


def write(session: Session, publication: Publication, universe: str, decision: Decision) -> None:
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


def published(session: Session, kind: str, source_id: int) -> bool:
    return (
        session.scalar(
            select(Publication.id).where(
                Publication.kind == kind, Publication.source_id == source_id
            )
        )
        is not None
    )


def publish_once(
    session: Session,
    kind: str,
    source_id: int,
    *,
    floor: int,
    now: dt.datetime,
    decide: Callable[[], Decision],
) -> Publication | None:
    """Publish ``kind``'s round ``source_id`` once: claim it, ``decide`` what to show, write
    the figures and the ledger; ``None`` when it was published already (or another worker just
    claimed it). ``decide`` runs only after the claim, so a lost race computes nothing."""
    if published(session, kind, source_id):
        return None
    publication = claim(session, kind, source_id, floor, now)
    if publication is None:
        return None
    write(session, publication, f"{kind}:{source_id}", decide())
    return publication
