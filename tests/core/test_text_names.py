"""Names people read (people, teams, values, programmes, pulses): one cleaner for them all."""

from __future__ import annotations

import re

import pytest

from connectwell.core.text import TextRefused, clean_name, clean_text


def test_a_name_is_normalised_with_nfkc_and_its_spaces_collapsed() -> None:
    assert clean_name("  Ｈｕｇｏ\u00a0\u00a0Tanaka ", max_length=200) == "Hugo Tanaka"
    assert clean_name("Zoë Ångström", max_length=200) == "Zoë Ångström"  # composed, kept
    assert clean_name("Zoe\u0308", max_length=200) == "Zoë"


@pytest.mark.parametrize(
    ("name", "told"),
    [
        ("Ad\u200bmin Hugo Tanaka", "U+200B"),  # zero-width space: a look-alike
        ("Zero\u200cJoiner", "U+200C"),
        ("Zero\u200dJoiner", "U+200D"),
        ("Word\u2060Joiner", "U+2060"),
        ("Byte\ufeffOrder", "U+FEFF"),
        ("evil\u202egnp.exe", "U+202E"),  # right-to-left override
        ("left\u202aembed", "U+202A"),
        ("isolate\u2066x\u2069", "U+2066"),
        ("mark\u200e", "U+200E"),
        ("mark\u200fr", "U+200F"),
        ("two\r\nlines", "U+000D"),
        ("line\nfeed", "U+000A"),
        ("nul\x00byte", "U+0000"),
        ("tab\there", "U+0009"),
        ("c1\x85next", "U+0085"),
        ("para\u2029graph", "U+2029"),
    ],
)
def test_it_refuses_control_bidi_and_invisible_characters_saying_which(
    name: str, told: str
) -> None:
    with pytest.raises(TextRefused) as refused:
        clean_name(name, max_length=200)
    assert told in str(refused.value)
    assert isinstance(refused.value, ValueError)  # pydantic validators report it on the field


def test_it_refuses_an_empty_name_and_one_longer_than_its_column_after_normalising() -> None:
    with pytest.raises(TextRefused, match="empty"):
        clean_name(" \u3000 ", max_length=10)
    with pytest.raises(TextRefused, match="longer than 5 characters"):
        clean_name("\ufb03\ufb03\ufb03", max_length=5)  # "ﬃ" is 3 letters under NFKC
    assert clean_name("\ufb03", max_length=5) == "ffi"


def test_free_text_keeps_line_breaks_tabs_and_direction_marks_but_refuses_other_controls() -> None:
    kept = "שלום\u200f\r\nline\ttwo 👩\u200d💻"
    assert clean_text(kept) == kept
    for bad, told in (("a\x00", "U+0000"), ("\x1b[31m", "U+001B"), ("x\ud800", "U+D800")):
        with pytest.raises(TextRefused, match=re.escape(told)):
            clean_text(bad)
