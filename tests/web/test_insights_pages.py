"""/insights: leads see their teams, admins everything, members nothing; published figures
with a chart and the table beside it, in plain words."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.core.audit import AuditEntry
from connectwell.insights import publish
from connectwell.insights.models import Publication
from connectwell.pulses.models import PulseRound
from tests.conftest import Cast
from tests.insights.publishing import pulse_round, respond, varied
from tests.web.conftest import AsPerson, post_form

OPENS_ON = dt.date(2026, 11, 3)
NOW = dt.datetime(2026, 11, 12, 6, tzinfo=dt.UTC)


def _platform_answers(
    db: Session, cast: Cast, people: int = 7, *, counted: bool = True
) -> PulseRound:
    """``people`` answers from Platform to the pulse of 3 November (closed 10 November),
    counted and published."""
    row = pulse_round(db, OPENS_ON, ("trusting",), counted=counted)
    for k in range(people):
        respond(db, row, cast.platform, varied(k, len(row.item_ids)))
    db.flush()
    if counted:
        publish.publish_due(db, floor=5, now=NOW)
    db.commit()
    return row


def test_a_lead_sees_their_teams_published_scores_as_a_chart_and_a_table(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    _platform_answers(db, cast)
    client = as_person(cast.lead)

    home = client.get("/insights")
    page = client.get(f"/insights/teams/{cast.platform.id}")

    assert (
        home.status_code == 303
        and home.headers["location"] == f"/insights/teams/{cast.platform.id}"
    )
    assert page.status_code == 200
    assert "<svg" in page.text and "Latest published score of each construct" in page.text
    assert '<th scope="row">Trusting</th>' in page.text
    assert "asked in the pulse of 3 November 2026, closed 10 November 2026" in page.text
    assert "not enough answers to judge reliability" in page.text  # 7 answers: no alpha
    assert "the first published round that asked it" in page.text
    csv_text = client.get(f"/insights/teams/{cast.platform.id}/export.csv").text
    lines = list(csv.DictReader(io.StringIO(csv_text)))
    assert lines and all(int(line["n"]) >= 5 for line in lines)
    score = next(line for line in lines if line["section"] == "score")
    assert f"{score['mean']} ({score['ci_low']} to {score['ci_high']})" in page.text


def test_the_page_the_api_and_the_csv_give_the_same_numbers(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    _platform_answers(db, cast)
    client = as_person(cast.admin)

    body = client.get("/api/v1/insights/org").json()
    page = client.get("/insights/org").text
    lines = list(csv.DictReader(io.StringIO(client.get("/insights/org.csv").text)))

    figure = body["constructs"]["trusting"]["figure"]
    score = next(line for line in lines if line["section"] == "score")
    shown = f"{figure['mean']:.2f} ({figure['ci_low']:.2f} to {figure['ci_high']:.2f})"
    assert shown in page
    assert (score["mean"], score["ci_low"], score["ci_high"]) == (
        f"{figure['mean']:.2f}", f"{figure['ci_low']:.2f}", f"{figure['ci_high']:.2f}",
    )  # fmt: skip
    assert figure["mean"] == round(figure["mean"], 2)  # the API: no more precision than shown
    assert f"{figure['favourable_pct']}% ({figure['favourable_low']}% to" in page


def test_the_page_the_api_and_the_csv_show_the_same_team_comparison_in_plain_words(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    row = pulse_round(db, OPENS_ON, ("trusting",))
    for k in range(7):
        respond(db, row, cast.platform, varied(k, len(row.item_ids)))
        respond(db, row, cast.support, varied(k + 2, len(row.item_ids)))
    db.flush()
    publish.publish_due(db, floor=5, now=NOW)
    db.commit()
    client = as_person(cast.admin)

    body = client.get("/api/v1/insights/org").json()
    page = client.get("/insights/org").text
    lines = list(csv.DictReader(io.StringIO(client.get("/insights/org.csv").text)))

    teams = body["constructs"]["trusting"]["figure"]["teams"]
    assert [(t["name"], t["n"]) for t in teams["teams"]] == [("Customer", 7), ("Engineering", 7)]
    assert "How the teams below compare" in page
    assert "pulled towards the overall mean in proportion to how little its answers say" in page
    assert "Share of the differences in answers that lies between teams" in page
    assert "How reliably the teams' means can be told apart (ICC(2), 0 to 1; under 0.7: " \
        "treat differences with care)" in html.unescape(page)  # fmt: skip
    rows = {line["group"]: line for line in lines if line["section"] == "teams"}
    assert set(rows) == {"all teams", "Customer", "Engineering"}
    for icc in ("icc1", "icc2"):
        assert f"{teams[icc]:.2f}" in page and rows["all teams"][icc] == f"{teams[icc]:.2f}"
    for team in teams["teams"]:
        shown = f"{team['mean']:.2f} ({team['ci_low']:.2f} to {team['ci_high']:.2f})"
        assert shown in page
        line = rows[team["name"]]
        assert (line["mean"], line["shrunken_mean"], line["ci_low"], line["ci_high"]) == (
            f"{team['raw_mean']:.2f}", f"{team['mean']:.2f}", f"{team['ci_low']:.2f}",
            f"{team['ci_high']:.2f}",
        )  # fmt: skip


def test_an_open_round_shows_nothing(as_person: AsPerson, db: Session, cast: Cast) -> None:
    _platform_answers(db, cast, counted=False)

    page = as_person(cast.admin).get("/insights/org")

    assert "No results have been published yet" in page.text and "<svg" not in page.text


def test_members_and_leads_of_other_teams_cannot_see_a_teams_insights(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    _platform_answers(db, cast)

    assert as_person(cast.member).get("/insights").status_code == 403
    assert as_person(cast.member).get(f"/insights/teams/{cast.platform.id}").status_code == 403
    assert as_person(cast.lead).get(f"/insights/teams/{cast.support.id}").status_code == 403
    assert as_person(cast.lead).get("/insights/org").status_code == 403


def test_an_admin_publishes_closed_rounds_by_hand_and_it_is_audited(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    row = _platform_answers(db, cast, counted=False)
    row.counted_at = NOW
    db.commit()

    response = post_form(as_person(cast.admin), "/insights/publish")
    again = post_form(as_person(cast.admin), "/insights/publish")

    assert response.status_code == again.status_code == 303
    assert response.headers["location"] == "/insights/org?published=1"
    assert again.headers["location"] == "/insights/org?published=0"
    db.expire_all()
    assert len(db.scalars(select(Publication)).all()) == 1
    entries = db.scalars(select(AuditEntry).where(AuditEntry.target_type == "insights")).all()
    assert [(e.actor_id, e.action) for e in entries] == [(cast.admin.id, "insights.publish")] * 2
    assert entries[0].action_words == "published closed rounds by hand"


def test_a_team_under_the_floor_shows_no_score(
    as_person: AsPerson, db: Session, cast: Cast
) -> None:
    _platform_answers(db, cast, people=4)

    page = as_person(cast.lead).get(f"/insights/teams/{cast.platform.id}")

    assert "hidden here" in page.text and "<svg" not in page.text


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
