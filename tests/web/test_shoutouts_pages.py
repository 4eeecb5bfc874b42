"""/shoutouts: the feed, giving a shout-out, reactions, a single shout-out, and hiding one."""

from __future__ import annotations

import datetime as dt
import html
import re

from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.core.db import utcnow
from tests.conftest import Cast
from tests.web.conftest import AsPerson, outbox, post_form
from tests.web.shoutouts_setup import (
    HOSTILE,
    audit_entries,
    give,
    notes,
    reactions,
    stored,
    value,
)

GIVE = {"message": "Thank you for pairing on the outage", "pathway": "enabling",
        "visibility": "everyone"}  # fmt: skip


def _feed_ids(page: str) -> list[int]:
    return [
        int(found)
        for found in re.findall(r'<article class="card shoutout" id="shoutout-(\d+)"', page)
    ]


# --- the feed ------------------------------------------------------------------------------


def test_the_feed_shows_visible_shout_outs_newest_first(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    first = give(db, settings, cast.lead, "First", person_ids=[cast.other_member.id])
    second = give(db, settings, cast.admin, "Second", person_ids=[cast.lead.id])

    page = as_person(cast.member).get("/shoutouts")

    assert page.status_code == 200
    assert _feed_ids(page.text) == [second.id, first.id]
    assert "Ada Admin</a> appreciated\n    <a" in page.text
    assert 'aria-current="page">Shout-outs</a>' in page.text


def test_the_feed_shows_a_hostile_message_as_text_with_its_line_breaks_and_links(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    give(
        db,
        settings,
        cast.lead,
        f"{HOSTILE}\nsee https://example.org/x",
        person_ids=[cast.member.id],
    )

    page = as_person(cast.member).get("/shoutouts").text

    assert "<script>alert" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#34;boo&#34;)&lt;/script&gt;" in page
    link = '<a href="https://example.org/x" rel="noopener nofollow ugc">'
    assert f"&#34; onmouseover=&#34;alert(1)\nsee {link}" in page
    assert 'class="prewrap message"' in page


def test_private_and_team_shout_outs_are_left_out_for_others(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    private = give(db, settings, cast.lead, "Just between us", person_ids=[cast.member.id],
                   visibility="private")  # fmt: skip
    team = give(db, settings, cast.admin, "For Platform", person_ids=[cast.member.id],
                visibility="teams")  # fmt: skip

    assert _feed_ids(as_person(cast.member).get("/shoutouts").text) == [team.id, private.id]
    assert _feed_ids(as_person(cast.other_member).get("/shoutouts").text) == []


def test_the_feed_filters_by_pathway_team_value_and_person(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    kindness = value(db, "Kindness")
    to_support = give(db, settings, cast.lead, "Support!", person_ids=[cast.other_member.id],
                      pathway="play", value_id=kindness.id)  # fmt: skip
    to_member = give(db, settings, cast.admin, "Platform!", person_ids=[cast.member.id])
    client = as_person(cast.lead)

    assert _feed_ids(client.get("/shoutouts?pathway=play").text) == [to_support.id]
    assert _feed_ids(client.get(f"/shoutouts?team_id={cast.platform.id}").text) == [to_member.id]
    assert _feed_ids(client.get(f"/shoutouts?value_id={kindness.id}").text) == [to_support.id]
    by_email = client.get("/shoutouts", params={"person": cast.member.email})
    assert _feed_ids(by_email.text) == [to_member.id]
    assert _feed_ids(client.get(f"/shoutouts?person_id={cast.lead.id}").text) == [to_support.id]
    everything = client.get("/shoutouts?team_id=&pathway=&value_id=&person=")
    assert _feed_ids(everything.text) == [to_member.id, to_support.id]


def test_an_unknown_person_in_the_filter_names_the_field(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    give(db, settings, cast.lead, "Hello", person_ids=[cast.member.id])

    page = as_person(cast.member).get("/shoutouts?person=ghost@example.org")

    assert page.status_code == 422
    assert "person: nobody here has the e-mail &#39;ghost@example.org&#39;" in page.text
    assert _feed_ids(page.text) == []


def test_show_more_pages_the_feed_without_and_with_htmx(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    settings.shoutout_daily_quota = 100
    start = utcnow() - dt.timedelta(hours=5)
    given = [
        give(db, settings, sender, f"Thanks number {n}", person_ids=[cast.other_member.id],
             pathway="respect", at=start + dt.timedelta(minutes=11 * n))
        for n, sender in enumerate([cast.lead, cast.admin, cast.member] * 8)
    ]  # fmt: skip
    newest_first = [s.id for s in reversed(given)]
    client = as_person(cast.member)

    first = client.get("/shoutouts?pathway=respect")
    assert _feed_ids(first.text) == newest_first[:20]
    more = re.search(r'<a href="([^"]+)"\s+hx-get="([^"]+)"', first.text)
    assert more is not None
    link = html.unescape(more.group(1))
    assert link == f"/shoutouts?pathway=respect&before={newest_first[19]}"
    assert html.unescape(more.group(2)) == link

    without_js = client.get(link)
    assert _feed_ids(without_js.text) == newest_first[20:]
    assert "<h1>Shout-outs</h1>" in without_js.text and "Show more" not in without_js.text

    with_htmx = client.get(link, headers={"HX-Request": "true"})
    assert _feed_ids(with_htmx.text) == newest_first[20:]
    assert "<h1>" not in with_htmx.text and with_htmx.text.lstrip().startswith("<li>")


# --- giving ----------------------------------------------------------------------------------


def test_a_member_gives_a_shout_out_by_email_and_the_recipient_is_notified(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    client = as_person(cast.member)

    response = post_form(
        client, "/shoutouts", {**GIVE, "emails": f" {cast.other_member.email.upper()} "}
    )

    [shoutout] = stored(db)
    assert response.status_code == 303
    assert response.headers["location"] == f"/shoutouts?given={shoutout.id}#shoutout-{shoutout.id}"
    assert shoutout.sender_id == cast.member.id and shoutout.pathway == "enabling"
    assert [r.person_id for r in shoutout.recipients] == [cast.other_member.id]
    [note] = notes(db, cast.other_member)
    assert note.subject == "Mia Member appreciated you" and GIVE["message"] in note.body
    assert note.link == f"/shoutouts/{shoutout.id}"
    assert any(e.to_address == cast.other_member.email for e in outbox(db))
    page = client.get(response.headers["location"])
    assert "Your shout-out is on its way" in page.text
    assert _feed_ids(page.text)[0] == shoutout.id


def test_a_shout_out_to_a_team_and_a_person_with_a_value_and_visibility(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    craft = value(db, "Craft")

    response = post_form(
        as_person(cast.other_member),
        "/shoutouts",
        {**GIVE, "emails": cast.admin.email, "team_ids": str(cast.platform.id),
         "value_id": str(craft.id), "visibility": "teams", "pathway": "trust"},
    )  # fmt: skip

    assert response.status_code == 303
    [shoutout] = stored(db)
    assert (shoutout.value_id, shoutout.visibility, shoutout.pathway) == (
        craft.id,
        "teams",
        "trust",
    )
    assert {(r.person_id, r.team_id) for r in shoutout.recipients} == {
        (cast.admin.id, None),
        (None, cast.platform.id),
    }
    assert {n.person_id for n in [*notes(db, cast.lead), *notes(db, cast.member)]} == {
        cast.lead.id,
        cast.member.id,
    }


def test_an_unknown_email_is_refused_naming_the_field_and_keeping_the_message(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    response = post_form(
        as_person(cast.member), "/shoutouts", {**GIVE, "emails": "ghost@example.org"}
    )

    assert response.status_code == 422
    assert (
        '<p class="field-error" id="emails-error">'
        "nobody here has the e-mail &#39;ghost@example.org&#39;</p>"
    ) in response.text
    assert "emails: " not in response.text
    assert f">{GIVE['message']}</textarea>" in response.text
    assert re.search(
        r'id="emails"[^>]*aria-invalid="true" aria-describedby="emails-error"', response.text
    )
    assert stored(db) == []


def test_a_shout_out_without_recipients_or_message_names_what_is_missing(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    client = as_person(cast.member)

    nobody = post_form(client, "/shoutouts", GIVE)
    empty = post_form(client, "/shoutouts", {**GIVE, "message": "   ", "emails": cast.lead.email})
    too_long = post_form(
        client, "/shoutouts", {**GIVE, "message": "x" * 501, "emails": cast.lead.email}
    )

    assert nobody.status_code == empty.status_code == too_long.status_code == 422
    assert 'id="emails-error">name at least one person or team</p>' in nobody.text
    assert 'id="message-error">Enter the message.</p>' in empty.text
    assert 'aria-invalid="true" aria-describedby="message-hint message-error"' in empty.text
    assert 'id="message-error">The message can be at most 500 characters.</p>' in too_long.text
    assert "String should have" not in empty.text + too_long.text
    assert stored(db) == [] and notes(db, cast.lead) == []


def test_a_shout_out_to_yourself_is_refused(db: Session, cast: Cast, as_person: AsPerson) -> None:
    response = post_form(
        as_person(cast.member), "/shoutouts", {**GIVE, "emails": cast.member.email}
    )

    assert response.status_code == 422
    assert 'id="emails-error">a shout-out to yourself is not a shout-out</p>' in response.text
    assert stored(db) == []


def test_the_daily_quota_and_the_repeat_window_are_clear_refusals(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    settings.shoutout_daily_quota = 2
    client = as_person(cast.member)
    assert post_form(client, "/shoutouts", {**GIVE, "emails": cast.lead.email}).status_code == 303

    again = post_form(
        client, "/shoutouts", {**GIVE, "message": "And more", "emails": cast.lead.email}
    )
    assert again.status_code == 422 and "give it a little time" in again.text

    assert post_form(client, "/shoutouts", {**GIVE, "emails": cast.admin.email}).status_code == 303
    third = post_form(client, "/shoutouts", {**GIVE, "emails": cast.other_member.email})
    assert third.status_code == 422
    assert "you have given 2 shout-outs today: come back tomorrow" in third.text
    assert "quota: " not in third.text
    assert len(stored(db)) == 2


def test_a_link_from_a_profile_fills_in_the_recipient(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    client = as_person(cast.member)

    profile = client.get(f"/people/{cast.other_member.id}")
    page = client.get(f"/shoutouts?to={cast.other_member.id}&to_team={cast.support.id}")

    assert f'href="/shoutouts?to={cast.other_member.id}#give"' in profile.text
    assert f'id="emails" name="emails" value="{cast.other_member.email}"' in page.text
    assert f'<option value="{cast.support.id}" selected>' in page.text


# --- one shout-out -------------------------------------------------------------------------


def test_the_single_page_shows_a_hostile_message_as_text(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    shoutout = give(db, settings, cast.lead, HOSTILE, person_ids=[cast.member.id])

    page = as_person(cast.other_member).get(f"/shoutouts/{shoutout.id}")

    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<b>bold</b>" not in page.text
    assert "&lt;script&gt;alert(&#34;boo&#34;)&lt;/script&gt;" in page.text
    assert "Hide this shout-out" not in page.text


def test_a_private_shout_out_is_not_found_by_others(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    shoutout = give(db, settings, cast.lead, "Quiet thanks", person_ids=[cast.member.id],
                    visibility="private")  # fmt: skip

    assert as_person(cast.member).get(f"/shoutouts/{shoutout.id}").status_code == 200
    hidden = as_person(cast.other_member).get(f"/shoutouts/{shoutout.id}")
    assert hidden.status_code == 404 and "Quiet thanks" not in hidden.text
    assert as_person(cast.member).get("/shoutouts/999999").status_code == 404


def test_the_recipient_sees_the_notification_as_text_in_the_inbox(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    post_form(
        as_person(cast.lead),
        "/shoutouts",
        {**GIVE, "message": HOSTILE, "emails": cast.member.email},
    )

    [note] = notes(db, cast.member)
    inbox = as_person(cast.member).get("/inbox")

    assert HOSTILE in note.body  # stored as plain text
    assert "<script>alert" not in inbox.text
    assert "&lt;script&gt;alert(&#34;boo&#34;)&lt;/script&gt;" in inbox.text
    [email] = [e for e in outbox(db) if e.to_address == cast.member.email]
    assert HOSTILE in email.text_body  # the plain-text part keeps the words as written
    assert email.html_body is not None and "<script>alert" not in email.html_body
    assert "&lt;script&gt;alert(&#34;boo&#34;)&lt;/script&gt;" in email.html_body


# --- reactions -----------------------------------------------------------------------------


def test_the_recipient_adds_thanks_and_an_emoji_and_takes_the_emoji_back(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    shoutout = give(db, settings, cast.lead, "Great work", person_ids=[cast.member.id])
    client = as_person(cast.member)

    thanked = post_form(
        client, f"/shoutouts/{shoutout.id}/reactions", {"kind": "thanks", "back": "feed"}
    )
    cheered = post_form(client, f"/shoutouts/{shoutout.id}/reactions", {"kind": "🎉"})

    assert thanked.headers["location"] == f"/shoutouts#shoutout-{shoutout.id}"
    assert cheered.headers["location"] == f"/shoutouts/{shoutout.id}"
    assert reactions(db, shoutout.id) == [(cast.member.id, "thanks"), (cast.member.id, "🎉")]
    page = client.get(f"/shoutouts/{shoutout.id}").text
    assert re.search(
        r'reactions/remove"[^<]*<input[^>]*>\s*<input type="hidden" name="kind" value="thanks">',
        page,
    )
    assert 'aria-pressed="true">+1 thanks <span class="count">1</span>' in page

    removed = post_form(
        client, f"/shoutouts/{shoutout.id}/reactions/remove", {"kind": "🎉", "back": "single"}
    )
    assert removed.status_code == 303
    assert reactions(db, shoutout.id) == [(cast.member.id, "thanks")]


def test_with_htmx_a_reaction_answers_with_the_shout_outs_reactions_only(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    shoutout = give(db, settings, cast.lead, "Great work", person_ids=[cast.member.id])

    response = post_form(
        as_person(cast.other_member), f"/shoutouts/{shoutout.id}/reactions",
        {"kind": "thanks", "back": "feed"}, headers={"HX-Request": "true"},
    )  # fmt: skip

    assert response.status_code == 200
    assert response.text.lstrip().startswith(
        f'<div class="reactions" id="reactions-{shoutout.id}">'
    )
    assert 'aria-pressed="true">+1 thanks <span class="count">1</span>' in response.text
    assert reactions(db, shoutout.id) == [(cast.other_member.id, "thanks")]


def test_a_sender_cannot_thank_their_own_shout_out_and_a_bad_kind_is_refused(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    shoutout = give(db, settings, cast.lead, "Great work", person_ids=[cast.member.id])
    client = as_person(cast.lead)

    own = post_form(client, f"/shoutouts/{shoutout.id}/reactions", {"kind": "thanks"})
    own_page = client.get(f"/shoutouts/{shoutout.id}").text
    bad = post_form(
        as_person(cast.member), f"/shoutouts/{shoutout.id}/reactions", {"kind": "<img src=x>"}
    )

    assert own.status_code == 422 and "cannot add your thanks to your own" in own.text
    assert bad.status_code == 422 and "one of thanks" in bad.text
    assert reactions(db, shoutout.id) == []
    assert 'value="thanks"' not in own_page


def test_nobody_reacts_to_a_shout_out_they_may_not_see(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    shoutout = give(
        db, settings, cast.lead, "Private", person_ids=[cast.member.id], visibility="private"
    )

    response = post_form(
        as_person(cast.other_member), f"/shoutouts/{shoutout.id}/reactions", {"kind": "🎉"}
    )

    assert response.status_code == 404
    assert reactions(db, shoutout.id) == []


# --- hiding --------------------------------------------------------------------------------


def test_an_admin_hides_a_shout_out_with_a_reason_and_it_leaves_every_feed(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    shoutout = give(db, settings, cast.lead, "Oops, wrong person", person_ids=[cast.member.id])
    admin = as_person(cast.admin)
    assert "Hide this shout-out" in admin.get(f"/shoutouts/{shoutout.id}").text

    response = post_form(admin, f"/shoutouts/{shoutout.id}/hide", {"reason": "Sent by mistake"})

    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/audit?hidden={shoutout.id}"
    [entry] = audit_entries(db)
    assert (entry.actor_id, entry.action, entry.target_id, entry.reason) == (
        cast.admin.id, "shoutout.hide", shoutout.id, "Sent by mistake",
    )  # fmt: skip
    assert stored(db)[0].hidden_at is not None
    assert _feed_ids(as_person(cast.member).get("/shoutouts").text) == []
    assert as_person(cast.member).get(f"/shoutouts/{shoutout.id}").status_code == 404


def test_hiding_without_a_reason_names_the_field_and_a_member_may_not_hide(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    shoutout = give(db, settings, cast.lead, "Fine", person_ids=[cast.member.id])

    no_reason = post_form(
        as_person(cast.admin), f"/shoutouts/{shoutout.id}/hide", {"reason": " x "}
    )
    member = post_form(
        as_person(cast.member), f"/shoutouts/{shoutout.id}/hide", {"reason": "I dislike it"}
    )

    assert no_reason.status_code == 422
    assert 'id="reason-error">say why (at least 3 characters)</p>' in no_reason.text
    assert 'aria-invalid="true" aria-describedby="reason-error"' in no_reason.text
    assert 'id="reason" name="reason"' in no_reason.text and "> x </textarea>" in no_reason.text
    assert member.status_code == 403
    assert audit_entries(db) == [] and stored(db)[0].hidden_at is None


def test_line_breaks_a_browser_sends_as_crlf_are_stored_and_counted_as_one(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    message = "\r\n".join(["x" * 99] * 5)  # 495 characters and 4 line breaks: 499 in all
    form = {**GIVE, "message": message, "emails": cast.lead.email}

    response = post_form(as_person(cast.member), "/shoutouts", form)

    assert response.status_code == 303
    [shoutout] = stored(db)
    assert shoutout.message == message.replace("\r\n", "\n") and len(shoutout.message) == 499
