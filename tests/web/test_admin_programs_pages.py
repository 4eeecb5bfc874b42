"""/admin/programs: set a programme up, run a round, see the rounds in aggregate."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.programs.models import Program, ProgramTeam, Round
from tests.conftest import Cast
from tests.web.conftest import AsPerson, post_form
from tests.web.programs_setup import (
    ROUND_ON,
    check_ins_answered,
    coffee,
    publish_check_ins,
)

FORM = {
    "name": "Cross-team coffee",
    "kind": "coffee",
    "group_size": "2",
    "audience": "teams",
    "team_ids": "",
    "cadence": "weekly",
    "weekday": "0",
    "local_hour": "9",
    "starts_on": "2026-12-01",
    "team_mix": "across",
    "no_repeat_weeks": "26",
    "min_overlap_hours": "1",
}


def test_an_admin_creates_a_programme_for_chosen_teams(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    response = post_form(
        as_person(cast.admin), "/admin/programs", {**FORM, "team_ids": str(cast.platform.id)}
    )

    assert response.status_code == 303
    program = db.scalar(select(Program))
    assert program is not None and response.headers["location"] == f"/admin/programs/{program.id}"
    assert (program.name, program.audience, program.cadence) == (
        "Cross-team coffee",
        "teams",
        "weekly",
    )
    assert db.scalars(select(ProgramTeam.team_id)).all() == [cast.platform.id]


def test_a_bad_programme_is_refused_naming_each_field_and_nothing_is_created(
    db: Session, cast: Cast, as_person
) -> None:
    bad = {**FORM, "name": "", "local_hour": "25", "starts_on": "someday"}

    response = post_form(as_person(cast.admin), "/admin/programs", bad)

    assert response.status_code == 422
    expected = {
        "name": "Enter the name.",
        "local_hour": "The hour must be 23 or less.",
        "starts_on": "The first day must be a date, like 2026-03-31.",
    }
    for field, message in expected.items():
        assert f'<p class="field-error" id="{field}-error">{message}</p>' in response.text
        assert f"{field}:" not in response.text
    assert 'id="local_hour" name="local_hour" value="25"' in response.text
    no_teams = post_form(as_person(cast.admin), "/admin/programs", FORM)
    assert no_teams.status_code == 422
    assert 'id="team_ids-error">choose at least one team for a teams audience</p>' in no_teams.text
    assert "team_ids:" not in no_teams.text
    assert db.scalar(select(func.count()).select_from(Program)) == 0


def test_running_a_round_from_the_page_runs_it_once(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    program = coffee(db)
    client = as_person(cast.admin)

    first = post_form(client, f"/admin/programs/{program.id}/run", {"round_on": "2026-11-30"})
    second = post_form(client, f"/admin/programs/{program.id}/run", {"round_on": "2026-11-30"})

    assert first.headers["location"].endswith("?round=ran")
    assert second.headers["location"].endswith("?round=exists")
    assert db.scalar(select(func.count()).select_from(Round)) == 1


def test_a_round_date_that_is_not_a_date_shows_the_page_again_with_it_beside_the_field(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    program = coffee(db)

    response = post_form(
        as_person(cast.admin), f"/admin/programs/{program.id}/run", {"round_on": "30.11.2026"}
    )

    assert response.status_code == 422
    page = response.text
    assert f"<h1>{program.name}</h1>" in page  # the programme's page, not the error page
    assert (
        '<p class="field-error" id="round_on-error">'
        "The date of the round must be a date, like 2026-03-31.</p>"
    ) in page
    assert 'id="round_on" name="round_on" value="30.11.2026" type="date"' in page
    assert 'aria-invalid="true" aria-describedby="round_on-error"' in page
    assert db.scalar(select(func.count()).select_from(Round)) == 0


def test_the_overview_shows_no_check_in_figure_before_publication_and_the_published_after(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    program = coffee(db)
    row = check_ins_answered(db, cast, program, 6)
    client = as_person(cast.admin)

    before = client.get(f"/admin/programs/{program.id}").text
    publish_check_ins(db, row)
    after = client.get(f"/admin/programs/{program.id}").text
    api = client.get(f"/api/v1/programs/{program.id}/rounds").json()

    closes = (ROUND_ON + dt.timedelta(days=21)).strftime("%-d %B %Y")
    assert f"check-ins close on {closes}; figures are published after that" in before
    rows = before.split("<tbody>")[1].split("</tbody>")[0]
    assert "4.17" not in rows and "%" not in rows  # no mean, no met share while open
    figures = api[0]["check_ins"]["figures"]
    regard = figures["positive_regard"]
    assert regard["mean"] == 4.17  # 25 / 6, to 2 decimals: the page's precision
    assert f"4.17 ({regard['ci_low']:.2f} to {regard['ci_high']:.2f})" in after
    assert f"{figures['met_pct']}% of {figures['met_n']}" in after


def test_the_overview_hides_check_ins_and_the_met_share_below_the_floor(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    program = coffee(db)
    row = check_ins_answered(db, cast, program, 3)
    publish_check_ins(db, row)

    page = as_person(cast.admin).get(f"/admin/programs/{program.id}").text
    [summary] = as_person(cast.admin).get(f"/api/v1/programs/{program.id}/rounds").json()

    assert "fewer than 5 check-ins: not shown" in page and "said they met (" not in page
    assert summary["check_ins"]["status"] == "hidden" and summary["check_ins"]["figures"] is None
    assert ROUND_ON.strftime("%-d %b %Y") in page


def test_an_admin_stops_and_restarts_a_programme(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    program = coffee(db)
    client = as_person(cast.admin)

    post_form(client, f"/admin/programs/{program.id}/active")
    db.expire_all()
    assert db.get(Program, program.id).is_active is False  # type: ignore[union-attr]
    post_form(client, f"/admin/programs/{program.id}/active", {"active": "true"})
    db.expire_all()
    assert db.get(Program, program.id).is_active is True  # type: ignore[union-attr]


def test_members_and_leads_cannot_reach_programme_administration(
    db: Session, cast: Cast, as_person
) -> None:
    program = coffee(db)
    for person in (cast.member, cast.lead):
        client = as_person(person)
        assert client.get("/admin/programs").status_code == 403
        assert client.get(f"/admin/programs/{program.id}").status_code == 403
        assert (
            post_form(
                client, f"/admin/programs/{program.id}/run", {"round_on": "2026-11-30"}
            ).status_code
            == 403
        )
    assert db.scalar(select(func.count()).select_from(Round)) == 0
