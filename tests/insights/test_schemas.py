"""Published figures as typed models: rounded as shown in one place, checked on the way in
and out, and exported as CSV by named columns with formulas escaped."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.insights import publish, service
from connectwell.insights.models import PublishedFigure
from connectwell.insights.schemas import (
    PUBLISHED,
    ConstructFigure,
    PulseRoundFigures,
    stored,
    two_decimals,
    whole_percent,
)
from tests.insights.publishing import FLOOR, NOW, TODAY, pulse_round, respond, teams, varied

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1 from me", "-2 for the coffee",
           "@everyone look", "A plain comment, with a comma"]  # fmt: skip


def _publish(db: Session, comments: list[str] | None = None) -> None:
    _, platform, _ = teams(db)
    first = pulse_round(db, TODAY - dt.timedelta(days=35))
    second = pulse_round(db, TODAY - dt.timedelta(days=14))
    comments = comments or []
    for k in range(12):
        for row in (first, second):
            comment = comments[k] if k < len(comments) and row is second else ""
            respond(db, row, platform, varied(k, len(row.item_ids)), location="Berlin",
                    tenure="1-2 years", comment=comment)  # fmt: skip
    db.flush()
    publish.publish_due(db, floor=FLOOR, now=NOW)


def test_figures_are_rounded_as_shown_in_one_place() -> None:
    assert (two_decimals(3.845), two_decimals(1.3333333), two_decimals(-0.255)) == (
        3.85, 1.33, -0.26,
    )  # fmt: skip
    assert (whole_percent(49.5), whole_percent(66.666), whole_percent(0.4)) == (50, 67, 0)
    figure = ConstructFigure.model_validate(
        {"n": 7, "mean": 3.14159, "sd": 0.777, "ci_low": 2.5049, "ci_high": 3.7751,
         "favourable_pct": 43, "favourable_low": 16, "favourable_high": 75, "alpha": None,
         "alpha_low": None, "alpha_high": None, "alpha_n": None, "reliability": "x"}
    )  # fmt: skip
    assert (figure.mean, figure.sd, figure.ci_low, figure.ci_high) == (3.14, 0.78, 2.5, 3.78)


def test_it_stores_the_published_payload_and_reads_it_back_unchanged(db: Session) -> None:
    _publish(db)

    rows = list(db.scalars(select(PublishedFigure)))

    assert rows
    for row in rows:
        figures = PUBLISHED.validate_python(row.payload)
        assert figures.model_dump(mode="json") == row.payload
    view = service.insights(db, "org", name="Org")
    assert view is not None
    latest = view.constructs["trusting"].figure
    assert latest is not None and latest.location and latest.location[0].label == "Berlin"


def test_it_refuses_a_payload_that_does_not_fit_the_schema() -> None:
    good = PulseRoundFigures(name="Org", constructs={}, comments=[]).model_dump(mode="json")

    with pytest.raises(ValidationError):
        PUBLISHED.validate_python({**good, "constructs": {"play": {"mean": "high"}}})
    with pytest.raises(ValidationError):
        PUBLISHED.validate_python({**good, "window": "12 weeks"})
    with pytest.warns(UserWarning), pytest.raises(ValidationError):  # dumped, then refused
        stored(PulseRoundFigures.model_construct(**{**good, "constructs": {"x": {"n": "?"}}}))


def test_it_exports_columns_by_name_and_escapes_comments_that_look_like_formulas(
    db: Session,
) -> None:
    _publish(db, comments=[*HOSTILE, *(f"note {k}" for k in range(7))])
    view = service.insights(db, "org", name="The organisation")
    assert view is not None

    lines = list(csv.DictReader(io.StringIO(service.export_csv(view))))

    assert list(lines[0]) == list(service.COLUMNS)
    comments = {line["group"] for line in lines if line["section"] == "comment"}
    assert comments == {"'=HYPERLINK(\"http://evil.example\",\"x\")", "'+1 from me",
                        "'-2 for the coffee", "'@everyone look", "A plain comment, with a comma",
                        *(f"note {k}" for k in range(7))}  # fmt: skip
    score = next(line for line in lines if line["section"] == "score")
    figure = view.constructs[score["construct"]].figure
    assert figure is not None
    assert (score["n"], score["mean"], score["ci_low"]) == (
        str(figure.n), f"{figure.mean:.2f}", f"{figure.ci_low:.2f}",
    )  # fmt: skip
    trend = [line for line in lines if line["section"] == "trend"]
    assert [line["n"] for line in trend] == ["12", "12"]
    assert all(not line["n"].startswith("'") for line in lines)
