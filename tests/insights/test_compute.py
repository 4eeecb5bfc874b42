"""Insights: scores per scope, and nothing shown that would isolate fewer than the floor,
whatever the organisation and however the views are combined."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from connectwell.insights import compute, service
from connectwell.insights.models import InsightSnapshot
from connectwell.insights.schemas import ScopeInsights
from connectwell.people.models import Team
from connectwell.pulses import service as pulses
from connectwell.pulses.models import Answer, Item, Pulse, PulseRound, Response
from connectwell.pulses.schemas import PulseIn
from connectwell.stats import AnonymityPolicy, verify_disclosure

TODAY = dt.date(2026, 11, 26)
FLOOR = 5


def _round(db: Session, opens_on: dt.date, sequence: int = 0) -> PulseRound:
    pulse = db.scalar(select(Pulse)) or pulses.create_pulse(
        db, PulseIn(name="P", starts_on=opens_on), actor=None
    )
    row = PulseRound(
        pulse_id=pulse.id,
        opens_on=opens_on,
        closes_on=opens_on + dt.timedelta(7),
        sequence=sequence,
        item_ids=pulses.items_for_round(db, sequence),
    )
    db.add(row)
    db.flush()
    return row


def _respond(
    db: Session, row: PulseRound, team: Team | None, values: list[int], **extra: str
) -> None:
    response = Response(
        round_id=row.id,
        team_id=team.id if team else None,
        tenure_band=extra.get("tenure", ""),
        location=extra.get("location", ""),
        comment=extra.get("comment", ""),
    )
    response.answers = [
        Answer(item_id=i, value=v) for i, v in zip(row.item_ids, values, strict=False)
    ]
    db.add(response)


def _teams(db: Session) -> tuple[Team, Team, Team]:
    engineering = Team(name="Engineering")
    platform = Team(name="Platform", parent=engineering)
    payments = Team(name="Payments", parent=engineering)
    db.add_all([engineering, platform, payments])
    db.flush()
    return engineering, platform, payments


def check_payload(payload: ScopeInsights, floor: int = FLOOR) -> None:
    """Every figure in a stored payload stands for at least ``floor`` responses."""
    for entry in payload.constructs.values():
        assert entry.n >= floor
        for point in [*entry.trend, *entry.tenure, *entry.location]:
            assert point.n is None or point.n >= floor
            assert (point.n is None) == (point.mean is None)
    if payload.check_ins:
        assert payload.check_ins.n >= floor


def test_a_team_with_enough_responses_gets_scores_and_its_small_sibling_hides_both(
    db: Session,
) -> None:
    engineering, platform, payments = _teams(db)
    row = _round(db, TODAY - dt.timedelta(days=7))
    for _ in range(12):
        _respond(db, row, platform, [4, 5, 4, 2, 4])
    for _ in range(3):
        _respond(db, row, payments, [2, 2, 2, 4, 2])
    db.commit()

    scopes = compute.compute(db, today=TODAY, floor=FLOOR)

    for payload in scopes.values():
        check_payload(payload)
    assert scopes["org"].constructs and scopes[f"team:{engineering.id}"].constructs
    # Platform (12) would leave Payments' 3 exposed inside Engineering (15): both hidden.
    assert scopes[f"team:{platform.id}"].constructs == {}
    assert scopes[f"team:{payments.id}"].constructs == {}
    assert scopes[f"team:{platform.id}"].floor_hidden


def test_scores_reverse_code_and_count_respondents(db: Session) -> None:
    _engineering, platform, _ = _teams(db)
    row = _round(db, TODAY - dt.timedelta(days=3))
    reverse = {
        i.id: i.reverse_coded for i in db.scalars(select(Item).where(Item.id.in_(row.item_ids)))
    }
    for _ in range(6):
        _respond(db, row, platform, [5] * len(row.item_ids))
    db.commit()

    payload = compute.compute(db, today=TODAY, floor=FLOOR)["org"]

    construct_of = {i.id: i.construct.key for i in db.scalars(select(Item))}
    for key, entry in payload.constructs.items():
        items = [i for i in row.item_ids if construct_of[i] == key]
        expected = sum(1.0 if reverse[i] else 5.0 for i in items) / len(items)
        assert entry.n == 6 and entry.mean is not None and abs(entry.mean - expected) < 1e-9


def _with_means(means: dict[str, float]) -> ScopeInsights:
    """A scope whose constructs have these means (and nothing else to speak of)."""
    score = {"n": 5, "ci_low": None, "ci_high": None, "favourable_pct": None, "alpha": None,
             "alpha_n": 0, "trend": [], "tenure": [], "location": []}  # fmt: skip
    return ScopeInsights.model_validate(
        {"name": "Org", "since": TODAY, "until": TODAY, "check_ins": None, "floor_hidden": [],
         "network": None, "comments": [],
         "constructs": {key: {**score, "mean": mean} for key, mean in means.items()}}
    )  # fmt: skip


def test_the_weakest_pathway_gets_practices_that_link_to_features(db: Session) -> None:
    payload = _with_means({"play": 2.1, "trusting": 3.9, "vitality": 1.0})
    weakest, practices = service.what_to_try(payload)
    assert weakest == "play"
    assert practices and all(p.link.startswith("/") for p in practices)


def test_refresh_replaces_the_snapshots_and_csv_exports_only_shown_figures(db: Session) -> None:
    _engineering, platform, payments = _teams(db)
    row = _round(db, TODAY - dt.timedelta(days=7))
    for _ in range(6):
        _respond(db, row, platform, [4, 4, 4, 4, 4], location="Berlin")
    for _ in range(2):
        _respond(db, row, payments, [1, 1, 1, 1, 1], location="Paris")
    db.commit()

    count = compute.refresh(db, today=TODAY, floor=FLOOR)
    db.commit()

    assert count == db.query(InsightSnapshot).count() == 4
    payload = service.snapshot(db, "org")
    assert payload is not None
    text = service.export_csv(payload)
    assert "Paris" not in text  # 2 responses: never shown, not even in the export
    assert "Berlin" not in text  # its complement (Paris) would be exposed
    for line in text.splitlines()[1:]:
        assert int(line.split(",")[4]) >= FLOOR


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sizes=st.lists(st.lists(st.integers(0, 9), min_size=1, max_size=3), min_size=1, max_size=3),
    rounds=st.integers(1, 3),
    locations=st.lists(st.sampled_from(["London", "Berlin", ""]), min_size=1, max_size=3),
)
def test_no_combination_of_shown_views_isolates_fewer_than_the_floor(
    db: Session, sizes: list[list[int]], rounds: int, locations: list[str]
) -> None:
    """Random team trees (departments of sub-teams), rounds and locations: every shown group
    of every construct, together, passes the independent disclosure check."""
    for table in (Answer, Response, PulseRound, Team):
        db.execute(delete(table))
    db.flush()
    days = [TODAY - dt.timedelta(days=7 * k) for k in range(rounds)]
    round_rows = [_round(db, day, k) for k, day in enumerate(days)]
    k = 0
    for d, subteams in enumerate(sizes):
        department = Team(name=f"Dept {d}")
        db.add(department)
        for s, size in enumerate(subteams):
            team = Team(name=f"Team {d}.{s}", parent=department)
            db.add(team)
            db.flush()
            for person in range(size):
                for row in round_rows:
                    _respond(
                        db,
                        row,
                        team,
                        [1 + (k + j) % 5 for j in range(5)],
                        location=locations[(person + k) % len(locations)],
                    )
                    k += 1
    db.flush()

    shown: dict[str, list[frozenset[Hashable]]] = {}
    scopes = compute.compute(db, today=TODAY, floor=FLOOR, shown=shown)

    policy = AnonymityPolicy(floor=FLOOR)
    for construct, groups in shown.items():
        comments = construct == "comments"
        assert verify_disclosure(groups, policy, comments=comments) == [], construct
    for payload in scopes.values():
        check_payload(payload)
    db.rollback()


def test_comments_appear_only_from_ten_and_never_where_a_small_team_could_be_worked_out(
    db: Session,
) -> None:
    engineering, platform, payments = _teams(db)
    row = _round(db, TODAY - dt.timedelta(days=7))
    for k in range(10):
        _respond(db, row, platform, [4, 4, 4, 4, 4], comment=f"Platform note {k}")
    for k in range(3):
        _respond(db, row, payments, [4, 4, 4, 4, 4], comment=f"Payments note {k}")
    db.flush()

    scopes = compute.compute(db, today=TODAY, floor=FLOOR)

    assert len(scopes["org"].comments) == 13
    assert scopes["org"].comments == sorted(scopes["org"].comments)
    assert scopes[f"team:{engineering.id}"].comments  # all 13 are Engineering's
    assert scopes[f"team:{platform.id}"].comments == []  # would expose Payments' three
    assert scopes[f"team:{payments.id}"].comments == []


def test_nine_comments_are_never_shown(db: Session) -> None:
    _, platform, _ = _teams(db)
    row = _round(db, TODAY - dt.timedelta(days=7))
    for k in range(9):
        _respond(db, row, platform, [3, 3, 3, 3, 3], comment=f"note {k}")
    db.flush()

    assert compute.compute(db, today=TODAY, floor=FLOOR)["org"].comments == []
