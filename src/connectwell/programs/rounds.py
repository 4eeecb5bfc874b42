"""Rounds: find the rounds that are due, compute each one and store its groups.

A round is claimed by inserting its row: ``rounds`` has a unique (programme, date) key, so two
workers racing for the same round store it once, and the loser does nothing. The winner builds
participants, history and exclusions from the database, calls the pure
:func:`connectwell.matching.pair_round` and checks its result with
:func:`connectwell.matching.verify` (for onboarding buddies:
:func:`connectwell.matching.assign_buddies`), and stores the groups with a proposed slot and a
conversation starter. It also pauses, with a note, the people who left too many intros in a
row unanswered.

What people are told (intros, follow-ups, moved slots) is in :mod:`connectwell.programs.intros`;
their answers and the admin's aggregate view are in :mod:`connectwell.programs.answers`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Mapping

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectwell.core import audit
from connectwell.core.config import Settings
from connectwell.core.notify import tell
from connectwell.matching import Participant, PastGroup, Rules, assign_buddies, pair_round, verify
from connectwell.people.models import Person
from connectwell.programs import service
from connectwell.programs.models import (
    BuddyShortage,
    Group,
    GroupMember,
    Kind,
    Membership,
    Program,
    Round,
)
from connectwell.programs.schedule import (
    earliest_moment,
    propose_meeting,
    round_dates,
)
from connectwell.programs.starters import starter_for

log = logging.getLogger(__name__)

IGNORED_BEFORE_PAUSE = 3
IGNORE_PAUSE = dt.timedelta(weeks=8)
RECENT = dt.timedelta(days=90)


# --- computing a round ---------------------------------------------------------------------


def due_rounds(session: Session, now: dt.datetime) -> list[tuple[Program, dt.date]]:
    """Rounds whose first intro time has come and that nobody has run yet."""
    zones = set(session.scalars(select(Person.timezone).where(Person.is_active).distinct()))
    due = []
    for program in service.list_programs(session, active_only=True):
        today = now.date()
        done = set(session.scalars(select(Round.round_on).where(Round.program_id == program.id)))
        window_start = max(program.starts_on, today - dt.timedelta(days=2))
        for day in round_dates(
            window_start, program.weekday, program.cadence, today + dt.timedelta(days=1)
        ):
            if day not in done and earliest_moment(day, program.local_hour, zones) <= now:
                due.append((program, day))
    return due


def _participant(
    person: Person, recent: Mapping[int, int], levels: Mapping[int, int]
) -> Participant:
    return Participant(
        id=str(person.id),
        team=str(person.team_id or f"none-{person.id}"),
        manager=str(person.manager_id) if person.manager_id else None,
        timezone=person.timezone,
        work_start=person.work_start,
        work_end=person.work_end,
        level=levels.get(person.id),
        location=person.location or None,
        interests=frozenset(person.interest_list),
        joined=person.start_date,
        recent_connections=recent.get(person.id, 0),
    )


def reporting_levels(session: Session) -> dict[int, int]:
    """Each person's level for "mix levels": how many managers are above them in the
    recorded reporting line (0 for someone without a manager). One query for everyone.

    A loop in the recorded managers (someone managing their own manager) stops the count
    where it would come round again.
    """
    manager_of: dict[int, int | None] = {
        person_id: manager_id
        for person_id, manager_id in session.execute(select(Person.id, Person.manager_id))
    }
    levels: dict[int, int] = {}
    for person_id in manager_of:
        chain: list[int] = []
        seen: set[int] = set()
        current: int | None = person_id
        while current is not None and current not in levels and current not in seen:
            seen.add(current)
            chain.append(current)
            current = manager_of.get(current)
        above = levels[current] + 1 if current is not None and current in levels else 0
        for member in reversed(chain):
            levels[member] = above
            above += 1
    return levels


def _history(
    session: Session, program: Program, before: dt.date, among: set[str] | None = None
) -> list[PastGroup]:
    """Past groups of the programme; a group everyone said they did not meet is no repeat.

    With ``among``, only those people's part of each group (the round's participants).
    """
    rows = session.execute(
        select(Group.id, Round.round_on, GroupMember.person_id, GroupMember.met)
        .join(Round, Round.id == Group.round_id)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .where(Round.program_id == program.id, Round.round_on < before)
    )
    members: dict[int, list[str]] = defaultdict(list)
    dates: dict[int, dt.date] = {}
    answers: dict[int, list[bool | None]] = defaultdict(list)
    for group_id, round_on, person_id, met in rows:
        members[group_id].append(str(person_id))
        dates[group_id] = round_on
        answers[group_id].append(met)
    history = []
    for group_id, ids in members.items():
        if any(a is False for a in answers[group_id]) and not any(answers[group_id]):
            continue
        present = tuple(i for i in ids if among is None or i in among)
        if len(present) >= 2:
            history.append(PastGroup(dates[group_id], present))
    return history


#: Recorded connections lately: ``(session, round_on)`` to how many distinct people each
#: person connected with in the weeks before ``round_on`` (a person not in it has none). The
#: web, the worker and the demo pass :func:`connectwell.insights.network.connection_counts`
#: (met pairings and shout-outs: the connection network), which this layer cannot import.
ConnectionCounts = Callable[[Session, dt.date], Mapping[int, int]]


def met_pairing_counts(session: Session, round_on: dt.date) -> dict[int, int]:
    """The connections programmes alone record: for each person, how many distinct people
    they shared a met group with (one where someone said they met, any programme) in the
    :data:`RECENT` days before ``round_on``: the network's met pairings
    (:func:`connectwell.insights.network.gather_arrays`) without the shout-outs. One query.
    What :func:`run_round` uses when it is given no whole network."""
    mine = GroupMember.__table__.alias("mine")
    theirs = GroupMember.__table__.alias("theirs")
    said = GroupMember.__table__.alias("said")
    someone_met = (
        select(said.c.id).where(said.c.group_id == mine.c.group_id, said.c.met.is_(True)).exists()
    )
    rows = session.execute(
        select(mine.c.person_id, func.count(theirs.c.person_id.distinct()))
        .select_from(mine)
        .join(
            theirs,
            (theirs.c.group_id == mine.c.group_id) & (theirs.c.person_id != mine.c.person_id),
        )
        .join(Group, Group.id == mine.c.group_id)
        .join(Round, Round.id == Group.round_id)
        .where(someone_met, Round.round_on >= round_on - RECENT, Round.round_on < round_on)
        .group_by(mine.c.person_id)
    )
    return {person_id: count for person_id, count in rows}


def _count_ignored_intros(session: Session, program: Program, round_on: dt.date) -> list[int]:
    """Update each person's streak of unanswered intros; returns who just reached the limit."""
    previous = session.scalar(
        select(Round)
        .where(Round.program_id == program.id, Round.round_on < round_on)
        .order_by(Round.round_on.desc())
        .limit(1)
    )
    if previous is None:
        return []
    rows = session.execute(
        select(GroupMember.person_id, GroupMember.answered_at)
        .join(Group, Group.id == GroupMember.group_id)
        .where(Group.round_id == previous.id, GroupMember.intro_sent_at.is_not(None))
    )
    choices = service.memberships(session, program)
    reached = []
    for person_id, answered_at in rows:
        row = choices.get(person_id)
        if row is None:
            row = Membership(
                program_id=program.id, person_id=person_id, joined=True, ignored_in_a_row=0
            )
            session.add(row)
        row.ignored_in_a_row = 0 if answered_at is not None else row.ignored_in_a_row + 1
        if row.ignored_in_a_row >= IGNORED_BEFORE_PAUSE:
            row.paused_until = round_on + IGNORE_PAUSE
            row.ignored_in_a_row = 0
            reached.append(person_id)
    session.flush()
    return reached


def _claim_round(session: Session, program: Program, round_on: dt.date) -> Round | None:
    try:
        with session.begin_nested():
            row = Round(program_id=program.id, round_on=round_on)
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


def run_round(
    session: Session,
    program: Program,
    round_on: dt.date,
    *,
    actor: audit.Actor,
    seed: int | None = None,
    settings: Settings | None = None,
    connections: ConnectionCounts = met_pairing_counts,
) -> Round | None:
    """Compute and store the round of ``round_on``; None when another worker has it already.

    Priority from the connection network: ``connections`` says how many distinct people each
    participant connected with lately (the callers above this layer pass the whole network:
    met pairings and shout-outs). The pairing library gives each person the priority
    ``1 / (1 + connections)``: 1 for someone with no recorded connection, 1/2 with one, 1/21
    with twenty. A pair's preferences (shared hours, and the programme's different levels,
    different places, shared interests) count ``1 + priority + priority`` times: a pair with
    someone unconnected counts about twice as much as a pair of well-connected people, so
    people with few connections get their best partners first. Repeats, missing shared hours
    and same-team pairs cost the same whoever is in the pair: priority never buys a repeat.

    ``actor`` is the admin who runs it by hand (audited), or None for the scheduler and the
    demo (not audited: a scheduled round is no admin action).
    Intros go out later, at each person's local hour (:func:`send_due_intros`). ``settings``
    name the organisation and the links in the notice to people paused for ignoring intros
    (the process's settings when omitted).
    """
    row = _claim_round(session, program, round_on)
    if row is None:
        return None
    clock = time.perf_counter()
    paused_now = _count_ignored_intros(session, program, round_on)
    people = service.participants_on(session, program, round_on)
    by_id = {str(person.id): person for person in people}
    recent = connections(session, round_on)
    levels = reporting_levels(session) if program.mix_levels else {}
    participants = [_participant(person, recent, levels) for person in people]
    exclusions = [
        (str(a), str(b)) for a, b in service.exclusions_among(session, {p.id for p in people})
    ]
    seed = seed if seed is not None else int(round_on.strftime("%Y%m%d")) + program.id
    if program.kind == Kind.buddies.value:
        groups, unassigned = _buddy_groups(
            session, program, participants, exclusions, round_on, seed
        )
        row.buddy_shortages = [BuddyShortage(person_id=int(hire)) for hire in unassigned]
    elif len(participants) >= 2:
        rules = Rules(
            group_size=program.group_size,
            no_repeat_weeks=program.no_repeat_weeks,
            min_overlap_hours=program.min_overlap_hours,
            team_mix=program.team_mix,  # type: ignore[arg-type]
            mix_levels=program.mix_levels,
            mix_locations=program.mix_locations,
            match_interests=program.match_interests,
            reference_date=round_on,
        )
        history = _history(session, program, round_on, among=set(by_id))
        result = pair_round(
            participants, history=history, exclusions=exclusions, rules=rules, seed=seed
        )
        report = verify(
            result,
            participants,
            history=history,
            exclusions=exclusions,
            rules=rules,
            strict=False,
        )
        if report.problems:
            log.warning("round %s of programme %s: %s", round_on, program.id, report.problems)
        groups = [list(group) for group in result.groups]
        row.weight = result.weight
        row.certified_ratio = result.certified_ratio
        row.repeats = report.repeats
        row.same_team_pairs = report.same_team_pairs
        row.pairs_without_shared_hours = report.pairs_without_shared_hours
    else:
        groups = []
    row.participants = sum(len(group) for group in groups)
    for members in groups:
        _store_group(session, row, [by_id[member] for member in members])
    row.seconds = time.perf_counter() - clock
    session.flush()
    if actor is not None:
        label = f"{program.name}, {round_on.isoformat()}"
        made = {"participants": row.participants, "groups": len(groups)}
        audit.record(session, actor, "round.run", "round", row.id, label,
                     changes=audit.changes({}, made))  # fmt: skip
    _tell_paused(session, program, paused_now, round_on, settings)
    return row


def _buddy_groups(
    session: Session,
    program: Program,
    participants: list[Participant],
    exclusions: list[tuple[str, str]],
    round_on: dt.date,
    seed: int,
) -> tuple[list[list[str]], tuple[str, ...]]:
    """The pairs (new hire, buddy) of a buddies round, and the hires left without a buddy."""
    taking_part = {p.id for p in participants}
    volunteers = {
        str(person_id): row.buddy_capacity
        for person_id, row in service.memberships(session, program).items()
        if row.buddy_capacity > 0 and str(person_id) in taking_part
    }
    already = set(
        session.scalars(
            select(GroupMember.person_id)
            .join(Group)
            .join(Round)
            .where(Round.program_id == program.id)
        )
    )
    fresh = [p for p in participants if int(p.id) not in already or p.id in volunteers]
    result = assign_buddies(fresh, volunteers, today=round_on, exclusions=exclusions, seed=seed)
    if result.unassigned:  # not enough volunteer seats: stored for the admin's page
        log.warning(
            "programme %s, %s: %d new hires without a buddy",
            program.id,
            round_on,
            len(result.unassigned),
        )
    pairs = [[hire, buddy] for hire, buddy in sorted(result.buddy_of.items())]
    return pairs, result.unassigned


def _store_group(session: Session, row: Round, members: list[Person]) -> Group:
    key = f"{row.program_id}:{row.round_on.isoformat()}:" + ",".join(
        str(m.id) for m in sorted(members, key=lambda m: m.id)
    )
    uid = hashlib.sha256(key.encode()).hexdigest()[:32]
    start, end, shared = propose_meeting(
        row.round_on, [(m.timezone, m.work_start, m.work_end) for m in members]
    )
    group = Group(
        round=row,
        uid=uid,
        slot_start=start,
        slot_end=end,
        shared_hours=shared,
        starter=starter_for(uid),
    )
    group.members = [GroupMember(person_id=member.id) for member in members]
    session.add(group)
    return group


def _tell_paused(
    session: Session,
    program: Program,
    person_ids: list[int],
    round_on: dt.date,
    settings: Settings | None,
) -> None:
    if not person_ids:
        return
    tell(
        session,
        list(session.scalars(select(Person).where(Person.id.in_(person_ids)))),
        "program-paused",
        settings=settings,
        link=f"/programs/{program.id}",
        program=program.name,
        ignored=IGNORED_BEFORE_PAUSE,
        until=round_on + IGNORE_PAUSE,
    )
