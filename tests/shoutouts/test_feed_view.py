"""The column-read pages (shoutouts/feed_view.py, programs/answers.my_pairings) say exactly
what their ORM counterparts say, for every person of a small demo organisation."""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from connectwell.core.db import utcnow
from connectwell.demo.service import seed_demo
from connectwell.people.models import Person, Team
from connectwell.programs.answers import my_groups, my_pairings
from connectwell.shoutouts import service
from connectwell.shoutouts.feed_view import feed_view
from connectwell.shoutouts.models import Pathway, Recipient, ShoutOut, Value
from connectwell.shoutouts.schemas import FeedFilter

PEOPLE = 31  # odd: some groups are of three, whose members come in an order
PAGE = 10


def _demo(db: Session) -> list[Person]:
    """The demo organisation with a third of its shout-outs kept (enough to page through),
    a fifth of those hidden by an admin and a third naming one of two values."""
    assert seed_demo(db, people=PEOPLE) is not None
    every = list(db.scalars(select(ShoutOut.id).order_by(ShoutOut.id)))
    db.execute(delete(ShoutOut).where(ShoutOut.id.not_in(every[::3])))
    ids = every[::3]
    rng = random.Random(1)
    hidden = rng.sample(ids, len(ids) // 5)
    db.execute(update(ShoutOut).where(ShoutOut.id.in_(hidden)).values(hidden_at=utcnow()))
    values = [Value(name="Curiosity"), Value(name="Candour")]
    db.add_all(values)
    db.flush()
    for shoutout_id in rng.sample(ids, len(ids) // 3):
        value_id = rng.choice(values).id
        db.execute(update(ShoutOut).where(ShoutOut.id == shoutout_id).values(value_id=value_id))
    db.commit()
    return list(db.scalars(select(Person).order_by(Person.id)))


def _check_feed(db: Session, viewer: Person, filters: FeedFilter) -> int:
    """Walk the viewer's feed page by page both ways; the number of pages."""
    before, pages = None, 0
    while True:
        rows, cursor = service.feed(db, viewer, filters, before=before, limit=PAGE)
        view = feed_view(db, viewer, filters, before=before, limit=PAGE)
        where = (viewer.id, filters, before)
        assert view.items == service.feed_items(rows), where
        assert view.cursor == cursor, where
        mine = {s.id: {r.kind for r in s.reactions if r.person_id == viewer.id} for s in rows}
        assert view.mine == mine, where
        pages += 1
        if cursor is None:
            return pages
        before = cursor


def _check_pairings(db: Session, person: Person) -> int:
    """Compare the person's pairings with their groups; the number of groups."""
    expected = [
        (
            group.id,
            group.round.round_on,
            group.round.program.name,
            [m.person.name for m in group.members if m.person_id != person.id],
            next(m.met for m in group.members if m.person_id == person.id),
        )
        for group in my_groups(db, person, limit=50)
    ]
    pairings = my_pairings(db, person, limit=50)
    got = [(p.group_id, p.round_on, p.program, p.others, p.met) for p in pairings]
    assert got == expected, person.id
    return len(got)


def test_the_column_read_feed_and_pairings_equal_the_orm_ones_for_every_person(
    db: Session,
) -> None:
    people = _demo(db)
    kinds = Counter(db.scalars(select(ShoutOut.visibility)))
    to_teams = db.scalar(select(Recipient.id).where(Recipient.team_id.is_not(None)).limit(1))
    assert kinds["everyone"] and kinds["teams"] and kinds["private"] and to_teams
    teams = list(db.scalars(select(Team.id)))
    values = list(db.scalars(select(Value.id)))
    rng = random.Random(2)
    pages = groups = 0

    for viewer in people:
        for filters in (
            FeedFilter(),
            FeedFilter(team_id=rng.choice(teams)),
            FeedFilter(person_id=rng.choice(people).id),
            FeedFilter(pathway=rng.choice(list(Pathway)), value_id=rng.choice(values)),
        ):
            pages += _check_feed(db, viewer, filters)
        groups += _check_pairings(db, viewer)

    assert pages > 2 * 4 * PEOPLE  # the feeds were paged through, not read in one page
    assert groups > PEOPLE  # most people were in groups
