"""/api/v1/shoutouts: the feed, giving, reactions and (admins) hiding.

Messages are plain text, returned exactly as written: a client shows them as text, never as
HTML.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from connectwell.core.ids import MAX_ID
from connectwell.shoutouts import service
from connectwell.shoutouts.models import Pathway, ShoutOut
from connectwell.shoutouts.schemas import (
    FeedFilter,
    FeedItem,
    FeedPage,
    HiddenOut,
    HideIn,
    ReactionIn,
    ShoutOutIn,
)
from connectwell.web.deps import DB, ApiAdmin, ApiViewer, AppSettings, PathId, QueryId

router = APIRouter()


def _item(shoutout: ShoutOut) -> FeedItem:
    return service.feed_items([shoutout])[0]


@router.get("", response_model=FeedPage)
def feed(
    session: DB,
    viewer: ApiViewer,
    team_id: QueryId = None,
    pathway: Pathway | None = None,
    value_id: QueryId = None,
    person_id: QueryId = None,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="`next_cursor` of the page before")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> FeedPage:
    """Shout-outs you may see, newest first, a page at a time."""
    filters = FeedFilter(team_id=team_id, pathway=pathway, value_id=value_id, person_id=person_id)
    items, cursor = service.feed(session, viewer.person, filters, before=before, limit=limit)
    return FeedPage(items=service.feed_items(items), next_cursor=cursor)


@router.post("", response_model=FeedItem, status_code=status.HTTP_201_CREATED)
def give(data: ShoutOutIn, session: DB, settings: AppSettings, viewer: ApiViewer) -> FeedItem:
    """Give a shout-out; the recipients are notified. Refusals are 422 naming the field."""
    return _item(service.give(session, viewer.person, data, settings))


@router.get("/{shoutout_id}", response_model=FeedItem)
def get_shoutout(session: DB, viewer: ApiViewer, shoutout_id: PathId) -> FeedItem:
    return _item(service.get_visible(session, viewer.person, shoutout_id))


@router.post("/{shoutout_id}/reactions", response_model=FeedItem)
def react(body: ReactionIn, session: DB, viewer: ApiViewer, shoutout_id: PathId) -> FeedItem:
    """Add your +1 (`thanks`) or an emoji; adding it twice changes nothing."""
    service.react(session, viewer.person, shoutout_id, body.kind)
    session.expire_all()
    return get_shoutout(session, viewer, shoutout_id)


@router.delete("/{shoutout_id}/reactions", response_model=FeedItem)
def unreact(
    session: DB, viewer: ApiViewer, shoutout_id: PathId, kind: Annotated[str, Query(max_length=16)]
) -> FeedItem:
    """Take back your reaction of this kind."""
    service.unreact(session, viewer.person, shoutout_id, kind)
    session.expire_all()
    return get_shoutout(session, viewer, shoutout_id)


@router.post("/{shoutout_id}/hide", response_model=HiddenOut)
def hide(body: HideIn, session: DB, viewer: ApiAdmin, shoutout_id: PathId) -> HiddenOut:
    """Admins: hide a shout-out from everyone; the audit log keeps who and why."""
    shoutout = service.hide(session, viewer.person, shoutout_id, body.reason)
    assert shoutout.hidden_at is not None
    return HiddenOut(id=shoutout.id, hidden_at=shoutout.hidden_at)
