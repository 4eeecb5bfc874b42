"""Publishing a closed, counted round once: never changed, gated by the disclosure ledger,
rounded as shown; and every attack of issue 9 on the insights figures recovers nothing."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections import defaultdict
from collections.abc import Hashable

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from connectwell.insights import publish, service
from connectwell.insights.models import LedgerEntry, Publication, PublishedFigure
from connectwell.insights.schemas import NO_RELIABILITY, PUBLISHED, PulseRoundFigures
from connectwell.people.models import Team
from connectwell.pulses.bank import LOWER_IS_BETTER
from connectwell.stats import AnonymityPolicy, verify_disclosure
from tests.insights.publishing import (
    FLOOR,
    NOW,
    TODAY,
    pulse_round,
    respond,
    teams,
    varied,
)

POLICY = AnonymityPolicy(floor=FLOOR)


def _rows(db: Session) -> dict[tuple[int, str], dict[str, object]]:
    db.expire_all()
    return {
        (row.publication_id, row.scope): row.payload for row in db.scalars(select(PublishedFigure))
    }


def _ledger(db: Session) -> dict[tuple[str, str], list[frozenset[Hashable]]]:
    found: dict[tuple[str, str], list[frozenset[Hashable]]] = defaultdict(list)
    for entry in db.scalars(select(LedgerEntry).order_by(LedgerEntry.id)):
        found[(entry.universe, entry.measure)].append(frozenset(entry.members))
    return found


def _figures(db: Session, scope: str) -> PulseRoundFigures:
    [payload] = [p for (_, s), p in _rows(db).items() if s == scope]
    figures = PUBLISHED.validate_python(payload)
    assert isinstance(figures, PulseRoundFigures)
    return figures


# --- publish once, never change -----------------------------------------------------------


def test_it_publishes_a_counted_round_once_and_a_late_answer_changes_nothing(db: Session) -> None:
    _, platform, _ = teams(db)
    row = pulse_round(db, TODAY - dt.timedelta(days=14))
    for k in range(12):
        respond(db, row, platform, varied(k, len(row.item_ids)), comment=f"note {k}")
    db.flush()

    first = publish.publish_pulse_round(db, row, floor=FLOOR, now=NOW)
    before = _rows(db)
    respond(db, row, platform, 1, comment="the late one")  # arrives after publication
    db.flush()
    again = publish.publish_pulse_round(db, row, floor=FLOOR, now=NOW + dt.timedelta(hours=1))
    later = [
        publish.publish_due(db, floor=FLOOR, now=NOW + dt.timedelta(days=d)) for d in range(1, 4)
    ]

    assert first is not None and again is None and later == [[], [], []]
    assert _rows(db) == before
    assert db.scalar(select(Publication.id).where(Publication.source_id == row.id)) == first.id
    # 8 x new mean - 7 x old mean needs a second figure of the same group: there is none.
    assert len([scope for (_, scope) in _rows(db) if scope == "org"]) == 1
    org = _figures(db, "org")
    assert org.constructs["trusting"].n == 12
    assert "the late one" not in org.comments and len(org.comments) == 12  # no new comment


def test_it_refuses_a_round_that_has_not_been_counted(db: Session) -> None:
    row = pulse_round(db, TODAY - dt.timedelta(days=3), counted=False)
    for k in range(6):
        respond(db, row, None, varied(k, len(row.item_ids)))
    db.flush()

    with pytest.raises(publish.PublishError) as refused:
        publish.publish_pulse_round(db, row, floor=FLOOR, now=NOW)

    assert refused.value.field == "round"
    assert publish.publish_due(db, floor=FLOOR, now=NOW) == []
    assert db.scalars(select(Publication)).all() == []


def test_figures_of_a_scope_are_the_same_on_consecutive_days(db: Session) -> None:
    """The rolling-window attack: consecutive days give zero pairs of differing figures."""
    _, platform, payments = teams(db)
    rounds = [pulse_round(db, TODAY - dt.timedelta(days=7 * w), ("trusting",)) for w in (6, 4, 2)]
    for n, row in enumerate(rounds):
        for k in range(8 + n):
            respond(db, row, platform if k % 2 else payments, varied(k + n, len(row.item_ids)))
    db.flush()

    views = []
    for day in range(5):
        publish.publish_due(db, floor=FLOOR, now=NOW + dt.timedelta(days=day))
        view = service.insights(db, "org", name="Org")
        assert view is not None
        views.append(view.model_dump(mode="json"))
        respond(db, rounds[day % 3], platform, 5)  # late rows never reach a figure
        db.flush()

    differing = [(a, b) for a, b in itertools.pairwise(views) if a != b]
    assert differing == []
    assert [p["n"] for p in views[0]["constructs"]["trusting"]["trend"]] == [8, 9, 10]


# --- the disclosure ledger ----------------------------------------------------------------


def test_a_republication_under_a_reorganised_tree_is_gated_by_the_ledger(db: Session) -> None:
    engineering, platform, payments = teams(db)
    sales, lone = Team(name="Sales"), Team(name="Lone")  # at the top level
    db.add_all([sales, lone])
    db.flush()
    row = pulse_round(db, TODAY - dt.timedelta(days=10))
    ids: dict[int, list[str]] = defaultdict(list)
    for team, size in ((platform, 9), (payments, 6), (sales, 6), (lone, 3)):
        for k in range(size):
            response = respond(db, row, team, varied(k + size, len(row.item_ids)))
            db.flush()
            ids[team.id].append(response.id)
    publish.publish_pulse_round(db, row, floor=FLOOR, now=NOW)
    shown = _ledger(db)[(f"pulse_round:{row.id}", "scores")]
    assert f"team:{engineering.id}" in {scope for _, scope in _rows(db)}  # 15 of 24
    # Reorganised: Lone moves under Payments, so Engineering now holds 18.
    lone.parent_id = payments.id
    db.flush()

    decision = publish.decide_pulse_round(db, row, floor=FLOOR)

    assert verify_disclosure([*shown, *decision.shown["scores"]], POLICY) == []
    # Engineering's 18 beside its published 15 would give Lone's three away: refused.
    assert f"team:{engineering.id}" not in decision.figures
    engineering_now = frozenset(ids[platform.id] + ids[payments.id] + ids[lone.id])
    [problem] = [p for p in verify_disclosure([*shown, engineering_now], POLICY) if p.size == 3]
    assert problem.size == 3  # what a gate without the ledger would have let through


def test_every_shown_group_of_every_measure_is_in_the_ledger(db: Session) -> None:
    _, platform, payments = teams(db)
    row = pulse_round(db, TODAY - dt.timedelta(days=10))
    for k in range(12):
        respond(db, row, platform, varied(k, len(row.item_ids)), location="Berlin",
                comment=f"note {k}")  # fmt: skip
    for _ in range(3):
        respond(db, row, payments, 2, location="Paris")
    db.flush()

    publish.publish_pulse_round(db, row, floor=FLOOR, now=NOW)

    ledger = _ledger(db)
    scores = ledger[(f"pulse_round:{row.id}", "scores")]
    comments = ledger[(f"pulse_round:{row.id}", "comments")]
    assert scores and all(len(group) >= FLOOR for group in scores)
    assert comments and all(len(group) >= 10 for group in comments)
    assert verify_disclosure(scores, POLICY) == []
    assert verify_disclosure(comments, POLICY, comments=True) == []
    org = _figures(db, "org")
    assert org.comments == sorted(org.comments) and len(org.comments) == 12
    assert [g.label for g in org.constructs["trusting"].location if g.n is None] == [
        "Berlin",
        "Paris",
    ]  # Paris (3) is too small, and Berlin would expose it as the org minus Berlin


# --- immutability and concurrency ---------------------------------------------------------


def test_the_database_refuses_to_update_a_published_figure_or_the_ledger(
    factory: sessionmaker[Session],
) -> None:
    with factory() as db:
        row = pulse_round(db, TODAY - dt.timedelta(days=10))
        for k in range(6):
            respond(db, row, None, varied(k, len(row.item_ids)))
        db.flush()
        publication = publish.publish_pulse_round(db, row, floor=FLOOR, now=NOW)
        assert publication is not None
        db.commit()
        publication_id = publication.id

    for statement in (
        update(PublishedFigure).values(payload={"kind": "pulse_round"}),
        update(LedgerEntry).values(members=["a"]),
        update(Publication).values(floor=3),
    ):
        with factory() as db, pytest.raises(DBAPIError, match="never change"):
            db.execute(statement)
            db.commit()
    with factory() as db:
        assert db.get(Publication, publication_id).floor == FLOOR  # type: ignore[union-attr]
        assert db.execute(text("select count(*) from published_figures")).scalar() == 1


def test_two_workers_publishing_the_same_round_at_once_publish_it_once(
    factory: sessionmaker[Session],
) -> None:
    with factory() as db:
        row = pulse_round(db, TODAY - dt.timedelta(days=10))
        for k in range(6):
            respond(db, row, None, varied(k, len(row.item_ids)))
        db.commit()
        round_id = row.id
    barrier = threading.Barrier(2)
    results: list[object] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with factory() as session:
                target = session.get(type(row), round_id)
                assert target is not None
                barrier.wait()
                results.append(publish.publish_pulse_round(session, target, floor=FLOOR, now=NOW))
                session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sorted(r is None for r in results) == [False, True]
    with factory() as db:
        assert len(db.scalars(select(Publication)).all()) == 1
        assert db.execute(text("select count(*) from published_figures")).scalar() == 1


# --- honest statistics --------------------------------------------------------------------


def test_a_hidden_team_of_ten_shows_no_alpha_anywhere(db: Session) -> None:
    _, platform, payments = teams(db)
    row = pulse_round(db, TODAY - dt.timedelta(days=10))
    for k in range(10):
        respond(db, row, platform, varied(k, len(row.item_ids)))
    for k in range(2):
        respond(db, row, payments, varied(k, len(row.item_ids)))
    db.flush()

    publish.publish_pulse_round(db, row, floor=FLOOR, now=NOW)

    assert set(scope for _, scope in _rows(db)) == {"org", f"team:{platform.parent_id}"}
    for (_, _scope), payload in _rows(db).items():
        for figure in payload["constructs"].values():  # type: ignore[union-attr]
            assert figure["alpha"] is None and figure["alpha_n"] is None
            assert figure["reliability"] == NO_RELIABILITY


def test_alpha_is_shown_from_thirty_complete_cases_with_its_interval(db: Session) -> None:
    row = pulse_round(db, TODAY - dt.timedelta(days=10))
    size = len(row.item_ids)
    for k in range(30):
        base = 1 + k % 5
        respond(db, row, None, [min(5, max(1, base + (j + k) % 2 - (j % 2))) for j in range(size)])
    few = pulse_round(db, TODAY - dt.timedelta(days=3))
    for k in range(29):
        base = 1 + k % 5
        respond(db, few, None, [min(5, max(1, base + (j + k) % 2 - (j % 2))) for j in range(size)])
    db.flush()

    publish.publish_due(db, floor=FLOOR, now=NOW)

    figures = {
        p.source_id: PUBLISHED.validate_python(
            db.get(PublishedFigure, (p.id, "org")).payload  # type: ignore[union-attr]
        )
        for p in db.scalars(select(Publication))
    }
    enough = figures[row.id].constructs["trusting"]  # type: ignore[union-attr]
    assert enough.alpha is not None and enough.alpha_n == 30
    assert enough.alpha_low is not None and enough.alpha_low < enough.alpha < enough.alpha_high  # type: ignore[operator]
    short = figures[few.id].constructs["trusting"]  # type: ignore[union-attr]
    assert short.alpha is None and short.reliability == NO_RELIABILITY


def test_alpha_is_not_shown_when_fewer_than_the_floor_skipped_a_statement(db: Session) -> None:
    # 32 answered, 30 complete: n - alpha_n = 2 would tell that two people skipped a statement.
    row = pulse_round(db, TODAY - dt.timedelta(days=10))
    size = len(row.item_ids)
    for k in range(32):
        values: list[int | None] = [min(5, max(1, 1 + k % 5 + (j + k) % 2 - (j % 2)))
                                    for j in range(size)]  # fmt: skip
        if k >= 30:
            values[0] = None
        respond(db, row, None, values)
    db.flush()

    publish.publish_due(db, floor=FLOOR, now=NOW)

    [publication] = db.scalars(select(Publication))
    stored = PUBLISHED.validate_python(db.get(PublishedFigure, (publication.id, "org")).payload)  # type: ignore[union-attr]
    figure = stored.constructs["trusting"]  # type: ignore[union-attr]
    assert figure.n == 32
    assert figure.alpha is None and figure.alpha_n is None
    assert figure.reliability == NO_RELIABILITY


def test_loneliness_answered_all_threes_is_zero_percent_favourable(db: Session) -> None:
    [lonely] = sorted(LOWER_IS_BETTER)
    row = pulse_round(db, TODAY - dt.timedelta(days=10), (lonely,))
    for _ in range(6):
        respond(db, row, None, 3)
    db.flush()

    publish.publish_pulse_round(db, row, floor=FLOOR, now=NOW)

    figure = _figures(db, "org").constructs[lonely]
    assert figure.favourable_pct == 0 and figure.favourable_low == 0
    assert figure.favourable_high is not None and figure.favourable_high > 0


def test_a_round_of_two_constructs_publishes_both_and_rounds_as_shown(db: Session) -> None:
    row = pulse_round(db, TODAY - dt.timedelta(days=10), ("play", "trusting"))
    for k in range(7):
        respond(db, row, None, varied(k, len(row.item_ids)))
    db.flush()

    publish.publish_pulse_round(db, row, floor=FLOOR, now=NOW)

    payload = next(iter(_rows(db).values()))
    assert set(payload["constructs"]) == {"play", "trusting"}  # type: ignore[arg-type]
    for figure in payload["constructs"].values():  # type: ignore[union-attr]
        for key in ("mean", "sd", "ci_low", "ci_high"):
            assert figure[key] == round(figure[key], 2)
        assert isinstance(figure["favourable_pct"], int)
        assert figure["ci_high"] > figure["ci_low"]  # never zero width


def test_a_zero_variance_group_still_gets_an_interval(db: Session) -> None:
    row = pulse_round(db, TODAY - dt.timedelta(days=10))
    for _ in range(6):
        respond(db, row, None, 4)
    db.flush()

    publish.publish_pulse_round(db, row, floor=FLOOR, now=NOW)

    figure = _figures(db, "org").constructs["trusting"]
    assert figure.ci_low is not None and figure.ci_high is not None
    assert figure.ci_low < 4.0 < figure.ci_high
