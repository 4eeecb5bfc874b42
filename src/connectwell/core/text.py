"""People's text: the one link-maker (plain text as safe HTML, for pages and e-mails alike)
and the one name-cleaner (names others read: people, teams, values, programmes, pulses),
with its looser sibling for free text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

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


# Characters a name may never hold: controls (C0 and C1, NUL, tab, CR and LF among them),
# invisible format characters (zero-width spaces and joiners, the byte-order mark, the
# bidirectional embeddings, overrides, isolates and marks, soft hyphens, tags), surrogates and
# the line and paragraph separators. Each can make a name look like another or break a line.
_REFUSED_CATEGORIES = {"Cc": "control", "Cf": "invisible", "Cs": "surrogate", "Zl": "line break",
                       "Zp": "line break"}  # fmt: skip
_BIDI = {0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


class TextRefused(ValueError):
    """A name or text that cannot be stored; the message says why, for the field it came from."""


def clean_name(value: str, *, max_length: int) -> str:
    """A name as it is stored and shown: NFKC-normalised, its spaces collapsed.

    Parameters
    ----------
    value : str
        The name as typed or imported.
    max_length : int
        The column's length: checked after normalising, which may lengthen a name
        (``"ﬃ"`` becomes ``"ffi"``).

    Returns
    -------
    str
        The name in Unicode normal form NFKC (compatibility characters such as full-width
        letters or ligatures become their plain letters, so look-alikes compare equal), with
        leading and trailing space removed and every run of spaces made one space.

    Raises
    ------
    TextRefused
        (a ``ValueError``, which pydantic reports under the field) when the name is empty,
        too long, or holds a control character (CR, LF, tab, NUL...), a bidirectional control
        (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F) or an invisible character (U+200B-U+200D,
        U+2060, U+FEFF, soft hyphen...). The message names the first such character.

    Notes
    -----
    Linear in the length of the name. Refusing, rather than silently dropping, tells the
    person what was wrong and never turns ``"Ad\u200bmin"`` into a convincing ``"Admin"``.

    >>> clean_name("  \uff28ugo\u00a0 Tanaka ", max_length=200)
    'Hugo Tanaka'
    """
    text = unicodedata.normalize("NFKC", value)
    for char in text:
        kind = _REFUSED_CATEGORIES.get(unicodedata.category(char))
        if kind is not None:
            if ord(char) in _BIDI:
                kind = "text-direction"
            label = unicodedata.name(char, "")
            code = f"U+{ord(char):04X}" + (f" {label}" if label else "")
            raise TextRefused(f"contains a {kind} character ({code}); remove it")
    text = " ".join(text.split())
    if not text:
        raise TextRefused("is empty")
    if len(text) > max_length:
        raise TextRefused(f"is longer than {max_length} characters")
    return text


_TEXT_CONTROLS_ALLOWED = {"\t", "\n", "\r"}


def clean_text(value: str) -> str:
    r"""Free text (a message, a bio, a comment, a description) as it is stored: unchanged, or
    refused when it holds a control character other than tab and line breaks (NUL among them,
    which PostgreSQL cannot store) or a lone surrogate (which no encoding can).

    Text-direction marks and zero-width joiners stay allowed here: people writing Arabic,
    Hebrew, Persian or emoji sequences need them, and free text never names anyone.

    Raises
    ------
    TextRefused
        A ``ValueError`` naming the first such character, which pydantic reports under the field.

    Notes
    -----
    Linear in the length of the text.

    >>> clean_text("two\nlines")
    'two\nlines'
    """
    for char in value:
        if char in _TEXT_CONTROLS_ALLOWED:
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cs"):
            kind = "control" if category == "Cc" else "surrogate"
            raise TextRefused(f"contains a {kind} character (U+{ord(char):04X}); remove it")
    return value


def name_cleaner(max_length: int) -> Callable[[str], str]:
    """:func:`clean_name` for a column of ``max_length``, as a pydantic ``AfterValidator``."""

    def clean(value: str) -> str:
        return clean_name(value, max_length=max_length)

    return clean
