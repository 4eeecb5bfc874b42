"""People and teams: profiles, pauses, who leads what, and what is stored about a person."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.people import service as people
from connectwell.people.models import Person, Team, TeamLead
from connectwell.people.schemas import PauseIn, ProfileUpdate
from tests.conftest import Cast

TODAY = dt.date(2026, 11, 26)


def test_a_person_writes_their_bio_and_interests(db: Session, cast: Cast) -> None:
    people.update_profile(
        db, cast.member, ProfileUpdate(bio="Hi!", interests=["chess", "jazz", "chess"])
    )
    db.commit()
    db.expire_all()
    stored = db.get(Person, cast.member.id)
    assert stored is not None
    assert (stored.bio, stored.interest_list) == ("Hi!", ["chess", "jazz"])


def test_interests_may_not_smuggle_the_separator(db: Session) -> None:
    with pytest.raises(ValueError, match="interest"):
        ProfileUpdate(interests=["a;b"])


def test_a_pause_runs_up_to_and_including_its_date(db: Session, cast: Cast) -> None:
    people.pause(db, cast.member, PauseIn(until=TODAY + dt.timedelta(days=14)), today=TODAY)

    assert cast.member.is_paused(TODAY + dt.timedelta(days=14))
    assert not cast.member.is_paused(TODAY + dt.timedelta(days=15))
    people.resume(db, cast.member)
    assert not cast.member.is_paused(TODAY)


@pytest.mark.parametrize(
    ("until", "message"),
    [(TODAY - dt.timedelta(days=1), "today or later"), (TODAY + dt.timedelta(days=400), "year")],
)
def test_it_refuses_a_pause_in_the_past_or_longer_than_a_year(
    db: Session, cast: Cast, until: dt.date, message: str
) -> None:
    with pytest.raises(people.PeopleError) as refused:
        people.pause(db, cast.member, PauseIn(until=until), today=TODAY)
    assert refused.value.field == "until" and message in refused.value.message
    assert cast.member.paused_until is None


def test_a_lead_leads_the_teams_nested_under_their_team(db: Session, cast: Cast) -> None:
    squad = Team(name="Squad", parent=cast.platform)
    db.add(squad)
    db.flush()

    assert people.led_team_ids(db, cast.lead.id) == {cast.platform.id, squad.id}
    assert people.led_team_ids(db, cast.member.id) == set()


def test_an_admin_sets_a_teams_leads_by_email_and_unknown_emails_are_named(
    db: Session, cast: Cast
) -> None:
    people.set_team_leads_by_email(db, cast.support, ["NOAH.member@example.org"], actor=cast.admin)
    db.commit()
    leads = db.scalars(select(TeamLead.person_id).where(TeamLead.team_id == cast.support.id))
    assert list(leads) == [cast.other_member.id]

    with pytest.raises(people.PeopleError) as unknown:
        people.set_team_leads_by_email(db, cast.support, ["ghost@example.org"], actor=cast.admin)
    assert unknown.value.field == "emails" and "ghost@example.org" in unknown.value.message


def test_team_paths_name_each_team_with_its_parents(db: Session, cast: Cast) -> None:
    paths = people.team_paths(db)
    assert paths[cast.platform.id] == "Engineering > Platform"
    assert paths[cast.support.id] == "Customer > Support"


def test_the_directory_pages_by_id_and_hides_people_who_left(db: Session, cast: Cast) -> None:
    cast.other_member.is_active = False
    db.flush()

    first = people.list_people(db, limit=2)
    rest = people.list_people(db, after_id=first[-1].id, limit=2)

    assert [p.name for p in first + rest] == ["Ada Admin", "Lee Lead", "Mia Member"]
    assert [p.name for p in people.list_people(db, query="MIA")] == ["Mia Member"]


def test_what_is_stored_about_a_person_covers_every_profile_field(db: Session, cast: Cast) -> None:
    stored = people.stored_about(db, cast.lead)
    assert stored["leads_teams"] == ["Engineering > Platform"]
    assert stored["manager"] == cast.admin.email
    # Every column is there, under its own name (ids are shown as the team path and e-mail).
    renamed = {"team_id": "team", "manager_id": "manager", "is_active": "active"}
    columns = {renamed.get(c.name, c.name) for c in Person.__table__.columns}
    assert columns <= set(stored)


def test_a_person_sets_their_working_hours_and_half_a_pair_is_refused(
    db: Session, cast: Cast
) -> None:
    people.update_profile(
        db, cast.member, ProfileUpdate(work_start=dt.time(7, 30), work_end=dt.time(15, 30))
    )
    assert (cast.member.work_start, cast.member.work_end) == (dt.time(7, 30), dt.time(15, 30))
    with pytest.raises(ValueError, match=r"work_end: Enter the end of your working hours too."):
        ProfileUpdate(work_start=dt.time(8))
    with pytest.raises(ValueError, match=r"work_start: Enter the start of your working hours too."):
        ProfileUpdate(work_end=dt.time(8))
    with pytest.raises(
        ValueError, match=r"work_end: The end of your working hours must differ from the start."
    ):
        ProfileUpdate(work_start=dt.time(8), work_end=dt.time(8))
