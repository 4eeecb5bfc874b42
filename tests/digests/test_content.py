"""What goes into a digest: the shout-outs the person may see (exactly the feed's), the new
connections made, and team celebrations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.digests.content import Window, gather
from connectwell.goals import service as goals
from connectwell.goals.schemas import GoalIn, ProgressIn
from connectwell.people.models import Person
from connectwell.programs.models import Group, GroupMember, Program, Round
from connectwell.shoutouts import service as shoutouts
from tests.conftest import Cast
from tests.digests.conftest import BERLIN_DIGEST, MONDAY, WEDNESDAY_NOON, give

WEEK = Window(BERLIN_DIGEST - dt.timedelta(days=7), BERLIN_DIGEST)


def _content(db: Session, person: Person, window: Window = WEEK):  # type: ignore[no-untyped-def]
    [content] = gather(db, [(person, window)])
    return content


def test_each_person_sees_exactly_the_shout_outs_the_feed_shows_them(
    db: Session, cast: Cast, settings: Settings
) -> None:
    give(db, settings, cast.admin, "For everyone to see", person_ids=[cast.member.id])
    give(db, settings, cast.lead, "For Support's eyes", person_ids=[cast.other_member.id],
         visibility="teams")  # fmt: skip
    give(db, settings, cast.other_member, "Just between us", person_ids=[cast.lead.id],
         visibility="private")  # fmt: skip
    give(db, settings, cast.admin, "To the whole of Platform", team_ids=[cast.platform.id],
         visibility="private")  # fmt: skip
    hidden = give(db, settings, cast.lead, "Hidden later", person_ids=[cast.admin.id])
    shoutouts.hide(db, cast.admin, hidden.id, "test of hiding")
    db.commit()

    for person in (cast.admin, cast.lead, cast.member, cast.other_member):
        feed, _ = shoutouts.feed(db, person, limit=50)
        content = _content(db, person)
        assert sorted(s.id for s in content.shoutouts) == sorted(s.id for s in feed), person.name
        assert content.shoutout_count == len(feed)
    assert "Hidden later" not in [s.message for s in _content(db, cast.admin).shoutouts]


def test_only_the_weeks_shout_outs_count_and_yours_come_first(
    db: Session, cast: Cast, settings: Settings
) -> None:
    give(db, settings, cast.admin, "Last week", person_ids=[cast.lead.id],
         at=WEDNESDAY_NOON - dt.timedelta(days=7))  # fmt: skip
    give(db, settings, cast.admin, "For Mia", person_ids=[cast.member.id],
         at=WEDNESDAY_NOON - dt.timedelta(days=1))  # fmt: skip
    give(db, settings, cast.lead, "For Noah", person_ids=[cast.other_member.id])
    give(db, settings, cast.admin, "After the digest", person_ids=[cast.lead.id],
         at=BERLIN_DIGEST + dt.timedelta(minutes=1))  # fmt: skip

    content = _content(db, cast.member)

    assert [s.message for s in content.shoutouts] == ["For Mia", "For Noah"]
    assert not content.empty


def test_it_gives_the_shown_shout_outs_as_feed_items_in_the_same_order(
    db: Session, cast: Cast, settings: Settings
) -> None:
    give(db, settings, cast.admin, "For Mia", person_ids=[cast.member.id])
    give(db, settings, cast.lead, "For Platform", team_ids=[cast.platform.id])
    give(db, settings, cast.lead, "For Noah", person_ids=[cast.other_member.id])

    content = _content(db, cast.member)

    assert [i.id for i in content.feed_items] == [s.id for s in content.shoutouts]
    assert content.feed_items == shoutouts.feed_items(content.shoutouts)
    assert [(i.sender, [r.name for r in i.recipients], i.pathway_name)
            for i in content.feed_items] == [
        ("Ada Admin", ["Mia Member"], "task enabling"),
        ("Lee Lead", ["Platform"], "task enabling"),
        ("Lee Lead", ["Noah Member"], "task enabling"),
    ]  # fmt: skip


def test_new_connections_count_met_groups_and_name_whom_you_met(db: Session, cast: Cast) -> None:
    program = Program(name="Coffee", starts_on=MONDAY)
    db.add(program)
    db.flush()
    round_ = Round(program_id=program.id, round_on=MONDAY)
    met_at = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
    slot = dict(slot_start=met_at, slot_end=met_at + dt.timedelta(minutes=30))
    ours = Group(round=round_, uid="ours", **slot)
    ours.members = [GroupMember(person_id=cast.member.id, met=True, answered_at=met_at),
                    GroupMember(person_id=cast.other_member.id)]  # fmt: skip
    theirs = Group(round=round_, uid="theirs", **slot)
    theirs.members = [
        GroupMember(person_id=cast.lead.id, met=True, answered_at=met_at),
        GroupMember(person_id=cast.admin.id, met=True, answered_at=met_at),
    ]
    missed = Group(round=round_, uid="missed", **slot)
    missed.members = [GroupMember(person_id=cast.admin.id, met=False, answered_at=met_at)]
    db.add_all([ours, theirs, missed])
    db.commit()

    mine = _content(db, cast.member)
    others = _content(db, cast.other_member)

    assert mine.connections == 2 and mine.met == ["Noah Member"]
    assert others.connections == 2 and others.met == []  # Noah has not answered


def test_celebrations_of_the_week_are_in_with_your_own_teams_first(
    db: Session, cast: Cast, settings: Settings
) -> None:
    at = WEDNESDAY_NOON
    for creator, team in ((cast.other_member, cast.support), (cast.member, cast.platform)):
        goal = goals.create_goal(
            db, creator, GoalIn(team_id=team.id, title=f"{team.name} goal", done_looks_like="x")
        )
        goals.record_progress(db, goal.id, creator, ProgressIn(done=True), settings, now=at)
        at += dt.timedelta(hours=1)
    db.commit()

    support_first = _content(db, cast.other_member)
    platform_first = _content(db, cast.member)

    assert [c.goal.title for c in support_first.celebrations] == ["Support goal", "Platform goal"]
    assert [c.goal.title for c in platform_first.celebrations] == ["Platform goal", "Support goal"]
    assert platform_first.celebration_count == 2


def test_a_week_with_nothing_in_it_is_empty(db: Session, cast: Cast) -> None:
    content = _content(db, cast.member)
    assert content.empty and content.shoutout_count == 0 and content.celebrations == []
