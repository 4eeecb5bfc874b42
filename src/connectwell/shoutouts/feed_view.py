"""A page of the feed as the feed page shows it, read as columns rather than ORM objects.

:func:`connectwell.shoutouts.service.feed` loads each shout-out with its sender, value,
recipients (their people and teams) and reactions as mapped objects, then
:func:`~connectwell.shoutouts.service.feed_items` copies the few fields shown into
:class:`FeedItem`. The feed page needs only those fields: here the same rows (the same
conditions, order and cursor) come as plain columns in three queries whose recipient and
reaction statements are built once, so no object is made, tracked or expired per row.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from connectwell.core.words import PATHWAY_NAMES
from connectwell.people.models import Person, Team
from connectwell.shoutouts.models import REACTIONS, Reaction, Recipient, ShoutOut, Value
from connectwell.shoutouts.schemas import TEAM_FALLBACK, FeedFilter, FeedItem, FeedRecipient
from connectwell.shoutouts.service import feed_conditions

_COLUMNS = (
    ShoutOut.id,
    ShoutOut.sender_id,
    Person.name,
    ShoutOut.message,
    ShoutOut.pathway,
    Value.name,
    ShoutOut.visibility,
    ShoutOut.created_at,
)
_RECIPIENTS = (
    select(Recipient.shoutout_id, Recipient.person_id, Recipient.team_id, Person.name, Team.name)
    .outerjoin(Person, Person.id == Recipient.person_id)
    .outerjoin(Team, Team.id == Recipient.team_id)
    .where(Recipient.shoutout_id.in_(bindparam("ids", expanding=True)))
    .order_by(Recipient.id)
)
_REACTIONS = (
    select(Reaction.shoutout_id, Reaction.person_id, Reaction.kind)
    .where(Reaction.shoutout_id.in_(bindparam("ids", expanding=True)))
    .order_by(Reaction.id)
)


@dataclass(frozen=True)
class FeedView:
    """A page of the feed: the items, the kinds of reaction the viewer added to each (by
    shout-out id) and the cursor of the next page (None on the last)."""

    items: list[FeedItem]
    mine: dict[int, set[str]]
    cursor: int | None


def feed_view(
    session: Session,
    viewer: Person,
    filters: FeedFilter | None = None,
    *,
    before: int | None = None,
    limit: int = 20,
) -> FeedView:
    """What :func:`~connectwell.shoutouts.service.feed` then
    :func:`~connectwell.shoutouts.service.feed_items` give, and the viewer's reactions."""
    conditions, cursor = feed_conditions(session, viewer, filters, before=before, limit=limit)
    rows = session.execute(
        select(*_COLUMNS)
        .join(Person, Person.id == ShoutOut.sender_id)
        .outerjoin(Value, Value.id == ShoutOut.value_id)
        .where(*conditions)
        .order_by(ShoutOut.id.desc())
        .limit(limit + 1)
    ).all()
    if len(rows) > limit:
        rows, cursor = rows[:limit], rows[limit - 1][0]
    if not rows:
        return FeedView([], {}, cursor)
    ids = [row[0] for row in rows]
    recipients: dict[int, list[FeedRecipient]] = defaultdict(list)
    for shoutout_id, person_id, team_id, person_name, team_name in session.execute(
        _RECIPIENTS, {"ids": ids}
    ):
        name = person_name if person_name is not None else team_name
        recipients[shoutout_id].append(
            FeedRecipient(
                person_id=person_id,
                team_id=team_id,
                name=name if name is not None else TEAM_FALLBACK,
            )
        )
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    mine: dict[int, set[str]] = {shoutout_id: set() for shoutout_id in ids}
    for shoutout_id, person_id, kind in session.execute(_REACTIONS, {"ids": ids}):
        counts[shoutout_id][kind] += 1
        if person_id == viewer.id:
            mine[shoutout_id].add(kind)
    items = []
    for shoutout_id, sender_id, sender, message, pathway, value, visibility, created in rows:
        kinds = counts[shoutout_id]
        items.append(
            FeedItem(
                id=shoutout_id,
                sender_id=sender_id,
                sender=sender,
                recipients=recipients[shoutout_id],
                pathway=pathway,
                pathway_name=PATHWAY_NAMES.get(pathway, pathway),
                value=value,
                message=message,
                visibility=visibility,
                created_at=created,
                thanks=kinds["thanks"],
                reactions={k: kinds[k] for k in REACTIONS if k != "thanks" and kinds[k]},
            )
        )
    return FeedView(items, mine, cursor)
