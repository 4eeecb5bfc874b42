"""/me/appreciation and /teams/{id}/appreciation: breadth for oneself, counts for leads."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.people.models import Team, TeamLead
from tests.conftest import Cast
from tests.web.conftest import AsPerson, add_people
from tests.web.shoutouts_setup import give


def _cells(page: str) -> list[str]:
    return re.findall(r"<td>(\d+)</td>", page)


def test_a_member_sees_their_own_breadth_and_no_ranking(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    give(db, settings, cast.member, "Thanks Noah", person_ids=[cast.other_member.id])
    give(db, settings, cast.member, "Thanks Lee", person_ids=[cast.lead.id])
    give(db, settings, cast.other_member, "Thanks Mia", person_ids=[cast.member.id])

    page = as_person(cast.member).get("/me/appreciation")

    assert page.status_code == 200
    # appreciated 2 people in 2 teams; appreciated by 1 person from 1 team
    assert _cells(page.text) == ["2", "2", "1", "1"]
    assert "no leaderboard" in page.text
    assert "Noah" not in page.text and "Lee Lead" not in page.text


def test_a_lead_sees_team_counts_and_a_nudge_without_names(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    quiet = add_people(db, cast.platform, 3, prefix="quiet")
    give(db, settings, cast.other_member, "Thanks Mia", person_ids=[cast.member.id])
    give(db, settings, cast.member, "Thanks Noah", person_ids=[cast.other_member.id])

    page = as_person(cast.lead).get(f"/teams/{cast.platform.id}/appreciation")

    assert page.status_code == 200
    # given 1 (1 across teams); received 1 (1 from other teams)
    assert _cells(page.text) == ["1", "1", "1", "1"]
    # Lee and the three quiet people: 4 of the 5 have not been appreciated
    assert "4 of the team's 5 people have not been appreciated in the last 30 days" in page.text
    assert f'href="/shoutouts?to_team={cast.platform.id}#give"' in page.text
    for person in [*quiet, cast.member, cast.lead]:
        assert person.name not in page.text.split("<main", 1)[1].split("</main>")[0]


def test_a_team_shout_out_counts_for_everyone_in_it(
    db: Session, cast: Cast, settings: Settings, as_person: AsPerson
) -> None:
    give(db, settings, cast.other_member, "Well done, Platform", team_ids=[cast.platform.id])

    page = as_person(cast.lead).get(f"/teams/{cast.platform.id}/appreciation")

    assert "Everyone in the team has been appreciated in the last 30 days." in page.text


def test_a_lead_of_a_parent_team_and_an_admin_see_it_but_members_and_other_leads_do_not(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    assert cast.platform.parent_id is not None
    engineering = db.get(Team, cast.platform.parent_id)
    assert engineering is not None
    db.add(TeamLead(team_id=engineering.id, person_id=cast.other_member.id))
    db.commit()
    path = f"/teams/{cast.platform.id}/appreciation"

    assert as_person(cast.other_member).get(path).status_code == 200  # leads Engineering
    assert as_person(cast.admin).get(path).status_code == 200
    assert as_person(cast.lead).get(path).status_code == 200
    refused = as_person(cast.member).get(path)
    assert refused.status_code == 403 and "only the team&#39;s leads and admins" in refused.text
    assert as_person(cast.lead).get(f"/teams/{cast.support.id}/appreciation").status_code == 403
    assert as_person(cast.admin).get("/teams/99999/appreciation").status_code == 404


def test_the_team_page_links_its_leads_to_the_appreciation_view(
    cast: Cast, as_person: AsPerson
) -> None:
    link = f'href="/teams/{cast.platform.id}/appreciation"'

    assert link in as_person(cast.lead).get(f"/teams/{cast.platform.id}").text
    assert link not in as_person(cast.member).get(f"/teams/{cast.platform.id}").text
