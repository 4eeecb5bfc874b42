"""The read model: the latest published round per construct, its trend oldest first, a change
only where it is clear, the weakest pathway only where it clearly is."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from connectwell.insights import publish, service
from connectwell.insights.schemas import ConstructFigure, RoundRef, TrendPoint
from connectwell.pulses import service as pulses
from connectwell.pulses.schemas import PulseIn
from tests.insights.publishing import FLOOR, NOW, TODAY, pulse_round, respond, teams, varied

REF = RoundRef(kind="pulse_round", round_id=1, name="Pulse", opens_on=TODAY,
               closes_on=TODAY, published_at=NOW)  # fmt: skip


def _point(n: int | None, mean: float | None, sd: float | None = 0.8) -> TrendPoint:
    half = None if n is None or mean is None else 0.3
    return TrendPoint(round=REF, n=n, mean=mean, sd=sd,
                      ci_low=None if half is None else mean - half,  # type: ignore[operator]
                      ci_high=None if half is None else mean + half)  # type: ignore[operator]  # fmt: skip


def _figure(n: int, mean: float, sd: float = 0.6) -> ConstructFigure:
    return ConstructFigure(
        n=n, mean=mean, sd=sd, ci_low=mean - 0.3, ci_high=mean + 0.3, favourable_pct=50,
        favourable_low=20, favourable_high=80, alpha=None, alpha_low=None, alpha_high=None,
        alpha_n=None, reliability="x",
    )  # fmt: skip


def test_a_change_is_flagged_only_when_the_difference_clearly_exceeds_the_noise() -> None:
    up = service.change_between(_point(20, 3.0), _point(20, 3.9))
    down = service.change_between(_point(20, 3.9), _point(20, 3.0))
    small = service.change_between(_point(20, 3.0), _point(20, 3.2))
    hidden = service.change_between(_point(None, None), _point(20, 3.9))

    assert up.direction == "higher" and down.direction == "lower"
    assert small.direction is None and small.words == "no clear change"
    assert hidden.direction is None and hidden.difference is None
    # The published difference and its interval (Welch, Hsu's df 19) say why.
    assert up.difference == 0.9 and up.ci_low is not None and 0 < up.ci_low < 0.9
    assert small.ci_low is not None and small.ci_low < 0 < (small.ci_high or 0)


def test_the_weakest_pathway_is_named_only_when_clearly_below_the_next_lowest() -> None:
    clear = service.weakest_pathway(
        {"play": _figure(30, 2.3), "trusting": _figure(30, 3.1), "task_enabling": None}
    )
    close = service.weakest_pathway({"play": _figure(30, 2.9), "trusting": _figure(30, 3.0)})
    alone = service.weakest_pathway({"play": _figure(30, 1.5), "vitality": _figure(30, 4.2)})

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
    assert entry.change.words == service.CANNOT_COMPARE  # the point before is hidden here


def test_a_trend_holds_only_the_rounds_of_the_pulse_that_asked_it_last(db: Session) -> None:
    _, platform, payments = teams(db)
    everyone = pulses.create_pulse(db, PulseIn(name="Everyone", starts_on=TODAY), actor=None)
    platform_only = pulses.create_pulse(
        db, PulseIn(name="Platform only", audience="teams", team_ids=[platform.id],
                    starts_on=TODAY), actor=None,
    )  # fmt: skip
    first = pulse_round(db, TODAY - dt.timedelta(weeks=4), pulse=everyone)
    other = pulse_round(db, TODAY - dt.timedelta(weeks=2), pulse=platform_only)
    last = pulse_round(db, TODAY - dt.timedelta(weeks=1), pulse=everyone)
    for row in (first, other, last):
        for k in range(6):
            respond(db, row, platform, varied(k, len(row.item_ids)))
            respond(db, row, payments, varied(k + 1, len(row.item_ids)))
    db.flush()
    publish.publish_due(db, floor=FLOOR, now=NOW)

    view = service.insights(db, "org", name="Org")

    assert view is not None
    entry = view.constructs["trusting"]
    assert [p.round.round_id for p in entry.trend] == [first.id, last.id]
    assert entry.round.round_id == last.id


def test_before_any_publication_there_is_nothing_to_read(db: Session) -> None:
    assert service.insights(db, "org", name="Org") is None
