"""One shout-out, three readers: the feed page, the API and the digest show the same sender,
recipients and names, because all three read the same FeedItem."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.core.db import utcnow
from connectwell.digests.content import Window, gather
from connectwell.shoutouts.schemas import FeedItem, FeedPage
from tests.conftest import Cast
from tests.web.conftest import AsPerson, Tokens, bearer
from tests.web.shoutouts_setup import give, value

_LINK = re.compile(r'<a href="/shoutouts\?(person_id|team_id)=(\d+)">([^<]*)</a>')


def _page_names(page: str, shoutout_id: int) -> list[tuple[str, int, str]]:
    """The links in a shout-out's title on the page: the sender first, then its recipients."""
    title = re.search(rf'id="shoutout-{shoutout_id}-title">(.*?)</h\d>', page, re.S)
    assert title is not None
    return [(kind, int(number), name) for kind, number, name in _LINK.findall(title.group(1))]


def test_it_shows_the_same_sender_and_recipients_on_the_page_in_the_api_and_in_the_digest(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson, client: TestClient,
    tokens: Tokens,
) -> None:  # fmt: skip
    craft = value(db, "Craft")
    shoutout = give(db, settings, cast.member, "Thanks, both of you", pathway="trust",
                    value_id=craft.id, person_ids=[cast.other_member.id],
                    team_ids=[cast.support.id])  # fmt: skip

    page = as_person(cast.admin).get("/shoutouts").text
    api = client.get("/api/v1/shoutouts", headers=bearer(tokens.admin)).json()["items"]
    [content] = gather(db, [(cast.admin, Window(utcnow() - dt.timedelta(days=7), utcnow()))])

    [from_api] = [FeedItem.model_validate(item) for item in api if item["id"] == shoutout.id]
    [from_digest] = [item for item in content.feed_items if item.id == shoutout.id]
    assert from_api == from_digest
    expected = [("person_id", cast.member.id, "Mia Member"),
                ("person_id", cast.other_member.id, "Noah Member"),
                ("team_id", cast.support.id, "Support")]  # fmt: skip
    assert _page_names(page, shoutout.id) == expected
    for item in (from_api, from_digest):
        names = [(r.person_id, r.team_id, r.name) for r in item.recipients]
        assert (item.sender_id, item.sender) == (cast.member.id, "Mia Member")
        assert names == [(cast.other_member.id, None, "Noah Member"),
                         (None, cast.support.id, "Support")]  # fmt: skip
        assert (item.pathway, item.pathway_name, item.value) == ("trust", "trusting", "Craft")
    assert "Support</a> (the team)" in page and "Trusting · Craft" in page


def test_it_answers_the_feed_exactly_as_its_response_model_says(
    db: Session, cast: Cast, settings: Settings, client: TestClient, tokens: Tokens
) -> None:
    give(db, settings, cast.lead, "To a person", person_ids=[cast.member.id])
    give(db, settings, cast.admin, "To a team", team_ids=[cast.platform.id])

    response = client.get("/api/v1/shoutouts", headers=bearer(tokens.member))
    schema = client.get("/api/openapi.json").json()

    body = response.json()
    assert FeedPage.model_validate(body).model_dump(mode="json") == body
    assert len(body["items"]) == 2
    feed = schema["paths"]["/api/v1/shoutouts"]["get"]["responses"]["200"]
    assert feed["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/FeedPage"
    }
    item = schema["components"]["schemas"]["FeedItem"]
    assert set(item["properties"]) == set(body["items"][0])
    assert set(item["required"]) == set(FeedItem.model_fields)
