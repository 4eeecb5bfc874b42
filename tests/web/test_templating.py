"""web/templating.py: ``linkify`` shows people's text as text, links as safe links; the time
filters show every moment in the viewer's own time zone."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from connectwell.core import times, words
from connectwell.web.templating import linkify, templates

REL = 'rel="noopener nofollow ugc"'


def test_plain_text_is_escaped_and_line_breaks_are_kept() -> None:
    assert linkify("Thanks <b>Ana</b> & co\nfor 'all' of it") == (
        "Thanks &lt;b&gt;Ana&lt;/b&gt; &amp; co\nfor &#39;all&#39; of it"
    )


def test_a_script_tag_is_shown_as_text() -> None:
    html = linkify('<script>alert("x")</script>')
    assert "<script" not in html
    assert html == "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


def test_an_https_url_becomes_a_link_marked_as_user_content() -> None:
    html = linkify("See https://example.org/notes?a=1&b=2 for the notes")
    assert html == (
        f'See <a href="https://example.org/notes?a=1&amp;b=2" {REL}>'
        "https://example.org/notes?a=1&amp;b=2</a> for the notes"
    )


def test_an_http_url_becomes_a_link_too() -> None:
    assert f'<a href="http://intranet.example/wiki" {REL}>' in linkify(
        "http://intranet.example/wiki"
    )


@pytest.mark.parametrize(
    "hostile",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "//evil.example/path",
    ],
)
def test_no_other_scheme_ever_becomes_a_link(hostile: str) -> None:
    html = linkify(f"click {hostile} now")
    assert "<a " not in html and "href" not in html


def test_a_quote_cannot_break_out_of_the_href() -> None:
    html = linkify('https://example.org/" onmouseover="alert(1)')
    assert html == (
        f'<a href="https://example.org/" {REL}>https://example.org/</a>'
        "&#34; onmouseover=&#34;alert(1)"
    )
    assert 'onmouseover="' not in html


def test_angle_brackets_end_a_url_and_stay_text() -> None:
    html = linkify("https://example.org/<script>alert(1)</script>")
    assert html.startswith(f'<a href="https://example.org/" {REL}>')
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html


def test_a_javascript_url_hiding_an_http_one_links_only_the_http_part() -> None:
    html = linkify("javascript:window.open('https://example.org')")
    assert 'href="javascript' not in html
    assert f'<a href="https://example.org" {REL}>' in html


def test_sentence_punctuation_and_an_unopened_bracket_stay_outside_the_link() -> None:
    html = linkify("Read it (https://example.org/a_(b)). Then https://example.org/c, ok?")
    assert f'<a href="https://example.org/a_(b)" {REL}>' in html
    assert "</a>). Then" in html
    assert f'<a href="https://example.org/c" {REL}>https://example.org/c</a>, ok?' in html


def test_a_bare_scheme_is_not_a_link() -> None:
    assert linkify("http:// and https://.") == "http:// and https://."


def test_nothing_gives_an_empty_string() -> None:
    assert linkify(None) == "" and linkify("") == ""


def test_it_gives_every_template_the_display_words_of_core_words() -> None:
    shown = templates.env.globals
    assert shown["pathway_names"] is words.PATHWAY_NAMES
    assert shown["hqc_elements"] is words.HQC_ELEMENTS
    assert shown["element_names"] is words.ELEMENT_NAMES
    assert shown["construct_names"] is words.CONSTRUCT_NAMES
    page = templates.env.from_string(
        "{{ pathway_names['enabling'] }}|{% for e in hqc_elements %}{{ e.name }}: "
        "{{ e.statement }};{% endfor %}|{{ construct_names['loneliness'] }}"
    ).render()
    assert page == (
        "task enabling|Positive regard: I felt valued;Mutuality: The conversation went both "
        "ways;Vitality: I came away with more energy;|Loneliness at work"
    )


def test_every_template_and_module_reads_the_one_list_of_weekdays() -> None:
    from connectwell.digests import service as digests
    from connectwell.web.pages import admin_programs, admin_pulses

    assert templates.env.globals["weekdays"] is words.WEEKDAYS
    assert words.WEEKDAYS[0] == "Monday" and words.WEEKDAYS[6] == "Sunday"
    assert digests.WEEKDAYS is words.WEEKDAYS
    assert not hasattr(admin_programs, "WEEKDAYS") and not hasattr(admin_pulses, "WEEKDAYS")
    assert templates.env.from_string("{{ weekdays[2] }}").render() == "Wednesday"


def _render_for(zone: str | None, source: str, **values: object) -> str:
    viewer = SimpleNamespace(person=SimpleNamespace(timezone=zone)) if zone is not None else None
    return templates.env.from_string(source).render(viewer=viewer, **values)


def test_the_date_filter_shows_a_moment_in_the_viewers_zone_named() -> None:
    moment = dt.datetime(2026, 11, 3, 13, 5, tzinfo=dt.UTC)
    summer = dt.datetime(2026, 7, 3, 13, 5, tzinfo=dt.UTC)

    assert _render_for("Europe/Berlin", "{{ m|date }}", m=moment) == "3 Nov 2026, 14:05 CET"
    assert _render_for("Europe/Berlin", "{{ m|date }}", m=summer) == "3 Jul 2026, 15:05 CEST"
    assert _render_for("Asia/Tokyo", "{{ m|date }}", m=moment) == "3 Nov 2026, 22:05 JST"
    assert _render_for(None, "{{ m|date }}", m=moment) == "3 Nov 2026, 13:05 UTC"  # signed out
    assert _render_for("Not/AZone", "{{ m|date }}", m=moment) == "3 Nov 2026, 13:05 UTC"


def test_the_date_filter_leaves_a_calendar_day_as_it_is() -> None:
    day = dt.date(2026, 11, 3)
    assert _render_for("Pacific/Kiritimati", "{{ d|date }}", d=day) == "3 Nov 2026"


def test_day_in_gives_the_viewers_day_across_midnight() -> None:
    late = dt.datetime(2026, 11, 3, 23, 30, tzinfo=dt.UTC)

    assert _render_for("Europe/Berlin", "{{ m|day_in }}", m=late) == "4 November 2026"
    assert _render_for("UTC", "{{ m|day_in }}", m=late) == "3 November 2026"
    assert _render_for("UTC", "{{ m|day_in('Europe/Berlin') }}", m=late) == "4 November 2026"


def test_the_when_filter_says_how_long_ago_with_the_exact_time_in_a_title() -> None:
    two_hours_ago = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)
    exact = times.exact(two_hours_ago, "Europe/Berlin")

    html = _render_for("Europe/Berlin", "{{ m|when }}", m=two_hours_ago)

    assert html == (
        f'<time datetime="{two_hours_ago.isoformat()}" title="{exact}">2 hours ago</time>'
    )
    assert exact.endswith((" CET", " CEST"))


def test_the_when_filter_shows_the_exact_time_of_a_moment_a_week_or_more_away() -> None:
    old = dt.datetime(2020, 2, 1, 23, 30, tzinfo=dt.UTC)

    html = _render_for("Europe/Berlin", "{{ m|when }}", m=old)

    assert html == (
        '<time datetime="2020-02-01T23:30:00+00:00" title="2 Feb 2020, 00:30 CET">'
        "2 Feb 2020, 00:30 CET</time>"
    )
    assert _render_for("Europe/Berlin", "{{ m|when or 'never' }}", m=None) == "never"
