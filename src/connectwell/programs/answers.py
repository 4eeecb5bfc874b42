"""People's answers to "did you meet?" (check-ins sealed until counted), their groups, and
the admin's aggregate view."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlalchemy.orm import Session, contains_eager, selectinload

from connectwell.core import ballots, errors
from connectwell.core.config import Settings
from connectwell.core.db.updates import update_once
from connectwell.people.models import Person, Team
from connectwell.programs import service
from connectwell.programs.models import (
    CHECK_IN_DAYS,
    CheckIn,
    Group,
    GroupMember,
    Membership,
    Program,
    Round,
)
from connectwell.programs.schemas import Answer
from connectwell.stats import Attributes, coarsen_attributes

log = logging.getLogger(__name__)


class AnswerError(service.ProgramError):
    """An answer to "did you meet?" that cannot be taken; ``field`` names the culprit."""


class AlreadyAnswered(errors.Conflict, AnswerError):
    """The person has answered for this group already."""


# --- answers -------------------------------------------------------------------------------


def group_for(session: Session, group_id: int, person: Person) -> tuple[Group, GroupMember]:
    """A group and the viewer's place in it; only its members may see it."""
    group = session.get(Group, group_id)
    member = None
    if group is not None:
        member = next((m for m in group.members if m.person_id == person.id), None)
    if group is None or member is None:
        raise service.ProgramNotFound("group", f"no group {group_id} of yours")
    return group, member


def answer(
    session: Session,
    group_id: int,
    person: Person,
    data: Answer,
    today: dt.date,
    *,
    settings: Settings,
) -> None:
    """Record "did you meet?" once and, if so, drop the micro check-in sealed in the box.

    One conditional UPDATE records the answer on the person's place in the group (only while
    ``answered_at`` is empty): of several requests racing, exactly one changes the row, the
    others get :class:`AlreadyAnswered`. The three taps and the person's team go sealed into
    the round's ballot box (:mod:`connectwell.core.ballots`); :func:`count_check_ins` stores
    them with everyone's after the round's last check-in day.

    An answer is never taken once the round's check-ins are counted (its box would never be
    opened again): the programme round row is locked first (``FOR SHARE`` on PostgreSQL, so
    answers go side by side and the count's UPDATE of ``check_ins_counted_at`` takes turns
    with them), and the member UPDATE itself holds only while the check-ins are not counted,
    which is what keeps it on SQLite, where writes take turns and there is no row lock.
    """
    group, member = group_for(session, group_id, person)
    round_ = session.scalars(
        select(Round)
        .where(Round.id == group.round_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).one()
    if member.answered_at is not None:
        raise AlreadyAnswered("met", "you have answered for this group already")
    closes_on = round_.check_ins_close_on
    closed = AnswerError(
        "met", f"answers for this round were taken until {closes_on:%-d %B %Y}: it has closed"
    )
    if today > closes_on or round_.check_ins_counted_at is not None:
        raise closed
    uncounted = (
        select(Round.id).where(Round.id == round_.id, Round.check_ins_counted_at.is_(None)).exists()
    )
    _, made = update_once(
        session,
        GroupMember,
        member.id,
        and_(GroupMember.answered_at.is_(None), uncounted),
        met=data.met,
        # The day only: a precise time could be matched with a request log.
        answered_at=dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC),
        private_note=data.private_note,
    )
    if not made:
        if not session.scalar(select(uncounted)):
            raise closed
        raise AlreadyAnswered("met", "you have answered for this group already")
    if data.met and data.positive_regard is not None:
        assert data.mutuality is not None and data.vitality is not None
        taps = {
            "team_id": person.team_id,
            "positive_regard": data.positive_regard,
            "mutuality": data.mutuality,
            "vitality": data.vitality,
        }
        ballots.drop(session, settings, ballot_box(group.round_id), taps)
    membership = session.scalar(
        select(Membership).where(
            Membership.program_id == group.round.program_id, Membership.person_id == person.id
        )
    )
    if membership is not None:
        membership.ignored_in_a_row = 0
    session.flush()


def ballot_box(round_id: int) -> str:
    """The ballot box of a programme round's micro check-ins."""
    return f"check_ins:{round_id}"


def count_check_ins(
    session: Session, settings: Settings, round_: Round, *, floor: int, now: dt.datetime
) -> int | None:
    """Open a round's check-in box after its last day and store the check-ins; how many.

    None when it is not time yet (``now`` on or before ``round_.check_ins_close_on``) or
    another worker counted it (claimed by setting ``check_ins_counted_at`` from NULL). Each
    check-in's team is coarsened to a team (or parent team) that at least ``floor`` of the
    round's group members who said they met share (:func:`connectwell.stats.coarsen_attributes`):
    ``group_members.met`` tells a database reader who could have checked in, so all members
    would be the wrong crowd to hide in. The rows go
    in shuffled, with random keys, and every group member row of the round is touched so that
    on PostgreSQL they all carry this transaction's id, like the check-ins.
    """
    if now.date() <= round_.check_ins_close_on:
        return None
    _, claimed = update_once(
        session, Round, round_.id, Round.check_ins_counted_at.is_(None), check_ins_counted_at=now
    )
    if not claimed:
        return None
    sealed = ballots.take_all(session, settings, ballot_box(round_.id))
    in_round = select(Group.id).where(Group.round_id == round_.id)
    audience = [
        Attributes(team_id)
        for team_id in session.scalars(
            select(Person.team_id)
            .join(GroupMember, GroupMember.person_id == Person.id)
            .where(GroupMember.group_id.in_(in_round), GroupMember.met.is_(True))
        )
    ]
    parents = {t: p for t, p in session.execute(select(Team.id, Team.parent_id))}
    stored = coarsen_attributes(
        [Attributes(b["team_id"]) for b in sealed], audience, parents, floor
    )
    rows = [
        {
            "id": secrets.token_hex(16),
            "program_id": round_.program_id,
            "round_id": round_.id,
            "team_id": kept.team_id,
            "positive_regard": ballot["positive_regard"],
            "mutuality": ballot["mutuality"],
            "vitality": ballot["vitality"],
        }
        for ballot, kept in zip(sealed, stored, strict=True)
    ]
    if rows:
        session.execute(insert(CheckIn), rows)
    session.execute(
        update(GroupMember)
        .where(GroupMember.group_id.in_(in_round))
        .values(met=GroupMember.met)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    log.info("check-ins of programme round %s counted: %s", round_.id, len(rows))
    return len(rows)


def count_closed_check_ins(session: Session, settings: Settings, now: dt.datetime) -> int:
    """Count the check-ins of every round whose last check-in day has passed; how many rounds."""
    last_round_on = now.date() - dt.timedelta(days=CHECK_IN_DAYS + 1)
    due = session.scalars(
        select(Round)
        .where(Round.check_ins_counted_at.is_(None), Round.round_on <= last_round_on)
        .order_by(Round.id)
    )
    floor = settings.anonymity_floor
    return sum(count_check_ins(session, settings, r, floor=floor, now=now) is not None for r in due)


def my_groups(session: Session, person: Person, *, limit: int = 20) -> list[Group]:
    return list(
        session.scalars(
            select(Group)
            .join(GroupMember, GroupMember.group_id == Group.id)
            .join(Round, Round.id == Group.round_id)
            .where(GroupMember.person_id == person.id)
            .options(  # the round is joined already; its programme and the people join too
                selectinload(Group.members).joinedload(GroupMember.person),
                contains_eager(Group.round).joinedload(Round.program),
            )
            .order_by(Round.round_on.desc(), Group.id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Pairing:
    """One of a person's groups as their list of pairings shows it."""

    group_id: int
    round_on: dt.date
    program: str  # the programme's name
    others: list[str]  # the other members' names, in the order they joined the group
    met: bool | None  # the person's own answer (None: not answered yet)


# Built once: the list is on a page read often, and building statements costs more than
# running these two.
_PAIRINGS = (
    select(Group.id, Round.round_on, Program.name, GroupMember.met)
    .join(GroupMember, GroupMember.group_id == Group.id)
    .join(Round, Round.id == Group.round_id)
    .join(Program, Program.id == Round.program_id)
    .where(GroupMember.person_id == bindparam("person_id"))
    .order_by(Round.round_on.desc(), Group.id)
    .limit(bindparam("limit"))
)
_OTHERS = (
    select(GroupMember.group_id, Person.name)
    .join(Person, Person.id == GroupMember.person_id)
    .where(
        GroupMember.group_id.in_(bindparam("group_ids", expanding=True)),
        GroupMember.person_id != bindparam("person_id"),
    )
    .order_by(GroupMember.id)
)


def my_pairings(session: Session, person: Person, *, limit: int = 20) -> list[Pairing]:
    """The groups :func:`my_groups` returns, in its order, as plain rows: two queries and
    no ORM objects (the pairings page)."""
    rows = session.execute(_PAIRINGS, {"person_id": person.id, "limit": limit}).all()
    if not rows:
        return []
    others: dict[int, list[str]] = {row[0]: [] for row in rows}
    ids = list(others)
    for group_id, name in session.execute(_OTHERS, {"group_ids": ids, "person_id": person.id}):
        others[group_id].append(name)
    return [
        Pairing(group_id, round_on, program, others[group_id], met)
        for group_id, round_on, program, met in rows
    ]


# --- the admin's view ----------------------------------------------------------------------


@dataclass(frozen=True)
class RoundSummary:
    """A round's counts of who took part and who answered: never what they answered.

    The check-in figures and the share who met are published once per round after its
    check-ins close (:mod:`connectwell.insights.publish`; programs sits below insights, so
    the web layer puts the two together): a live average would let the next answer be read
    off the difference.
    """

    round: Round
    groups: int
    answered: int


def overview(session: Session, program: Program) -> list[RoundSummary]:
    """Each round's counts, newest first."""
    rounds = list(
        session.scalars(
            select(Round).where(Round.program_id == program.id).order_by(Round.round_on.desc())
        )
    )
    ids = [r.id for r in rounds]
    groups = dict(
        session.execute(
            select(Group.round_id, func.count())
            .where(Group.round_id.in_(ids))
            .group_by(Group.round_id)
        ).all()
    )
    answered = dict(
        session.execute(
            select(Group.round_id, func.count(GroupMember.answered_at))
            .join(GroupMember, GroupMember.group_id == Group.id)
            .where(Group.round_id.in_(ids))
            .group_by(Group.round_id)
        ).all()
    )
    return [RoundSummary(row, groups.get(row.id, 0), answered.get(row.id, 0)) for row in rounds]
