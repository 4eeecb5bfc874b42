"""The read model: the latest published round per construct, its trend oldest first, a change
only where it is clear, the weakest pathway only where it clearly is."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from connectwell.insights import publish, service
from connectwell.insights.schemas import ConstructFigure, RoundRef, TrendPoint
from tests.insights.publishing import FLOOR, NOW, TODAY, pulse_round, respond, teams, varied

REF = RoundRef(kind="pulse_round", round_id=1, name="Pulse", opens_on=TODAY,
               closes_on=TODAY, published_at=NOW)  # fmt: skip


def _point(low: float | None, high: float | None) -> TrendPoint:
    mean = None if low is None or high is None else (low + high) / 2
    return TrendPoint(round=REF, n=None if mean is None else 8, mean=mean, ci_low=low,
                      ci_high=high)  # fmt: skip


def _figure(low: float, high: float) -> ConstructFigure:
    return ConstructFigure(
        n=9, mean=(low + high) / 2, sd=0.5, ci_low=low, ci_high=high, favourable_pct=50,
        favourable_low=20, favourable_high=80, alpha=None, alpha_low=None, alpha_high=None,
        alpha_n=None, reliability="x",
    )  # fmt: skip


def test_a_change_is_flagged_only_when_the_intervals_do_not_overlap() -> None:
    assert service.change_between(_point(3.0, 3.6), _point(3.5, 4.1)).words == "no clear change"
    assert service.change_between(_point(3.0, 3.4), _point(3.5, 4.1)).direction == "higher"
    assert service.change_between(_point(3.5, 4.1), _point(2.9, 3.4)).direction == "lower"
    assert service.change_between(_point(None, None), _point(3.5, 4.1)).direction is None


def test_the_weakest_pathway_is_named_only_when_wholly_below_every_other() -> None:
    clear = service.weakest_pathway(
        {"play": _figure(2.0, 2.6), "trusting": _figure(2.7, 3.4), "task_enabling": None}
    )
    close = service.weakest_pathway({"play": _figure(2.0, 2.8), "trusting": _figure(2.7, 3.4)})
    alone = service.weakest_pathway({"play": _figure(1.0, 1.5), "vitality": _figure(4.0, 4.5)})

    assert clear.pathway == "play" and service.what_to_try(clear)
    assert close.pathway is None and close.words == "no pathway stands out"
    assert alone.pathway is None  # one pathway shown: nothing to compare it with


def test_the_trend_holds_every_published_round_oldest_first_and_says_where_hidden(
    db: Session,
) -> None:
    _, platform, payments = teams(db)
    sizes = [(9, 6), (9, 2), (10, 7)]  # the middle round hides Platform (Payments' 2 exposed)
    for weeks_ago, (p, q) in zip((6, 4, 2), sizes, strict=True):
        row = pulse_round(db, TODAY - dt.timedelta(weeks=weeks_ago))
        for k in range(p):
            respond(db, row, platform, varied(k, len(row.item_ids)))
        for k in range(q):
            respond(db, row, payments, varied(k + 3, len(row.item_ids)))
    db.flush()
    publish.publish_due(db, floor=FLOOR, now=NOW)

    view = service.insights(db, f"team:{platform.id}", name="Platform")

    assert view is not None
    entry = view.constructs["trusting"]
    assert [p.n for p in entry.trend] == [9, None, 10]
    assert [p.round.opens_on for p in entry.trend] == sorted(p.round.opens_on for p in entry.trend)
    assert entry.figure is not None and entry.figure.n == 10
    assert entry.round.opens_on == TODAY - dt.timedelta(weeks=2)
    assert entry.change.words == "no clear change"  # the point before is hidden


def test_before_any_publication_there_is_nothing_to_read(db: Session) -> None:
    assert service.insights(db, "org", name="Org") is None
