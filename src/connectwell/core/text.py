"""The one link-maker: people's plain text as safe HTML, for pages and e-mails alike."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# A link starts a word with http:// or https:// and runs to the next space, quote or bracket.
_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
_SENTENCE_END = ".,;:!?"


def linkify(text: str | None) -> Markup:
    """People's plain text as safe HTML: everything escaped, http(s) URLs made links.

    No other scheme ever becomes a link (``javascript:``, ``data:``…); the URL is escaped in
    both the ``href`` and the text, and the link says it is user content
    (``rel="noopener nofollow ugc"``). Line breaks stay as they are: show the result in an
    element with ``white-space: pre-wrap`` (the ``prewrap`` class), or pass it through
    :func:`breaks` where CSS cannot be relied on (e-mail).

    >>> str(linkify("see https://example.org/a?b=1&c=2."))
    'see <a href="https://example.org/a?b=1&amp;c=2" rel="noopener nofollow ugc">https://example.org/a?b=1&amp;c=2</a>.'
    """
    if not text:
        return Markup("")
    parts: list[Markup] = []
    done = 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(_SENTENCE_END)
        # A closing bracket belongs to the sentence unless the URL opened one: (see http://x)
        while url.endswith(")") and url.count("(") < url.count(")"):
            url = url[:-1].rstrip(_SENTENCE_END)
        if "://" not in url or url.endswith("://"):
            continue
        parts.append(escape(text[done : match.start()]))
        parts.append(Markup('<a href="{0}" rel="noopener nofollow ugc">{0}</a>').format(url))
        done = match.start() + len(url)
    parts.append(escape(text[done:]))
    return Markup("").join(parts)


def breaks(html: str | None) -> Markup:
    """Line breaks as ``<br>`` in text that is escaped already (or escaped here if it is not).

    >>> str(breaks(linkify("one <two>\\nthree")))
    'one &lt;two&gt;<br>\\nthree'
    """
    return Markup("<br>\n").join(escape(html or "").split("\n"))
