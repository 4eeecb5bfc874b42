"""Reading insights: the stored snapshots, who may see which, what to try next, CSV.

Everything here reads what :mod:`connectwell.insights.compute` stored; nothing computes a
figure from responses, so the anonymity decisions made there hold on every route.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from connectwell.core import errors
from connectwell.core.csvfile import to_csv
from connectwell.core.words import CONSTRUCT_NAMES, ELEMENT_NAMES
from connectwell.insights.models import InsightSnapshot
from connectwell.insights.practices import PRACTICES, Practice
from connectwell.insights.schemas import ConstructInsights, ScopeInsights, Snapshot
from connectwell.pulses.bank import BANK, LOWER_IS_BETTER

PATHWAYS = tuple(entry.key for entry in BANK if entry.family == "pathway")


class InsightError(errors.Invalid):
    """An insights request that cannot be done; ``field`` names the culprit."""


class InsightNotFound(errors.NotFound, InsightError):
    """The figures asked for have not been computed yet."""


class InsightNotAllowed(errors.NotAllowed, InsightError):
    """Insights are for the team's leads and admins."""


def snapshot(session: Session, scope: str) -> Snapshot | None:
    """The scope's stored figures, checked against the schema as they are read."""
    row = session.get(InsightSnapshot, scope)
    if row is None:
        return None
    return Snapshot.model_validate({**row.payload, "computed_at": row.computed_at})


def scope_for(team_id: int | None) -> str:
    return "org" if team_id is None else f"team:{team_id}"


def check_access(*, is_admin: bool, led_team_ids: set[int], team_id: int | None) -> None:
    """Admins see any team and the organisation; a lead sees the teams they lead (and the
    teams nested under them); nobody else sees insights."""
    if is_admin:
        return
    if team_id is None or team_id not in led_team_ids:
        raise InsightNotAllowed("team", "insights are for the team's leads and admins")


def favourable(construct: str, entry: ConstructInsights) -> float | None:
    """The favourable share, turned around for constructs where lower is better."""
    value = entry.favourable_pct
    if value is None:
        return None
    return 100.0 - value if construct in LOWER_IS_BETTER else value


def weakest_pathway(payload: ScopeInsights) -> str | None:
    shown = {
        key: entry.mean
        for key, entry in payload.constructs.items()
        if key in PATHWAYS and entry.mean is not None
    }
    return min(shown, key=lambda key: shown[key]) if shown else None


def what_to_try(payload: ScopeInsights) -> tuple[str | None, tuple[Practice, ...]]:
    weakest = weakest_pathway(payload)
    return weakest, PRACTICES.get(weakest or "", ())


@dataclass(frozen=True)
class ScoreRow:
    """One construct's score as the table, the chart and the CSV show it."""

    construct: str
    name: str
    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    favourable_pct: float | None  # turned around where lower is better
    alpha: float | None
    alpha_n: int
    lower_is_better: bool


def rows(payload: ScopeInsights) -> list[ScoreRow]:
    """One row per construct shown, in bank order, for the table, the chart and the CSV."""
    constructs = payload.constructs
    order = [entry.key for entry in BANK] + sorted(set(constructs) - {e.key for e in BANK})
    return [
        ScoreRow(
            construct=key,
            name=CONSTRUCT_NAMES.get(key, key),
            n=entry.n,
            mean=entry.mean,
            ci_low=entry.ci_low,
            ci_high=entry.ci_high,
            favourable_pct=favourable(key, entry),
            alpha=entry.alpha,
            alpha_n=entry.alpha_n,
            lower_is_better=key in LOWER_IS_BETTER,
        )
        for key in order
        if (entry := constructs.get(key)) is not None
    ]


COLUMNS = ("scope", "section", "construct", "group", "n", "mean", "ci_low", "ci_high",
           "favourable_pct", "alpha", "alpha_n")  # fmt: skip


def export_csv(payload: ScopeInsights) -> str:
    """The aggregates shown on the page, as CSV: nothing the page would not show.

    Columns by name (a section leaves the columns it has nothing for empty); a comment that
    looks like a spreadsheet formula is escaped (:mod:`connectwell.core.csvfile`).
    """
    scope = payload.name
    lines: list[dict[str, object]] = []
    for row in rows(payload):
        key = row.construct
        lines.append(
            {
                "scope": scope, "section": "score", "construct": key, "group": "all",
                "n": row.n, "mean": _num(row.mean), "ci_low": _num(row.ci_low),
                "ci_high": _num(row.ci_high), "favourable_pct": _num(row.favourable_pct),
                "alpha": _num(row.alpha), "alpha_n": row.alpha_n,
            }
        )  # fmt: skip
        entry = payload.constructs[key]
        groups = [("trend", p.period.isoformat(), p.n, p.mean) for p in entry.trend]
        groups += [("tenure", g.label, g.n, g.mean) for g in entry.tenure]
        groups += [("location", g.label, g.n, g.mean) for g in entry.location]
        lines += [
            {"scope": scope, "section": section, "construct": key, "group": group, "n": n,
             "mean": _num(mean)}
            for section, group, n, mean in groups
            if n is not None
        ]  # fmt: skip
    lines += [{"scope": scope, "section": "comment", "group": c} for c in payload.comments]
    if payload.check_ins:
        check_ins = payload.check_ins.model_dump()
        lines += [
            {"scope": scope, "section": "check-in", "construct": element, "group": "all",
             "n": payload.check_ins.n, "mean": _num(check_ins[element])}
            for element in ELEMENT_NAMES
        ]  # fmt: skip
    return to_csv(COLUMNS, lines)


def _num(value: float | None) -> Decimal | None:
    """Three decimals, written as a number (never escaped as a formula, even when negative)."""
    return None if value is None else Decimal(f"{value:.3f}")
