"""Rounds: everyone placed, no repeats, claimed once, intros at the local hour, answers."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from itertools import combinations
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.config import Settings
from connectwell.core.db import transaction
from connectwell.core.notify import Notification, OutboxEmail
from connectwell.people.models import Person
from connectwell.programs import answers, intros, rounds, service
from connectwell.programs.models import CheckIn, Group, GroupMember, Membership, Program, Round
from connectwell.programs.schedule import local_moment
from connectwell.programs.schemas import Answer, ProgramIn
from tests.programs.conftest import MONDAY


def check_round(db: Session, row: Round, expected: set[int]) -> list[list[int]]:
    """The checker: everyone expected is in exactly one group of 2 (or one of 3)."""
    groups = [
        [m.person_id for m in group.members]
        for group in db.scalars(select(Group).where(Group.round_id == row.id))
    ]
    placed = Counter(person for group in groups for person in group)
    assert set(placed) == expected and set(placed.values()) == {1}
    sizes = Counter(len(group) for group in groups)
    assert set(sizes) <= {2, 3} and sizes[3] == len(expected) % 2
    assert row.participants == len(expected)
    return groups


def test_a_round_places_everyone_once_with_an_odd_count_in_one_group_of_three(
    db: Session, org: list[Person], coffee: Program
) -> None:
    row = rounds.run_round(db, coffee, MONDAY, actor=None)
    db.commit()

    assert row is not None
    check_round(db, row, {p.id for p in org})
    assert row.same_team_pairs == 0 and row.repeats == 0


def test_twelve_weekly_rounds_never_repeat_a_pair(
    db: Session, org: list[Person], coffee: Program
) -> None:
    seen: set[frozenset[int]] = set()
    for week in range(12):
        row = rounds.run_round(db, coffee, MONDAY + dt.timedelta(weeks=week), actor=None)
        assert row is not None
        for group in check_round(db, row, {p.id for p in org}):
            for pair in combinations(group, 2):
                assert frozenset(pair) not in seen
                seen.add(frozenset(pair))
    db.commit()


def test_people_who_left_skip_or_pause_sit_the_round_out(
    db: Session, org: list[Person], coffee: Program
) -> None:
    left, skipper, paused, away = org[1], org[2], org[3], org[4]
    service.leave(db, coffee, left)
    assert service.skip_next(db, coffee, skipper, MONDAY - dt.timedelta(days=1)) == MONDAY
    service.pause(db, coffee, paused, MONDAY + dt.timedelta(days=7), MONDAY)
    away.paused_until = MONDAY  # paused everywhere, up to and including the round
    db.commit()

    row = rounds.run_round(db, coffee, MONDAY, actor=None)

    assert row is not None
    check_round(db, row, {p.id for p in org} - {left.id, skipper.id, paused.id, away.id})


def test_a_never_pair_entry_is_respected(db: Session, org: list[Person], coffee: Program) -> None:
    first = org[5]
    for other in org:
        if other.id != first.id and other.team_id != first.team_id:
            service.add_never_pair(db, first, other.email)
    db.commit()
    row = rounds.run_round(db, coffee, MONDAY, actor=None)
    assert row is not None
    group = db.scalar(
        select(Group)
        .join(GroupMember)
        .where(Group.round_id == row.id, GroupMember.person_id == first.id)
    )
    assert group is not None
    others = {m.person_id for m in group.members} - {first.id}
    excluded = {p.id for p in service.never_pair_list(db, first)}
    assert not others & excluded


def test_two_workers_racing_for_the_same_round_store_it_once(
    factory: sessionmaker[Session], org: list[Person], coffee: Program
) -> None:
    barrier = threading.Barrier(2)
    results: list[object] = []

    def worker() -> None:
        try:
            with transaction(factory) as session:
                program = session.get(Program, coffee.id)
                assert program is not None
                barrier.wait()
                results.append(rounds.run_round(session, program, MONDAY, actor=None))
        except Exception as error:
            results.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(isinstance(r, Round) for r in results) == 1, results
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Round)) == 1
        placed = session.scalar(select(func.count()).select_from(GroupMember))
        assert placed == len(org)


def test_intros_go_out_at_the_programmes_hour_in_each_persons_time_zone(
    db: Session, org: list[Person], coffee: Program, settings: Settings
) -> None:
    rounds.run_round(db, coffee, MONDAY, actor=None)
    singapore_nine = local_moment(MONDAY, 9, "Asia/Singapore")

    sent = intros.send_due_intros(db, settings, singapore_nine)

    in_singapore = [p for p in org if p.timezone == "Asia/Singapore"]
    assert sent == len(in_singapore) > 0
    sent_to = set(db.scalars(select(Notification.person_id).where(Notification.kind == "intro")))
    assert sent_to == {p.id for p in in_singapore}
    later = intros.send_due_intros(db, settings, local_moment(MONDAY, 9, "America/New_York"))
    assert sent + later == len(org)
    assert intros.send_due_intros(db, settings, local_moment(MONDAY, 23, "America/New_York")) == 0


def test_an_intro_email_carries_an_invite_for_the_groups_proposed_slot(
    db: Session, org: list[Person], coffee: Program, settings: Settings
) -> None:
    row = rounds.run_round(db, coffee, MONDAY, actor=None)
    assert row is not None
    intros.send_due_intros(db, settings, local_moment(MONDAY, 10, "America/New_York"))
    email = db.scalar(select(OutboxEmail).order_by(OutboxEmail.id).limit(1))
    assert email is not None and email.attachments
    [attachment] = email.attachments
    assert attachment["content_type"] == "text/calendar; method=REQUEST"
    event = Calendar.from_ical(attachment["content"]).walk("VEVENT")[0]
    group = db.scalar(
        select(Group)
        .join(GroupMember)
        .where(Group.round_id == row.id, GroupMember.person_id == email.person_id)
    )
    assert group is not None
    assert str(event["UID"]) == f"{group.uid}@connectwell"
    assert event.decoded("DTSTART") == group.slot_start
    assert group.starter in email.text_body
    assert f"/pairings/{group.id}" in email.text_body


def test_the_follow_up_asks_once_after_a_few_days_and_only_who_has_not_answered(
    db: Session, org: list[Person], coffee: Program, settings: Settings
) -> None:
    rounds.run_round(db, coffee, MONDAY, actor=None)
    sent_at = local_moment(MONDAY, 23, "America/New_York")
    intros.send_due_intros(db, settings, sent_at)
    first = db.scalar(select(GroupMember).order_by(GroupMember.id).limit(1))
    assert first is not None
    answers.answer(db, first.group_id, first.person, Answer(met=True), MONDAY, settings=settings)

    assert intros.send_due_followups(db, settings, sent_at + dt.timedelta(days=1)) == 0
    later = sent_at + dt.timedelta(days=coffee.followup_days, minutes=1)
    assert intros.send_due_followups(db, settings, later) == len(org) - 1
    assert intros.send_due_followups(db, settings, later) == 0
    asked = set(db.scalars(select(Notification.person_id).where(Notification.kind == "followup")))
    assert first.person_id not in asked


def test_an_answer_keeps_the_check_in_sealed_and_apart_from_who_gave_it(
    db: Session, org: list[Person], coffee: Program, settings: Settings
) -> None:
    row = rounds.run_round(db, coffee, MONDAY, actor=None)
    assert row is not None
    member = db.scalar(select(GroupMember).order_by(GroupMember.id).limit(1))
    assert member is not None
    scores = Answer(met=True, positive_regard=5, mutuality=4, vitality=3, private_note="Nice")

    answers.answer(db, member.group_id, member.person, scores, MONDAY, settings=settings)
    db.commit()

    assert db.scalars(select(CheckIn)).all() == []  # sealed until the check-in days are over
    closed = dt.datetime.combine(row.check_ins_close_on + dt.timedelta(days=1), dt.time(), dt.UTC)
    assert answers.count_check_ins(db, settings, row, floor=5, now=closed) == 1
    [check_in] = db.scalars(select(CheckIn)).all()
    assert (check_in.positive_regard, check_in.mutuality, check_in.vitality) == (5, 4, 3)
    assert check_in.round_id == row.id
    columns = {c.name for c in CheckIn.__table__.columns}
    assert not columns & {"person_id", "group_id", "member_id", "created_at"}
    assert member.met is True and member.private_note == "Nice"
    assert member.answered_at is not None and member.answered_at.time() == dt.time(0)


def test_a_second_answer_and_someone_elses_group_are_refused(
    db: Session, org: list[Person], coffee: Program, settings: Settings
) -> None:
    rounds.run_round(db, coffee, MONDAY, actor=None)
    member = db.scalar(select(GroupMember).order_by(GroupMember.id).limit(1))
    assert member is not None
    answers.answer(db, member.group_id, member.person, Answer(met=False), MONDAY, settings=settings)
    outsider = next(p for p in org if p.id not in {m.person_id for m in member.group.members})

    for person in (member.person, outsider):
        try:
            answers.answer(db, member.group_id, person, Answer(met=True), MONDAY, settings=settings)
        except service.ProgramError as error:
            assert error.field in ("met", "group")
        else:
            raise AssertionError(f"answer by {person.email} was accepted")


def test_a_pair_that_did_not_meet_may_meet_again_within_the_window(
    db: Session, org: list[Person], coffee: Program, settings: Settings
) -> None:
    row = rounds.run_round(db, coffee, MONDAY, actor=None)
    assert row is not None
    for member in db.scalars(select(GroupMember)):
        answers.answer(
            db, member.group_id, member.person, Answer(met=False), MONDAY, settings=settings
        )

    history = rounds._history(db, coffee, MONDAY + dt.timedelta(weeks=1))

    assert history == []


def test_three_ignored_intros_in_a_row_pause_the_person_with_a_friendly_notice(
    db: Session, org: list[Person], coffee: Program, settings: Settings
) -> None:
    quiet = org[7]
    for week in range(4):
        day = MONDAY + dt.timedelta(weeks=week)
        rounds.run_round(db, coffee, day, actor=None, settings=settings)
        intros.send_due_intros(db, settings, local_moment(day, 23, "America/New_York"))
        for member in db.scalars(select(GroupMember).where(GroupMember.answered_at.is_(None))):
            if member.person_id != quiet.id:
                answers.answer(
                    db, member.group_id, member.person, Answer(met=True), day, settings=settings
                )
        db.commit()

    membership = db.scalar(select(Membership).where(Membership.person_id == quiet.id))
    assert membership is not None and membership.paused_until is not None
    notice = db.scalar(select(Notification).where(Notification.kind == "program-paused"))
    assert notice is not None and notice.person_id == quiet.id
    assert "No worries" in notice.body
    email = db.scalar(select(OutboxEmail).where(OutboxEmail.kind == "program-paused"))
    assert email is not None and email.to_address == quiet.email
    assert "No worries" in email.text_body and email.html_body is not None
    assert f'href="http://testserver/programs/{coffee.id}"' in email.html_body
    fifth = rounds.run_round(db, coffee, MONDAY + dt.timedelta(weeks=4), actor=None)
    assert fifth is not None
    placed = set(
        db.scalars(select(GroupMember.person_id).join(Group).where(Group.round_id == fifth.id))
    )
    assert quiet.id not in placed


def test_the_overview_counts_who_answered_and_never_what(
    db: Session, org: list[Person], coffee: Program, settings: Settings
) -> None:
    row = rounds.run_round(db, coffee, MONDAY, actor=None)
    assert row is not None
    members = list(db.scalars(select(GroupMember).order_by(GroupMember.id)))
    for member in members[:5]:
        answers.answer(
            db,
            member.group_id,
            member.person,
            Answer(met=True, positive_regard=4, mutuality=4, vitality=5),
            MONDAY,
            settings=settings,
        )

    [summary] = answers.overview(db, coffee)

    assert (summary.answered, summary.groups) == (5, len(row.groups))
    assert not hasattr(summary, "scores") and not hasattr(summary, "met_rate")


def test_due_rounds_start_when_the_first_time_zone_reaches_the_hour(
    db: Session, org: list[Person], coffee: Program
) -> None:
    zones = {p.timezone for p in org}
    assert "Asia/Singapore" in zones
    before = local_moment(MONDAY, 9, "Asia/Singapore") - dt.timedelta(minutes=1)
    assert (coffee, MONDAY) not in rounds.due_rounds(db, before)
    assert (coffee, MONDAY) in rounds.due_rounds(db, before + dt.timedelta(minutes=2))
    rounds.run_round(db, coffee, MONDAY, actor=None)
    assert (coffee, MONDAY) not in rounds.due_rounds(db, before + dt.timedelta(minutes=2))


def test_the_proposed_slot_falls_inside_each_members_own_working_hours(
    db: Session, org: list[Person], coffee: Program
) -> None:
    early = org[9]
    early.work_start, early.work_end = dt.time(6), dt.time(10)
    db.commit()

    row = rounds.run_round(db, coffee, MONDAY, actor=None)

    assert row is not None
    for group in row.groups:
        for member in group.members:
            person = member.person
            local_start = group.slot_start.astimezone(ZoneInfo(person.timezone)).time()
            local_end = group.slot_end.astimezone(ZoneInfo(person.timezone)).time()
            if group.shared_hours:
                assert person.work_start <= local_start and local_end <= person.work_end


def test_a_buddies_round_gives_each_new_hire_a_volunteer_from_another_team(
    db: Session, org: list[Person]
) -> None:
    program = service.create_program(
        db,
        ProgramIn(name="Buddies", kind="buddies", cadence="weekly", starts_on=MONDAY),
        actor=None,
    )
    hires = [p for p in org if p.start_date and (MONDAY - p.start_date).days < 30]
    veterans = [p for p in org if p.start_date and (MONDAY - p.start_date).days > 365]
    assert 0 < len(hires) <= 10 and len(veterans) >= 2  # two buddies of 5 seats cover them
    for volunteer in veterans[:2]:
        service.set_buddy_capacity(db, program, volunteer, 5)
    db.commit()

    row = rounds.run_round(db, program, MONDAY, actor=None)

    assert row is not None
    groups = [{m.person_id for m in g.members} for g in row.groups]
    volunteer_ids = {v.id for v in veterans[:2]}
    paired = {pid for g in groups for pid in g - volunteer_ids}
    assert paired == {h.id for h in hires}
    assert all(len(g) == 2 and len(g & volunteer_ids) == 1 for g in groups)
