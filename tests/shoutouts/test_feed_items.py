"""A shout-out as the feed, the API and the digest show it: one FeedItem, built in one place."""

from __future__ import annotations

import datetime as dt

from connectwell.people.models import Person, Team
from connectwell.people.schemas import PersonRef
from connectwell.shoutouts import service
from connectwell.shoutouts.models import Reaction, Recipient, ShoutOut, Value
from connectwell.shoutouts.schemas import TEAM_FALLBACK, FeedItem, FeedRecipient

WHEN = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)


def _shoutout(recipients: list[Recipient], reactions: list[Reaction]) -> ShoutOut:
    """A shout-out in memory only, its rows as :func:`service.feed` loads them."""
    sender = Person(id=1, name="Ada Admin", email="ada@example.org")
    return ShoutOut(
        id=7, sender_id=1, sender=sender, message="Thanks!\n<b>really</b>", pathway="enabling",
        value=Value(id=3, name="Craft"), visibility="teams", created_at=WHEN,
        recipients=recipients, reactions=reactions,
    )  # fmt: skip


def test_it_names_the_sender_recipients_pathway_and_value_and_counts_the_reactions() -> None:
    noah = Person(id=2, name="Noah Member", email="noah@example.org")
    support = Team(id=5, name="Support")
    shoutout = _shoutout(
        [Recipient(person_id=2, person=noah), Recipient(team_id=5, team=support)],
        [Reaction(person_id=2, kind="thanks"), Reaction(person_id=3, kind="thanks"),
         Reaction(person_id=2, kind="🎉")],
    )  # fmt: skip

    [item] = service.feed_items([shoutout])

    assert item == FeedItem(
        id=7, sender_id=1, sender="Ada Admin",
        recipients=[
            FeedRecipient(person_id=2, team_id=None, name="Noah Member"),
            FeedRecipient(person_id=None, team_id=5, name="Support"),
        ],
        pathway="enabling", pathway_name="task enabling", value="Craft",
        message="Thanks!\n<b>really</b>", visibility="teams", created_at=WHEN,
        thanks=2, reactions={"🎉": 1},
    )  # fmt: skip
    assert [r.is_team for r in item.recipients] == [False, True]


def test_it_names_a_team_that_is_gone_with_the_one_fallback() -> None:
    shoutout = _shoutout([Recipient(team_id=99, team=None)], [])

    [item] = service.feed_items([shoutout])

    assert TEAM_FALLBACK == "a team"
    assert [(r.person_id, r.team_id, r.name) for r in item.recipients] == [(None, 99, "a team")]
    assert (item.thanks, item.reactions) == (0, {})


def test_it_names_a_person_by_their_display_name() -> None:
    person = Person(id=4, name="Mia Member", email="mia@example.org")

    assert PersonRef.of(person) == PersonRef(id=4, name="Mia Member")
