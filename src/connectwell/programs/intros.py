"""What people are told: intros at their local hour, follow-ups, moved slots."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from connectwell.core.config import Settings
from connectwell.core.db import utcnow
from connectwell.core.db.updates import mark_once
from connectwell.core.notify import Attachment, tell
from connectwell.people.models import Person
from connectwell.programs import service
from connectwell.programs.answers import group_for
from connectwell.programs.invites import invite_ics
from connectwell.programs.models import Group, GroupMember, Round
from connectwell.programs.schedule import local_moment

# --- intros and follow-ups -----------------------------------------------------------------


def _others(group: Group, person_id: int) -> list[Person]:
    return [member.person for member in group.members if member.person_id != person_id]


def _pending(session: Session, *conditions: object) -> list[GroupMember]:
    statement = (
        select(GroupMember)
        .join(Group, Group.id == GroupMember.group_id)
        .join(Round, Round.id == Group.round_id)
        .where(*conditions)  # type: ignore[arg-type]
        .options(
            selectinload(GroupMember.person),
            selectinload(GroupMember.group)
            .selectinload(Group.members)
            .selectinload(GroupMember.person),
            selectinload(GroupMember.group).selectinload(Group.round).selectinload(Round.program),
        )
        .order_by(GroupMember.id)
    )
    return list(session.scalars(statement))


def invite_for(group: Group, settings: Settings, stamp: dt.datetime) -> str:
    program = group.round.program
    names = ", ".join(member.person.name for member in group.members)
    return invite_ics(
        uid=group.uid,
        sequence=group.sequence,
        start=group.slot_start,
        end=group.slot_end,
        summary=f"{program.name}: {names}",
        description=f"A 30-minute conversation. To start: {group.starter}",
        organiser=settings.mail_from,
        attendees=[(member.person.name, member.person.email) for member in group.members],
        stamp=stamp,
    )


def send_due_intros(session: Session, settings: Settings, now: dt.datetime) -> int:
    """Introduce each person to their group at the programme's hour in their time zone."""
    sent = 0
    horizon = now.date() + dt.timedelta(days=1)
    for member in _pending(session, GroupMember.intro_sent_at.is_(None), Round.round_on <= horizon):
        group, person = member.group, member.person
        program = group.round.program
        if local_moment(group.round.round_on, program.local_hour, person.timezone) > now:
            continue
        if not mark_once(session, member, GroupMember.intro_sent_at, now):
            continue  # another worker sent it since this one read the pending rows
        tell(
            session,
            [person],
            "intro",
            settings=settings,
            link=f"/pairings/{group.id}",
            attachments=(
                Attachment(
                    "invite.ics", "text/calendar; method=REQUEST", invite_for(group, settings, now)
                ),
            ),
            program=program.name,
            others=[
                {
                    "name": other.name,
                    "title": other.title or "",
                    "where": other.location or other.timezone,
                    "timezone": other.timezone,
                }
                for other in _others(group, person.id)
            ],
            slot=group.slot_start,
            shared_hours=group.shared_hours,
            starter=group.starter,
        )
        sent += 1
    session.flush()
    return sent


def send_due_followups(session: Session, settings: Settings, now: dt.datetime) -> int:
    """Ask "did you meet?" a few days after the intro, once, to who has not answered yet."""
    sent = 0
    for member in _pending(
        session,
        GroupMember.intro_sent_at.is_not(None),
        GroupMember.followup_sent_at.is_(None),
        GroupMember.answered_at.is_(None),
    ):
        program = member.group.round.program
        assert member.intro_sent_at is not None
        if member.intro_sent_at + dt.timedelta(days=program.followup_days) > now:
            continue
        if not mark_once(
            session, member, GroupMember.followup_sent_at, now, GroupMember.answered_at.is_(None)
        ):
            continue  # sent by another worker, or answered, since this one read the rows
        tell(
            session,
            [member.person],
            "followup",
            settings=settings,
            link=f"/pairings/{member.group.id}",
            others=[p.name for p in _others(member.group, member.person_id)],
        )
        sent += 1
    session.flush()
    return sent


def reschedule(
    session: Session, group_id: int, person: Person, start: dt.datetime, settings: Settings
) -> Group:
    """Move a group's slot: the same invite (UID) with a higher SEQUENCE goes to everyone."""
    group, _ = group_for(session, group_id, person)
    if start.tzinfo is None:
        raise service.ProgramError("start", "a time with its time zone is needed")
    if start <= utcnow():
        raise service.ProgramError("start", "choose a time in the future")
    if start > utcnow() + dt.timedelta(days=60):
        raise service.ProgramError("start", "choose a time within the next 60 days")
    length = group.slot_end - group.slot_start
    group.slot_start = start.astimezone(dt.UTC)
    group.slot_end = group.slot_start + length
    group.sequence += 1
    session.flush()
    ics = invite_for(group, settings, utcnow())
    tell(
        session,
        [member.person for member in group.members],
        "intro-moved",
        settings=settings,
        link=f"/pairings/{group.id}",
        attachments=(Attachment("invite.ics", "text/calendar; method=REQUEST", ics),),
        program=group.round.program.name,
        mover=person.name,
        slot=group.slot_start,
    )
    return group
