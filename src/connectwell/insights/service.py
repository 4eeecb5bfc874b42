"""Reading insights: the stored snapshots, who may see which, what to try next, CSV.

Everything here reads what :mod:`connectwell.insights.compute` stored; nothing computes a
figure from responses, so the anonymity decisions made there hold on every route.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from connectwell.core import errors
from connectwell.insights.models import InsightSnapshot
from connectwell.pulses.bank import BANK, LOWER_IS_BETTER

PATHWAYS = ("respectful_engagement", "task_enabling", "trusting", "play")
HQC = ("positive_regard", "mutuality", "vitality")
NAMES = {entry.key: entry.name for entry in BANK}


class InsightError(errors.Invalid):
    """An insights request that cannot be done; ``field`` names the culprit."""


class InsightNotFound(errors.NotFound, InsightError):
    """The figures asked for have not been computed yet."""


class InsightNotAllowed(errors.NotAllowed, InsightError):
    """Insights are for the team's leads and admins."""


@dataclass(frozen=True)
class Practice:
    title: str
    why: str
    link: str
    feature: str


# What research and the seed story suggest for a weak pathway, each tied to a feature.
PRACTICES: dict[str, tuple[Practice, ...]] = {
    "respectful_engagement": (
        Practice(
            "Open meetings without phones and laptops",
            "Full attention is the first sign that people are valued.",
            "/shoutouts",
            "Shout-outs",
        ),
        Practice(
            "A weekly shout-out round",
            "Saying thank you for everyday help, out loud, every week.",
            "/shoutouts",
            "Shout-outs and the weekly digest",
        ),
    ),
    "task_enabling": (
        Practice(
            "A shared team goal about helping",
            "Reward support, not individual stars: "
            "for example 20 help sessions across teams this quarter.",
            "/goals",
            "Team goals",
        ),
        Practice(
            "Pair people across teams",
            "Short conversations spread know-how and open doors for help.",
            "/programs",
            "Connection programmes",
        ),
    ),
    "trusting": (
        Practice(
            "Share a mistake and its lesson",
            "Leads go first: it makes room for others to speak up.",
            "/shoutouts",
            "Shout-outs (trust)",
        ),
        Practice(
            "Keep pulse results anonymous and act on them",
            "People answer honestly when nobody can be singled out.",
            "/pulses",
            "Pulses",
        ),
    ),
    "play": (
        Practice(
            "Start meetings with an ice-breaker",
            "A minute of fun lowers the guard for the rest of the meeting.",
            "/programs",
            "Connection programmes",
        ),
        Practice(
            "A team event",
            "Something light together: a walk, a quiz, a lunch.",
            "/goals",
            "Team goals and celebrations",
        ),
    ),
}


def snapshot(session: Session, scope: str) -> dict[str, Any] | None:
    row = session.get(InsightSnapshot, scope)
    if row is None:
        return None
    return {**row.payload, "computed_at": row.computed_at.isoformat()}


def scope_for(team_id: int | None) -> str:
    return "org" if team_id is None else f"team:{team_id}"


def check_access(*, is_admin: bool, led_team_ids: set[int], team_id: int | None) -> None:
    """Admins see any team and the organisation; a lead sees the teams they lead (and the
    teams nested under them); nobody else sees insights."""
    if is_admin:
        return
    if team_id is None or team_id not in led_team_ids:
        raise InsightNotAllowed("team", "insights are for the team's leads and admins")


def favourable(construct: str, entry: dict[str, Any]) -> float | None:
    """The favourable share, turned around for constructs where lower is better."""
    value = entry.get("favourable_pct")
    if value is None:
        return None
    return 100.0 - value if construct in LOWER_IS_BETTER else value


def weakest_pathway(payload: dict[str, Any]) -> str | None:
    shown = {
        key: entry["mean"]
        for key, entry in payload.get("constructs", {}).items()
        if key in PATHWAYS and entry.get("mean") is not None
    }
    return min(shown, key=lambda key: shown[key]) if shown else None


def what_to_try(payload: dict[str, Any]) -> tuple[str | None, tuple[Practice, ...]]:
    weakest = weakest_pathway(payload)
    return weakest, PRACTICES.get(weakest or "", ())


def rows(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per construct shown, in bank order, for the table, the chart and the CSV."""
    constructs = payload.get("constructs", {})
    order = [entry.key for entry in BANK] + sorted(set(constructs) - {e.key for e in BANK})
    result = []
    for key in order:
        entry = constructs.get(key)
        if entry is None:
            continue
        result.append(
            {
                "construct": key,
                "name": NAMES.get(key, key),
                "n": entry["n"],
                "mean": entry["mean"],
                "ci_low": entry["ci_low"],
                "ci_high": entry["ci_high"],
                "favourable_pct": favourable(key, entry),
                "alpha": entry["alpha"],
                "alpha_n": entry["alpha_n"],
                "lower_is_better": key in LOWER_IS_BETTER,
            }
        )
    return result


def export_csv(payload: dict[str, Any]) -> str:
    """The aggregates shown on the page, as CSV: nothing the page would not show."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "scope",
            "section",
            "construct",
            "group",
            "n",
            "mean",
            "ci_low",
            "ci_high",
            "favourable_pct",
            "alpha",
            "alpha_n",
        ]
    )
    name = payload.get("name", "")
    for row in rows(payload):
        writer.writerow(
            [
                name,
                "score",
                row["construct"],
                "all",
                row["n"],
                _num(row["mean"]),
                _num(row["ci_low"]),
                _num(row["ci_high"]),
                _num(row["favourable_pct"]),
                _num(row["alpha"]),
                row["alpha_n"],
            ]
        )
        entry = payload["constructs"][row["construct"]]
        for point in entry.get("trend", []):
            if point["n"] is not None:
                writer.writerow(
                    [
                        name,
                        "trend",
                        row["construct"],
                        point["period"],
                        point["n"],
                        _num(point["mean"]),
                        "",
                        "",
                        "",
                        "",
                        "",
                    ]
                )
        for section in ("tenure", "location"):
            for group in entry.get(section, []):
                if group["n"] is not None:
                    writer.writerow(
                        [
                            name,
                            section,
                            row["construct"],
                            group["label"],
                            group["n"],
                            _num(group["mean"]),
                            "",
                            "",
                            "",
                            "",
                            "",
                        ]
                    )
    for comment in payload.get("comments", []):
        writer.writerow([name, "comment", "", comment, "", "", "", "", "", "", ""])
    check_ins = payload.get("check_ins")
    if check_ins:
        for element in HQC:
            writer.writerow(
                [
                    name,
                    "check-in",
                    element,
                    "all",
                    check_ins["n"],
                    _num(check_ins[element]),
                    "",
                    "",
                    "",
                    "",
                    "",
                ]
            )
    return out.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"
