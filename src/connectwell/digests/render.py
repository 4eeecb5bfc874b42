"""The digest as a message: a plain-text part and an HTML part in which everything people
wrote is escaped (a shout-out is shown as text, never as HTML)."""

from __future__ import annotations

import re
from html import escape

from connectwell.core.config import Settings
from connectwell.core.notify import Message
from connectwell.core.words import PATHWAY_NAMES
from connectwell.digests.content import WeekContent
from connectwell.shoutouts.models import ShoutOut

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_URL = re.compile(r"https?://[^\s<>\"']+")
PROMPT = (
    "Who made your week a little easier? A colleague who listened, answered a question or "
    "lent a hand would be glad to hear it: a two-line shout-out is enough."
)


def _recipients(shoutout: ShoutOut) -> str:
    names = [
        r.person.name if r.person is not None else (r.team.name if r.team else "a team")
        for r in shoutout.recipients
    ]
    return ", ".join(names)


def _html_text(text: str) -> str:
    """Escape user text for HTML, keeping its line breaks and making its web links links."""
    escaped = escape(text, quote=True)
    linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
    return linked.replace("\n", "<br>\n")


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def subject_of(content: WeekContent, organisation: str) -> str:
    if content.empty:
        return "A quiet week: who would you like to thank?"
    parts = []
    if content.shoutout_count:
        parts.append(_plural(content.shoutout_count, "shout-out"))
    if content.connections:
        parts.append(_plural(content.connections, "new connection"))
    if content.celebration_count:
        parts.append(_plural(content.celebration_count, "celebration"))
    return f"Your week at {organisation}: " + ", ".join(parts)


def digest_message(
    content: WeekContent, settings: Settings, unsubscribe_url: str, schedule: str
) -> Message:
    """The digest (or, for an empty week, the gentle prompt) with List-Unsubscribe headers.

    ``schedule`` says when it comes, e.g. "every Friday at 15:00".
    """
    base = settings.base_url
    person = content.person
    text: list[str] = [f"Hello {person.name},", ""]
    html: list[str] = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(subject_of(content, settings.organisation_name))}</title></head>",
        '<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em">',
        f"<p>Hello {escape(person.name)},</p>",
    ]
    if content.empty:
        text += [
            "A quiet week: no shout-outs, conversations or celebrations came your way.",
            "",
            PROMPT,
            f"{base}/shoutouts",
        ]
        html += [
            "<p>A quiet week: no shout-outs, conversations or celebrations came your way.</p>",
            f"<p>{escape(PROMPT)}</p>",
            f'<p><a href="{escape(base)}/shoutouts">Give a shout-out</a></p>',
        ]
    else:
        text += [f"Your week at {settings.organisation_name}.", ""]
        html.append(f"<p>Your week at {escape(settings.organisation_name)}.</p>")
        _shoutouts(content, base, text, html)
        _connections(content, text, html)
        _celebrations(content, base, text, html)
    text += [
        "",
        "-- ",
        f"You get this digest {schedule}, in your own time zone.",
        f"Unsubscribe: {unsubscribe_url}",
    ]
    html += [
        '<hr><p style="font-size: smaller">',
        f"You get this digest {escape(schedule)}, in your own time zone. ",
        f'<a href="{escape(unsubscribe_url)}">Unsubscribe</a></p>',
        "</body></html>",
    ]
    return Message(
        kind="digest",
        subject=subject_of(content, settings.organisation_name),
        text="\n".join(text),
        html="\n".join(html),
        link="/shoutouts",
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _shoutouts(content: WeekContent, base: str, text: list[str], html: list[str]) -> None:
    title = f"Shout-outs ({content.shoutout_count})"
    text += [title, ""]
    html.append(f"<h2>{escape(title)}</h2>")
    if not content.shoutouts:
        text += ["No shout-outs you can see this week.", PROMPT, f"{base}/shoutouts", ""]
        html.append(
            f"<p>No shout-outs you can see this week. {escape(PROMPT)} "
            f'<a href="{escape(base)}/shoutouts">Give a shout-out</a></p>'
        )
        return
    html.append("<ul>")
    for shoutout in content.shoutouts:
        who = f"{shoutout.sender.name} to {_recipients(shoutout)}"
        pathway = PATHWAY_NAMES.get(shoutout.pathway, shoutout.pathway)
        message = "\n".join("    " + line for line in shoutout.message.splitlines())
        text += [f"  * {who} ({pathway}):", message, ""]
        html.append(
            f"<li><p><strong>{escape(who)}</strong> ({escape(pathway)})</p>"
            f"<blockquote>{_html_text(shoutout.message)}</blockquote></li>"
        )
    html.append("</ul>")
    if content.more_shoutouts:
        more = f"and {content.more_shoutouts} more in the feed"
        text += [f"  {more}: {base}/shoutouts", ""]
        html.append(f'<p><a href="{escape(base)}/shoutouts">{escape(more.capitalize())}</a></p>')


def _connections(content: WeekContent, text: list[str], html: list[str]) -> None:
    if not (content.connections or content.met):
        return
    line = (
        f"{_plural(content.connections, 'conversation')} between colleagues took place this "
        "week through the connection programmes."
    )
    if content.met:
        names = content.met
        line += " You met " + (", ".join(names[:-1]) + " and " if len(names) > 1 else "")
        line += names[-1] + "."
    text += ["New connections", "", line, ""]
    html += ["<h2>New connections</h2>", f"<p>{escape(line)}</p>"]


def _celebrations(content: WeekContent, base: str, text: list[str], html: list[str]) -> None:
    if not content.celebrations:
        return
    text += ["Team celebrations", ""]
    html += ["<h2>Team celebrations</h2>", "<ul>"]
    for celebration in content.celebrations:
        link = f"{base}/goals/{celebration.goal_id}"
        text += [f"  * {celebration.text}", f"    {link}"]
        html.append(
            f'<li>{escape(celebration.text)} <a href="{escape(link)}">See the goal</a></li>'
        )
    html.append("</ul>")
    if content.more_celebrations:
        text.append(f"  and {_plural(content.more_celebrations, 'more celebration')}")
        html.append(f"<p>And {_plural(content.more_celebrations, 'more celebration')}.</p>")
    text.append("")
