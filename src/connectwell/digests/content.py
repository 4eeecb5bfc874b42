"""What goes into each person's digest: the week's shout-outs they may see, the new
connections made, and team celebrations.

The week's rows are read once for everyone due (a few queries, whatever the head count), and
each person's share is picked in Python. :func:`may_see` applies the very rules of
:func:`connectwell.shoutouts.service.feed` (the tests check the two agree).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from connectwell.goals import service as goals
from connectwell.goals.models import Celebration
from connectwell.people.models import Person, Team
from connectwell.programs.models import Group, GroupMember
from connectwell.shoutouts import service as shoutouts_service
from connectwell.shoutouts.models import Recipient, ShoutOut, Visibility
from connectwell.shoutouts.schemas import FeedItem

SHOWN_SHOUTOUTS = 8
SHOWN_CELEBRATIONS = 5


@dataclass(frozen=True)
class Window:
    """The week a digest covers: ``start`` inclusive, ``end`` exclusive (UTC)."""

    start: dt.datetime
    end: dt.datetime

    def __contains__(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end


@dataclass
class WeekContent:
    person: Person
    window: Window
    # The shown shout-outs, the most relevant first, as the feed shows them (render these);
    # ``shoutouts`` holds the same rows for the renderer until it reads ``feed_items``.
    feed_items: list[FeedItem] = field(default_factory=list)
    shoutouts: list[ShoutOut] = field(default_factory=list)
    shoutout_count: int = 0
    connections: int = 0  # groups across the organisation that met this week
    met: list[str] = field(default_factory=list)  # whom this person met this week
    celebrations: list[Celebration] = field(default_factory=list)  # their teams' first
    celebration_count: int = 0

    @property
    def empty(self) -> bool:
        return not (self.shoutout_count or self.connections or self.met or self.celebration_count)

    @property
    def more_shoutouts(self) -> int:
        return self.shoutout_count - len(self.shoutouts)

    @property
    def more_celebrations(self) -> int:
        return self.celebration_count - len(self.celebrations)


def may_see(person: Person, shoutout: ShoutOut) -> bool:
    """The feed's visibility rules for one shout-out (its recipients loaded)."""
    if shoutout.hidden_at is not None:
        return False
    if shoutout.visibility == Visibility.everyone.value or shoutout.sender_id == person.id:
        return True
    if any(r.person_id == person.id for r in shoutout.recipients):
        return True
    if person.team_id is None:
        return False
    if shoutout.visibility == Visibility.teams.value and any(
        r.recipient_team_id == person.team_id for r in shoutout.recipients
    ):
        return True
    return any(r.team_id == person.team_id for r in shoutout.recipients)


def _relevance(person: Person, shoutout: ShoutOut) -> int:
    """0: for you, 1: for your team, 2: from you, 3: everything else."""
    if any(r.person_id == person.id for r in shoutout.recipients):
        return 0
    if person.team_id is not None and any(
        person.team_id in (r.team_id, r.recipient_team_id) for r in shoutout.recipients
    ):
        return 1
    return 2 if shoutout.sender_id == person.id else 3


def _ancestors(session: Session) -> dict[int, set[int]]:
    """Each team with the teams above it."""
    parents = dict(session.execute(select(Team.id, Team.parent_id)).all())
    chains: dict[int, set[int]] = {}
    for team_id in parents:
        chain: set[int] = set()
        current: int | None = team_id
        while current is not None and current not in chain:
            chain.add(current)
            current = parents.get(current)
        chains[team_id] = chain
    return chains


def gather(session: Session, due: list[tuple[Person, Window]]) -> list[WeekContent]:
    """Each person's digest content for their window."""
    if not due:
        return []
    start = min(window.start for _, window in due)
    end = max(window.end for _, window in due)
    shoutouts = list(
        session.scalars(
            select(ShoutOut)
            .where(
                ShoutOut.hidden_at.is_(None),
                ShoutOut.created_at >= start,
                ShoutOut.created_at < end,
            )
            .order_by(ShoutOut.id.desc())
            .options(
                selectinload(ShoutOut.sender),
                selectinload(ShoutOut.value),
                selectinload(ShoutOut.recipients).selectinload(Recipient.person),
                selectinload(ShoutOut.recipients).selectinload(Recipient.team),
                selectinload(ShoutOut.reactions),
            )
        )
    )
    items: dict[int, FeedItem] = {}  # each shout-out built once, whoever sees it
    met_groups = session.execute(
        select(GroupMember.group_id, GroupMember.answered_at).where(
            GroupMember.met.is_(True),
            GroupMember.answered_at >= start,
            GroupMember.answered_at < end,
        )
    ).all()
    first_met: dict[int, dt.datetime] = {}
    for group_id, answered_at in met_groups:
        assert answered_at is not None
        first_met[group_id] = min(answered_at, first_met.get(group_id, answered_at))
    own = session.scalars(
        select(GroupMember)
        .where(
            GroupMember.person_id.in_([person.id for person, _ in due]),
            GroupMember.met.is_(True),
            GroupMember.answered_at >= start,
            GroupMember.answered_at < end,
        )
        .options(
            selectinload(GroupMember.group)
            .selectinload(Group.members)
            .selectinload(GroupMember.person)
        )
    )
    met_by_person: dict[int, list[tuple[dt.datetime, list[str]]]] = defaultdict(list)
    for member in own:
        assert member.answered_at is not None
        others = [m.person.name for m in member.group.members if m.person_id != member.person_id]
        met_by_person[member.person_id].append((member.answered_at, others))
    posts = goals.celebrations(session, since=start, until=end, limit=10_000)
    chains = _ancestors(session)

    contents = []
    for person, window in due:
        content = WeekContent(person, window)
        visible = [s for s in shoutouts if s.created_at in window and may_see(person, s)]
        visible.sort(key=lambda s: (_relevance(person, s), -s.id))
        content.shoutouts = visible[:SHOWN_SHOUTOUTS]
        for shoutout in content.shoutouts:
            if shoutout.id not in items:
                items[shoutout.id] = shoutouts_service.feed_items([shoutout])[0]
        content.feed_items = [items[s.id] for s in content.shoutouts]
        content.shoutout_count = len(visible)
        content.connections = sum(1 for at in first_met.values() if at in window)
        content.met = [
            name for at, names in met_by_person.get(person.id, []) if at in window for name in names
        ]
        mine = chains.get(person.team_id, set()) if person.team_id is not None else set()
        week_posts = [c for c in posts if c.created_at in window]
        week_posts.sort(key=lambda c: (c.team_id not in mine, -c.id))
        content.celebrations = week_posts[:SHOWN_CELEBRATIONS]
        content.celebration_count = len(week_posts)
        contents.append(content)
    return contents
