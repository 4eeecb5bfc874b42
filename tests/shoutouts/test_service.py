"""Giving, seeing, reacting and hiding shout-outs: the rules that make them hard to game."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.core import audit
from connectwell.core.audit import AuditEntry
from connectwell.core.config import Settings
from connectwell.core.db import utcnow
from connectwell.core.notify import Notification
from connectwell.shoutouts import service
from connectwell.shoutouts.models import DailyCount, Reaction, Recipient, ShoutOut
from connectwell.shoutouts.schemas import FeedFilter, ShoutOutIn
from tests.conftest import Cast


def _give(db: Session, settings: Settings, sender, message="Thanks for the help!", **fields):  # type: ignore[no-untyped-def]
    data = ShoutOutIn(message=message, pathway=fields.pop("pathway", "enabling"), **fields)
    return service.give(db, sender, data, settings)


def test_a_shout_out_reaches_its_recipients_inbox(
    db: Session, cast: Cast, settings: Settings
) -> None:
    shoutout = _give(db, settings, cast.member, person_ids=[cast.other_member.id])
    db.commit()

    assert shoutout.recipients[0].recipient_team_id == cast.support.id
    [note] = db.scalars(select(Notification).where(Notification.kind == "shoutout")).all()
    assert note.person_id == cast.other_member.id
    assert "Thanks for the help!" in note.body and cast.member.name in note.subject


def test_a_shout_out_to_a_team_notifies_its_members_but_not_the_sender(
    db: Session, cast: Cast, settings: Settings
) -> None:
    _give(db, settings, cast.member, team_ids=[cast.platform.id])
    notified = set(db.scalars(select(Notification.person_id)))
    assert notified == {cast.lead.id}


def test_it_refuses_a_shout_out_to_yourself(db: Session, cast: Cast, settings: Settings) -> None:
    with pytest.raises(service.ShoutOutError) as refused:
        _give(db, settings, cast.member, person_ids=[cast.member.id])
    assert refused.value.field == "person_ids"
    assert db.scalar(select(func.count()).select_from(ShoutOut)) == 0


def test_it_refuses_the_same_recipient_within_ten_minutes(
    db: Session, cast: Cast, settings: Settings
) -> None:
    _give(db, settings, cast.member, person_ids=[cast.lead.id])
    with pytest.raises(service.ShoutOutError) as refused:
        _give(db, settings, cast.member, "Another thing, thank you", person_ids=[cast.lead.id])
    assert "10 minutes" in refused.value.message


def test_it_refuses_an_exact_duplicate_even_later(
    db: Session, cast: Cast, settings: Settings
) -> None:
    first = _give(db, settings, cast.member, person_ids=[cast.lead.id])
    first.created_at = utcnow() - dt.timedelta(days=2)
    db.flush()
    with pytest.raises(service.ShoutOutError) as refused:
        _give(db, settings, cast.member, "  thanks FOR the help! ", person_ids=[cast.lead.id])
    assert refused.value.field == "message"
    # The same words to someone else are a new shout-out.
    _give(db, settings, cast.member, person_ids=[cast.other_member.id])


def test_the_daily_quota_is_never_exceeded(db: Session, cast: Cast, settings: Settings) -> None:
    quota = settings.shoutout_daily_quota
    for n in range(quota):
        _give(db, settings, cast.member, f"Thank you, number {n}", team_ids=[cast.support.id])
    with pytest.raises(service.ShoutOutError) as refused:
        _give(db, settings, cast.member, "One more", team_ids=[cast.support.id])
    db.commit()

    assert refused.value.field == "quota"
    assert db.scalar(select(DailyCount.given)) == quota
    assert db.scalar(select(func.count()).select_from(ShoutOut)) == quota


def test_visibility_decides_who_sees_a_shout_out(
    db: Session, cast: Cast, settings: Settings
) -> None:
    public = _give(db, settings, cast.admin, "For everyone", person_ids=[cast.member.id])
    team = _give(
        db, settings, cast.admin, "For Platform", person_ids=[cast.lead.id], visibility="teams"
    )
    private = _give(
        db,
        settings,
        cast.lead,
        "Just between us",
        person_ids=[cast.other_member.id],
        visibility="private",
    )

    def seen(person) -> set[int]:  # type: ignore[no-untyped-def]
        return {s.id for s in service.feed(db, person)[0]}

    assert seen(cast.member) == {public.id, team.id}  # Mia is in Platform, like Lee
    assert seen(cast.other_member) == {public.id, private.id}
    assert seen(cast.lead) == {public.id, team.id, private.id}
    assert seen(cast.admin) == {public.id, team.id}  # admins get no peek at private ones


def test_the_feed_pages_with_a_cursor_and_filters(
    db: Session, cast: Cast, settings: Settings
) -> None:
    settings = settings.model_copy(
        update={"shoutout_daily_quota": 50, "shoutout_repeat_minutes": 0}
    )
    given = [
        _give(
            db,
            settings,
            cast.admin,
            f"Thanks #{n}",
            person_ids=[cast.member.id],
            pathway="play" if n % 2 else "trust",
        )
        for n in range(7)
    ]
    first, cursor = service.feed(db, cast.lead, limit=3)
    second, cursor2 = service.feed(db, cast.lead, before=cursor, limit=3)
    third, end = service.feed(db, cast.lead, before=cursor2, limit=3)

    assert [s.id for s in first + second + third] == [s.id for s in reversed(given)]
    assert end is None
    play, _ = service.feed(db, cast.lead, FeedFilter(pathway="play"))
    assert {s.id for s in play} == {s.id for s in given if s.pathway == "play"}
    by_team, _ = service.feed(db, cast.lead, FeedFilter(team_id=cast.support.id))
    assert by_team == []


def test_reactions_count_once_per_person_and_kind(
    db: Session, cast: Cast, settings: Settings
) -> None:
    shoutout = _give(db, settings, cast.member, person_ids=[cast.lead.id])

    assert service.react(db, cast.admin, shoutout.id, "thanks") is True
    assert service.react(db, cast.admin, shoutout.id, "thanks") is False
    assert service.react(db, cast.admin, shoutout.id, "🎉") is True
    with pytest.raises(service.ShoutOutError):
        service.react(db, cast.member, shoutout.id, "thanks")  # your own
    with pytest.raises(service.ShoutOutError):
        service.react(db, cast.admin, shoutout.id, "<script>")
    db.refresh(shoutout)
    [item] = service.feed_items([shoutout])
    assert (item.thanks, item.reactions) == (1, {"🎉": 1})
    assert db.scalar(select(func.count()).select_from(Reaction)) == 2


def test_an_admin_hides_a_shout_out_and_the_audit_log_says_who_and_why(
    db: Session, cast: Cast, settings: Settings
) -> None:
    shoutout = _give(db, settings, cast.member, person_ids=[cast.lead.id])
    with pytest.raises(service.ShoutOutError):
        service.hide(db, cast.lead, shoutout.id, "not nice")

    service.hide(db, cast.admin, shoutout.id, "Names a customer")

    [entry] = db.scalars(select(AuditEntry)).all()
    assert (entry.actor_id, entry.action, entry.target_id, entry.reason) == (
        cast.admin.id,
        "shoutout.hide",
        shoutout.id,
        "Names a customer",
    )
    assert service.feed(db, cast.lead)[0] == []
    with pytest.raises(service.ShoutOutNotFound):
        service.get_visible(db, cast.lead, shoutout.id)


def test_paging_a_persons_feed_returns_exactly_what_the_viewer_may_see_in_order(
    db: Session, cast: Cast
) -> None:
    """500 shout-outs, a person in a third of them, many private: the pages, joined, equal
    the brute-force answer, whatever the candidate window cuts."""
    rows = []
    for n in range(500):
        sender = cast.member if n % 3 == 0 else cast.admin
        target = cast.lead if n % 3 == 0 else (cast.member if n % 3 == 1 else cast.other_member)
        shoutout = ShoutOut(
            sender_id=sender.id,
            message=f"#{n}",
            message_hash=f"{n:064d}",
            pathway="play",
            visibility="private" if n % 7 == 0 else "everyone",
        )
        shoutout.recipients = [Recipient(person_id=target.id, recipient_team_id=target.team_id)]
        rows.append(shoutout)
    db.add_all(rows)
    db.flush()

    def expected(viewer) -> list[int]:  # type: ignore[no-untyped-def]
        involved = [
            s for s in rows if cast.member.id in {s.sender_id, *(r.person_id for r in s.recipients)}
        ]
        return sorted(
            (
                s.id
                for s in involved
                if s.visibility == "everyone"
                or viewer.id in {s.sender_id, *(r.person_id for r in s.recipients)}
            ),
            reverse=True,
        )

    for viewer in (cast.other_member, cast.lead, cast.member):
        seen: list[int] = []
        cursor = None
        for _ in range(100):
            page, cursor = service.feed(
                db, viewer, FeedFilter(person_id=cast.member.id), before=cursor, limit=20
            )
            seen += [s.id for s in page]
            if cursor is None:
                break
        assert seen == expected(viewer)


def test_recipients_named_by_email_are_found_whatever_the_separators_and_case(
    db: Session, cast: Cast
) -> None:
    emails = f" {cast.lead.email.upper()}, {cast.other_member.email};{cast.lead.email}\n"
    assert service.people_ids_for_emails(db, emails) == sorted([cast.lead.id, cast.other_member.id])
    assert service.people_ids_for_emails(db, " , ") == []


def test_an_unknown_or_departed_email_is_refused_naming_the_field(db: Session, cast: Cast) -> None:
    cast.other_member.is_active = False
    db.flush()
    for emails in ("ghost@example.org", f"{cast.lead.email}, {cast.other_member.email}"):
        with pytest.raises(service.ShoutOutError) as refused:
            service.people_ids_for_emails(db, emails)
        assert (
            refused.value.field == "emails"
            and "nobody here has the e-mail" in refused.value.message
        )
    with pytest.raises(service.ShoutOutError):
        service.people_ids_for_emails(db, ",".join(f"p{n}@example.org" for n in range(21)))


def test_the_viewers_own_reactions_are_told_apart(
    db: Session, cast: Cast, settings: Settings
) -> None:
    shoutout = _give(db, settings, cast.lead, person_ids=[cast.member.id])
    service.react(db, cast.member, shoutout.id, "thanks")
    service.react(db, cast.other_member, shoutout.id, "🎉")
    db.refresh(shoutout)
    assert service.reactions_of(shoutout, cast.member.id) == {"thanks"}
    assert service.reactions_of(shoutout, cast.lead.id) == set()


def test_the_audit_trail_names_the_admin_and_keeps_the_hidden_shout_out(
    db: Session, cast: Cast, settings: Settings
) -> None:
    shoutout = _give(db, settings, cast.lead, "Oops", person_ids=[cast.member.id])
    service.hide(db, cast.admin, shoutout.id, "Sent by mistake")

    [entry] = audit.entries(db)

    assert entry.actor_id == cast.admin.id and entry.actor_label == cast.admin.name
    assert entry.target_label == f"shout-out {shoutout.id} from {cast.lead.name}"
    assert "Oops" not in entry.target_label  # the message never enters the log
    assert entry.reason == "Sent by mistake"


def test_paging_a_teams_feed_matches_the_brute_force_answer(db: Session, cast: Cast) -> None:
    rows = []
    for n in range(450):
        target = cast.member if n % 4 == 0 else cast.other_member  # Platform or Support
        shoutout = ShoutOut(
            sender_id=cast.admin.id,
            message=f"#{n}",
            message_hash=f"{n:064d}",
            pathway="trust",
            visibility="teams" if n % 5 == 0 else "everyone",
        )
        shoutout.recipients = [Recipient(person_id=target.id, recipient_team_id=target.team_id)]
        rows.append(shoutout)
    db.add_all(rows)
    db.flush()

    for viewer in (cast.lead, cast.other_member):
        for team in (cast.platform, cast.support):
            seen: list[int] = []
            cursor = None
            for _ in range(100):
                page, cursor = service.feed(
                    db, viewer, FeedFilter(team_id=team.id), before=cursor, limit=25
                )
                seen += [s.id for s in page]
                if cursor is None:
                    break
            expected = sorted(
                (
                    s.id
                    for s in rows
                    if s.recipients[0].recipient_team_id == team.id
                    and (s.visibility == "everyone" or viewer.team_id == team.id)
                ),
                reverse=True,
            )
            assert seen == expected
