"""/insights: leads see their teams, admins everything, members nothing; chart plus table."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.core.audit import AuditEntry
from connectwell.core.config import Settings
from connectwell.insights import compute
from connectwell.people.models import Person
from connectwell.pulses import counting
from connectwell.pulses import service as pulses
from connectwell.pulses.schemas import PulseAnswer, PulseIn
from tests.conftest import Cast
from tests.web.conftest import AsPerson, post_form

TODAY = dt.date.today()


def _platform_answers(db: Session, cast: Cast, settings: Settings, people: int = 7) -> None:
    """Seven people of Platform answer a pulse, counted as if it had closed; insights computed."""
    extra = [
        Person(email=f"p{k}@example.org", name=f"P {k}", team=cast.platform)
        for k in range(people - 2)
    ]
    db.add_all(extra)
    db.flush()
    pulse = pulses.create_pulse(
        db,
        PulseIn(name="Pulse", audience="teams", team_ids=[cast.platform.id], starts_on=TODAY),
        actor=None,
    )
    row = pulses.open_round(db, pulse, TODAY, actor=None)
    assert row is not None
    for k, person in enumerate([cast.lead, cast.member, *extra]):
        pulses.answer(
            db,
            person,
            row.id,
            PulseAnswer(answers={i: 1 + (k + j) % 5 for j, i in enumerate(row.item_ids)}),
            TODAY,
            settings=settings,
        )
    after = dt.datetime.combine(row.closes_on + dt.timedelta(days=1), dt.time(), dt.UTC)
    counting.count_round(db, settings, row, floor=5, now=after)
    compute.refresh(db, today=TODAY, floor=5)
    db.commit()


def test_a_lead_sees_their_teams_scores_as_a_chart_and_a_table(
    as_person: AsPerson, db: Session, cast: Cast, settings: Settings
) -> None:
    _platform_answers(db, cast, settings)
    client = as_person(cast.lead)

    home = client.get("/insights")
    page = client.get(f"/insights/teams/{cast.platform.id}")

    assert (
        home.status_code == 303
        and home.headers["location"] == f"/insights/teams/{cast.platform.id}"
    )
    assert page.status_code == 200
    assert "<svg" in page.text and "<caption>Scores by construct</caption>" in page.text
    assert '<th scope="row">Positive regard</th>' in page.text  # the first pulse's construct
    csv_text = client.get(f"/insights/teams/{cast.platform.id}/export.csv").text
    assert csv_text.splitlines()[0].startswith("scope,section,construct")
    assert all(int(line.split(",")[4]) >= 5 for line in csv_text.splitlines()[1:])


def test_members_and_leads_of_other_teams_cannot_see_a_teams_insights(
    as_person: AsPerson, db: Session, cast: Cast, settings: Settings
) -> None:
    _platform_answers(db, cast, settings)

    assert as_person(cast.member).get("/insights").status_code == 403
    assert as_person(cast.member).get(f"/insights/teams/{cast.platform.id}").status_code == 403
    assert as_person(cast.lead).get(f"/insights/teams/{cast.support.id}").status_code == 403
    assert as_person(cast.lead).get("/insights/org").status_code == 403


def test_an_admin_sees_the_organisation_and_recomputes(
    as_person: AsPerson, db: Session, cast: Cast, settings: Settings
) -> None:
    _platform_answers(db, cast, settings)
    client = as_person(cast.admin)

    page = client.get("/insights/org")
    again = post_form(client, "/insights/refresh")

    assert page.status_code == 200 and "The organisation" in page.text
    assert again.status_code == 303


def test_recomputing_by_hand_is_audited_as_the_admin(
    as_person: AsPerson, db: Session, cast: Cast, settings: Settings
) -> None:
    _platform_answers(db, cast, settings)  # the nightly computation (no one to credit): not audited

    response = post_form(as_person(cast.admin), "/insights/refresh")

    assert response.status_code == 303
    db.expire_all()
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.target_type == "insights")).all()
    assert (entry.actor_id, entry.action) == (cast.admin.id, "insights.refresh")
    assert entry.action_words == "recomputed the insights by hand"


def test_a_team_under_the_floor_shows_no_score(
    as_person: AsPerson, db: Session, cast: Cast, settings: Settings
) -> None:
    _platform_answers(db, cast, settings, people=4)

    page = as_person(cast.lead).get(f"/insights/teams/{cast.platform.id}")

    assert "No score can be shown" in page.text and "<svg" not in page.text


def test_my_connections_lists_only_the_viewers_own(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    from tests.insights.test_network import _appreciate

    _appreciate(db, cast.lead, cast.member)
    db.commit()

    mine = as_person(cast.member).get("/me/connections")
    theirs = as_person(cast.other_member).get("/me/connections")

    assert "Lee Lead" in mine.text and "appreciated you" in mine.text
    assert "Lee Lead" not in theirs.text and "No connections yet" in theirs.text


def test_what_to_try_next_shows_each_suggestion_with_its_evidence_in_small_text() -> None:
    from markupsafe import escape

    from connectwell.insights.practices import PRACTICES
    from connectwell.web.templating import templates

    block = templates.env.get_template("insights/_practices.html").render(
        weakest="play", practices=PRACTICES["play"]
    )
    nothing = templates.env.get_template("insights/_practices.html").render(
        weakest=None, practices=()
    )

    assert "What to try next" in block and "<strong>Play</strong>" in block
    for practice in PRACTICES["play"]:
        assert f'<a href="{practice.link}">' in block
        assert "Evidence: " + str(escape(practice.evidence.text)) in block
    assert "<small" in block and nothing.strip() == ""
