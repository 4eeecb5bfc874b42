"""The digest message: escaped HTML, plain text, links kept, the prompt for an empty week.

The digest is rendered from its template folder through the message port's e-mail renderer.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.core.notify import Rendered, message_context, render
from connectwell.digests.content import WeekContent, Window, gather
from connectwell.digests.render import KIND, LINK, digest_context, digest_headers
from tests.conftest import Cast
from tests.digests.conftest import BERLIN_DIGEST, WEDNESDAY_NOON, give

WEEK = Window(BERLIN_DIGEST - dt.timedelta(days=7), BERLIN_DIGEST)
UNSUBSCRIBE = "http://testserver/digest/unsubscribe/1.abc"


def digest_message(
    content: WeekContent, settings: Settings, unsubscribe_url: str, schedule: str
) -> Rendered:
    context = message_context(digest_context(content, unsubscribe_url, schedule))
    return render("email", KIND, context, content.person, settings, link=LINK)


def test_html_in_a_shout_out_is_text_in_both_parts_with_line_breaks_and_links_kept(
    db: Session, cast: Cast, settings: Settings
) -> None:
    give(db, settings, cast.lead, '<img src=x onerror="alert(1)">\nSee https://example.org/a?b=1&c=2',
         person_ids=[cast.member.id])  # fmt: skip
    [content] = gather(db, [(cast.member, WEEK)])

    message = digest_message(content, settings, UNSUBSCRIBE, "every Friday at 15:00")

    assert '<img src=x onerror="alert(1)">' in message.text
    assert message.html is not None and "<img" not in message.html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;<br>" in message.html
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener nofollow ugc">' in message.html
    )
    assert "every Friday at 15:00" in message.text and UNSUBSCRIBE in message.text
    assert digest_headers(UNSUBSCRIBE) == {
        "List-Unsubscribe": f"<{UNSUBSCRIBE}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def test_an_empty_week_is_a_gentle_prompt_with_the_unsubscribe_link(
    db: Session, cast: Cast, settings: Settings
) -> None:
    [content] = gather(db, [(cast.member, WEEK)])

    message = digest_message(content, settings, UNSUBSCRIBE, "every Friday at 15:00")

    assert message.subject == "A quiet week: who would you like to thank?"
    assert "Who made your week a little easier?" in message.text
    assert "http://testserver/shoutouts" in message.text
    assert message.html is not None and f'href="{UNSUBSCRIBE}"' in message.html
    assert "Shout-outs (" not in message.text


def test_a_busy_week_shows_the_most_relevant_and_counts_the_rest(
    db: Session, cast: Cast, settings: Settings
) -> None:
    for n in range(5):
        at = WEDNESDAY_NOON + dt.timedelta(minutes=15 * n)  # within the daily quota of 5
        give(db, settings, cast.admin, f"Thanks {n}", person_ids=[cast.other_member.id], at=at)
        give(db, settings, cast.lead, f"Kudos {n}", person_ids=[cast.other_member.id], at=at)
    [content] = gather(db, [(cast.member, WEEK)])

    message = digest_message(content, settings, UNSUBSCRIBE, "every Friday at 15:00")

    assert message.subject == "Your week at connectwell: 10 shout-outs"
    assert "Shout-outs (10)" in message.text
    assert "and 2 more in the feed" in message.text
