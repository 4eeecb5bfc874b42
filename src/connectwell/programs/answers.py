"""People's answers to "did you meet?", their groups, and the admin's aggregate view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from connectwell.core import errors
from connectwell.people.models import Person
from connectwell.programs import service
from connectwell.programs.models import CheckIn, Group, GroupMember, Membership, Program, Round
from connectwell.programs.schemas import Answer


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


def answer(session: Session, group_id: int, person: Person, data: Answer, today: dt.date) -> None:
    """Record "did you meet?" and, if so, an anonymous micro check-in. Once per person."""
    group, member = group_for(session, group_id, person)
    if member.answered_at is not None:
        raise AlreadyAnswered("met", "you have answered for this group already")
    member.met = data.met
    # The day only: a precise time could be matched with a check-in or a request log.
    member.answered_at = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
    member.private_note = data.private_note
    if data.met and data.positive_regard is not None:
        assert data.mutuality is not None and data.vitality is not None
        session.add(
            CheckIn(
                program_id=group.round.program_id,
                round_id=group.round_id,
                team_id=person.team_id,
                positive_regard=data.positive_regard,
                mutuality=data.mutuality,
                vitality=data.vitality,
            )
        )
    membership = session.scalar(
        select(Membership).where(
            Membership.program_id == group.round.program_id, Membership.person_id == person.id
        )
    )
    if membership is not None:
        membership.ignored_in_a_row = 0
    session.flush()


def my_groups(session: Session, person: Person, *, limit: int = 20) -> list[Group]:
    return list(
        session.scalars(
            select(Group)
            .join(GroupMember, GroupMember.group_id == Group.id)
            .join(Round, Round.id == Group.round_id)
            .where(GroupMember.person_id == person.id)
            .options(
                selectinload(Group.members).selectinload(GroupMember.person),
                selectinload(Group.round).selectinload(Round.program),
            )
            .order_by(Round.round_on.desc(), Group.id)
            .limit(limit)
        )
    )


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
