"""The digest as a message: which template (``core/messages/digest/``) and its context.

Everything people wrote reaches the templates as plain text; the one Jinja environment of
:mod:`connectwell.core.notify` escapes it in the HTML part and makes its links.
"""

from __future__ import annotations

from typing import Any

from connectwell.digests.content import WeekContent

KIND = "digest"
LINK = "/shoutouts"


# What the digest shows of each shout-out (the feed's read model, FeedItem, as JSON).
SHOUTOUT_FIELDS = {"id", "sender", "recipients", "pathway_name", "value", "message"}


def digest_context(content: WeekContent, unsubscribe_url: str, schedule: str) -> dict[str, Any]:
    """What the digest templates show. ``schedule`` says when it comes ("every Friday at
    15:00")."""
    return {
        "empty": content.empty,
        "shoutout_count": content.shoutout_count,
        "shoutouts": [
            item.model_dump(mode="json", include=SHOUTOUT_FIELDS) for item in content.feed_items
        ],
        "more_shoutouts": content.more_shoutouts,
        "connections": content.connections,
        "met": list(content.met),
        "celebration_count": content.celebration_count,
        "celebrations": [
            {"text": celebration.text, "goal_id": celebration.goal_id}
            for celebration in content.celebrations
        ],
        "more_celebrations": content.more_celebrations,
        "schedule": schedule,
        "unsubscribe_url": unsubscribe_url,
    }


def digest_headers(unsubscribe_url: str) -> dict[str, str]:
    """One-click unsubscribe (RFC 8058)."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
