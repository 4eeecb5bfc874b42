"""The insight figures as typed models: stored and read through the schema, unchanged, and
exported as CSV by named columns with formulas escaped."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from connectwell.insights import compute, service
from connectwell.insights.models import InsightSnapshot
from connectwell.insights.schemas import ScopeInsights, Snapshot
from tests.insights.test_compute import FLOOR, TODAY, _respond, _round, _teams

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1 from me", "-2 for the coffee",
           "@everyone look", "A plain comment, with a comma"]  # fmt: skip


def _stored(db: Session) -> dict[str, dict]:  # type: ignore[type-arg]
    db.expire_all()
    return {row.scope: row.payload for row in db.scalars(select(InsightSnapshot))}


def _answers(db: Session, comments: list[str] | None = None) -> None:
    _, platform, _ = _teams(db)
    first = _round(db, TODAY - dt.timedelta(days=35))
    second = _round(db, TODAY - dt.timedelta(days=7), sequence=1)
    comments = comments or []
    for k in range(12):
        for row in (first, second):
            comment = comments[k] if k < len(comments) and row is second else ""
            _respond(db, row, platform, [1 + (k + j) % 5 for j in range(5)], location="Berlin",
                     tenure="1-2 years", comment=comment)  # fmt: skip
    db.flush()


def test_it_stores_what_the_computation_produced_and_reads_it_back_unchanged(
    db: Session,
) -> None:
    _answers(db)
    scopes = compute.compute(db, today=TODAY, floor=FLOOR)

    compute.store(db, scopes, today=TODAY, weeks=12)
    stored = _stored(db)

    assert set(stored) == set(scopes)
    for scope, payload in stored.items():
        assert payload == scopes[scope].model_dump(mode="json")
        assert ScopeInsights.model_validate(payload).model_dump(mode="json") == payload
        read = service.snapshot(db, scope)
        assert isinstance(read, Snapshot)
        assert read.model_dump(mode="json", exclude={"computed_at"}) == payload
    org = stored["org"]
    assert org["since"] == (TODAY - dt.timedelta(weeks=12)).isoformat()
    assert {"n", "mean", "ci_low", "alpha", "alpha_n", "trend", "location"} <= set(
        org["constructs"]["positive_regard"]
    )


def test_it_refuses_a_stored_payload_that_does_not_fit_the_schema(db: Session) -> None:
    _answers(db)
    compute.refresh(db, today=TODAY, floor=FLOOR)
    broken = {**_stored(db)["org"], "constructs": {"play": {"mean": "high"}}}
    db.execute(update(InsightSnapshot).where(InsightSnapshot.scope == "org").values(payload=broken))

    with pytest.raises(ValidationError):
        service.snapshot(db, "org")
    with pytest.warns(UserWarning), pytest.raises(ValidationError):  # dumped, then refused
        compute.store(db, {"org": ScopeInsights.model_construct(**broken)}, today=TODAY, weeks=12)


def test_it_exports_columns_by_name_and_escapes_comments_that_look_like_formulas(
    db: Session,
) -> None:
    _answers(db, comments=[*HOSTILE, *(f"note {k}" for k in range(7))])
    compute.refresh(db, today=TODAY, floor=FLOOR)
    payload = service.snapshot(db, "org")
    assert payload is not None

    text = service.export_csv(payload)

    lines = list(csv.DictReader(io.StringIO(text)))
    assert list(lines[0]) == list(service.COLUMNS)
    comments = {line["group"] for line in lines if line["section"] == "comment"}
    assert comments == {"'=HYPERLINK(\"http://evil.example\",\"x\")", "'+1 from me",
                        "'-2 for the coffee", "'@everyone look", "A plain comment, with a comma",
                        *(f"note {k}" for k in range(7))}  # fmt: skip
    score = next(line for line in lines if line["section"] == "score")
    entry = payload.constructs[score["construct"]]
    assert score["scope"] == "The organisation" and score["group"] == "all"
    assert (score["n"], score["mean"], score["alpha_n"]) == (
        str(entry.n), f"{entry.mean:.3f}", str(entry.alpha_n),
    )  # fmt: skip
    key = score["construct"]
    trend = [x for x in lines if x["section"] == "trend" and x["construct"] == key]
    assert trend and all(line["ci_low"] == line["alpha"] == "" for line in trend)
    assert {line["group"] for line in trend} == {p.period.isoformat() for p in entry.trend}
    assert any(line["section"] == "location" and line["group"] == "Berlin" for line in lines)
    assert all(not line["n"].startswith("'") for line in lines)


def test_it_writes_a_negative_figure_as_a_number_not_an_escaped_formula() -> None:
    payload = ScopeInsights.model_validate(
        {"name": "-Ops", "since": TODAY, "until": TODAY, "check_ins": None, "floor_hidden": [],
         "network": None, "comments": [],
         "constructs": {"play": {"n": 5, "mean": 1.2, "ci_low": -0.25, "ci_high": 2.65,
                                 "favourable_pct": 0.0, "alpha": -0.1, "alpha_n": 5,
                                 "trend": [], "tenure": [], "location": []}}}
    )  # fmt: skip

    [line] = list(csv.DictReader(io.StringIO(service.export_csv(payload))))

    assert (line["scope"], line["ci_low"], line["alpha"]) == ("'-Ops", "-0.250", "-0.100")
