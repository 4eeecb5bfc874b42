"""Reading insights: the published rounds, who may see which, what to try next, CSV.

Everything here reads what :mod:`connectwell.insights.publish` stored once per closed round;
nothing computes a figure from answers per request, so the anonymity decisions made there
hold on every route: the page, the API and the CSV show the same numbers at the same
precision. A scope's view holds, per construct, the latest published round that asked it and
its trend over every published round that asked it (oldest first); hidden points say so.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.core import errors
from connectwell.core.csvfile import to_csv
from connectwell.core.words import CONSTRUCT_NAMES, ELEMENT_NAMES
from connectwell.insights.models import InsightSnapshot, Publication, PublishedFigure
from connectwell.insights.practices import PRACTICES, Practice
from connectwell.insights.publish import CHECK_IN_ROUND, PULSE_ROUND
from connectwell.insights.schemas import (
    Change,
    CheckInPoint,
    CheckInRoundFigures,
    ConstructFigure,
    ConstructOut,
    InsightsOut,
    NetworkSnapshot,
    PracticeOut,
    PulseRoundFigures,
    RoundRef,
    TeamComparison,
    TrendPoint,
    WeakestOut,
    read_published,
)
from connectwell.people import service as people
from connectwell.programs.models import Program, Round
from connectwell.pulses.bank import BANK, LOWER_IS_BETTER
from connectwell.pulses.models import Construct, Item, Pulse, PulseRound
from connectwell.stats import GroupSummary, clearly_lowest, compare_rounds

log = logging.getLogger(__name__)

PATHWAYS = tuple(entry.key for entry in BANK if entry.family == "pathway")
NO_CLEAR_CHANGE = "no clear change"
CANNOT_COMPARE = "cannot compare: one of the two rounds is hidden here"
NO_PATHWAY_STANDS_OUT = "no pathway stands out"


class InsightError(errors.Invalid):
    """An insights request that cannot be done; ``field`` names the culprit."""


class InsightNotFound(errors.NotFound, InsightError):
    """The figures asked for have not been published yet."""


class InsightNotAllowed(errors.NotAllowed, InsightError):
    """Insights are for the team's leads and admins."""


def scope_for(team_id: int | None) -> str:
    return "org" if team_id is None else f"team:{team_id}"


def check_access(*, is_admin: bool, led_team_ids: set[int], team_id: int | None) -> None:
    """Admins see any team and the organisation; a lead sees the teams they lead (and the
    teams nested under them); nobody else sees insights."""
    if is_admin:
        return
    if team_id is None or team_id not in led_team_ids:
        raise InsightNotAllowed("team", "insights are for the team's leads and admins")


# --- the two rules a reader relies on ------------------------------------------------------


def _summary(n: int | None, mean: float | None, sd: float | None) -> GroupSummary | None:
    """A published figure as the statistics read it; None where hidden or too small."""
    if n is None or mean is None or sd is None or n < 2:
        return None
    return GroupSummary(n=n, mean=float(mean), sd=float(sd))


def change_between(
    before: TrendPoint, after: TrendPoint, *, reliability: float | None = None
) -> Change:
    """Whether a construct clearly changed between two published rounds.

    Computed from the two published figures alone (n, mean, sd), so it never changes either:
    :func:`connectwell.stats.compare_rounds` flags a change only when the 95% interval of the
    difference excludes zero **and** the difference is at least the minimum detectable change
    (from the scale's reliability: the later round's alpha where it was shown, else a
    conservative 0.70). Otherwise "no clear change"; where a point is hidden, "cannot
    compare".

    Complexity: O(1).
    """
    first = _summary(before.n, before.mean, before.sd)
    second = _summary(after.n, after.mean, after.sd)
    if first is None or second is None:
        return Change(direction=None, words=CANNOT_COMPARE)
    result = compare_rounds(first, second, reliability=reliability)
    figures = {
        "difference": round(result.difference, 2),
        "ci_low": round(result.ci_low, 2),
        "ci_high": round(result.ci_high, 2),
        "mdc": round(result.mdc, 2),
    }
    if not result.clear:
        return Change(direction=None, words=NO_CLEAR_CHANGE, **figures)
    if result.direction == "up":
        return Change(direction="higher", words="clearly higher than the round before", **figures)
    return Change(direction="lower", words="clearly lower than the round before", **figures)


def weakest_pathway(figures: Mapping[str, ConstructFigure | None]) -> WeakestOut:
    """The pathway named as weakest only when it is clearly below the next lowest
    (:func:`connectwell.stats.clearly_lowest`: Welch's interval of their difference excludes
    zero); otherwise "no pathway stands out".

    Complexity: O(p log p) for p pathways (four).
    """
    shown = {
        key: summary
        for key, figure in figures.items()
        if key in PATHWAYS
        and figure is not None
        and (summary := _summary(figure.n, figure.mean, figure.sd)) is not None
    }
    if len(shown) < 2:
        return WeakestOut(pathway=None, words=NO_PATHWAY_STANDS_OUT)
    lowest = clearly_lowest(shown)
    if lowest is None:
        return WeakestOut(pathway=None, words=NO_PATHWAY_STANDS_OUT)
    name = CONSTRUCT_NAMES.get(lowest, lowest)
    return WeakestOut(pathway=lowest, words=f"{name} is clearly lower than the next lowest")


def what_to_try(weakest: WeakestOut) -> tuple[Practice, ...]:
    return PRACTICES.get(weakest.pathway or "", ())


# --- the read model -------------------------------------------------------------------------


def _figures(session: Session, scope: str, kind: str) -> dict[int, dict[str, object]]:
    return {
        publication_id: payload
        for publication_id, payload in session.execute(
            select(PublishedFigure.publication_id, PublishedFigure.payload)
            .join(Publication, Publication.id == PublishedFigure.publication_id)
            .where(PublishedFigure.scope == scope, Publication.kind == kind)
        )
    }


def _pulse_rounds(session: Session) -> list[tuple[Publication, RoundRef, list[int], int]]:
    rows = session.execute(
        select(Publication, PulseRound, Pulse.name)
        .join(PulseRound, PulseRound.id == Publication.source_id)
        .join(Pulse, Pulse.id == PulseRound.pulse_id)
        .where(Publication.kind == PULSE_ROUND)
        .order_by(PulseRound.closes_on, PulseRound.opens_on, PulseRound.id)
    ).all()
    return [
        (
            publication,
            RoundRef(
                kind=PULSE_ROUND,
                round_id=row.id,
                name=name,
                opens_on=row.opens_on,
                closes_on=row.closes_on,
                published_at=publication.published_at,
            ),
            list(row.item_ids),
            row.pulse_id,
        )
        for publication, row, name in rows
    ]


def _check_in_rounds(session: Session) -> list[tuple[Publication, RoundRef]]:
    rows = session.execute(
        select(Publication, Round, Program.name)
        .join(Round, Round.id == Publication.source_id)
        .join(Program, Program.id == Round.program_id)
        .where(Publication.kind == CHECK_IN_ROUND)
        .order_by(Round.round_on, Round.id)
    ).all()
    return [
        (
            publication,
            RoundRef(
                kind=CHECK_IN_ROUND,
                round_id=row.id,
                name=name,
                opens_on=row.round_on,
                closes_on=row.check_ins_close_on,
                published_at=publication.published_at,
            ),
        )
        for publication, row, name in rows
    ]


def check_in_figures(
    session: Session, round_ids: Sequence[int], scope: str = "org"
) -> dict[int, CheckInRoundFigures]:
    """The published check-in figures of these programme rounds for ``scope``, by round id;
    a round missing here is unpublished, or hidden in that scope."""
    if not round_ids:
        return {}
    found: dict[int, CheckInRoundFigures] = {}
    for source_id, payload in session.execute(
        select(Publication.source_id, PublishedFigure.payload)
        .join(PublishedFigure, PublishedFigure.publication_id == Publication.id)
        .where(
            Publication.kind == CHECK_IN_ROUND,
            Publication.source_id.in_(list(round_ids)),
            PublishedFigure.scope == scope,
        )
    ):
        figures = read_published(payload)
        assert isinstance(figures, CheckInRoundFigures)
        found[source_id] = figures
    return found


def published_check_in_rounds(session: Session, round_ids: Sequence[int]) -> set[int]:
    """Which of these programme rounds have their check-ins published."""
    if not round_ids:
        return set()
    return set(
        session.scalars(
            select(Publication.source_id).where(
                Publication.kind == CHECK_IN_ROUND, Publication.source_id.in_(list(round_ids))
            )
        )
    )


def insights(session: Session, scope: str, *, name: str) -> InsightsOut | None:
    """A scope's published figures, as every view shows them; ``None`` before anything was
    published. Reads only publications: a few queries, nothing computed from answers."""
    pulse_rounds = _pulse_rounds(session)
    check_in_rounds = _check_in_rounds(session)
    if not pulse_rounds and not check_in_rounds:
        return None
    construct_of = dict(
        session.execute(
            select(Item.id, Construct.key).join(Construct, Construct.id == Item.construct_id)
        ).all()
    )
    figures = _figures(session, scope, PULSE_ROUND)
    # Each trend point needs five numbers of its round; only the latest round of a construct
    # (and of the comments) is read whole. Reading every round's whole payload (breakdowns,
    # team comparisons) made a page of 100 rounds pay for 100 full validations.
    validated: dict[int, PulseRoundFigures] = {}

    def whole(publication_id: int) -> PulseRoundFigures:
        if publication_id not in validated:
            stored = read_published(figures[publication_id])
            assert isinstance(stored, PulseRoundFigures)
            validated[publication_id] = stored
        return validated[publication_id]

    points: dict[str, list[tuple[TrendPoint, int | None, int]]] = defaultdict(list)
    comments_from: tuple[int, RoundRef] | None = None
    for publication, ref, item_ids, pulse_id in pulse_rounds:
        payload = figures.get(publication.id)
        if payload is not None:
            comments_from = (publication.id, ref)
        raw_constructs: dict[str, dict[str, Any]] = {}
        if payload is not None and isinstance(payload.get("constructs"), dict):
            raw_constructs = payload["constructs"]  # type: ignore[assignment]
        asked = sorted({construct_of[i] for i in item_ids if i in construct_of})
        for key in asked:
            raw = raw_constructs.get(key)
            point = TrendPoint.model_validate(
                {
                    "round": ref,
                    **{
                        field: raw.get(field) if raw else None
                        for field in ("n", "mean", "ci_low", "ci_high", "sd")
                    },
                }
            )
            points[key].append((point, publication.id if raw else None, pulse_id))
    comments: list[str] = []
    comments_round: RoundRef | None = None
    if comments_from is not None:
        comments, comments_round = whole(comments_from[0]).comments, comments_from[1]
    order = [entry.key for entry in BANK] + sorted(set(points) - {e.key for e in BANK})
    constructs: dict[str, ConstructOut] = {}
    pulse_of: dict[str, int] = {}
    for key in order:
        if key not in points:
            continue
        # A trend compares like with like: the rounds of the pulse that asked it last (the same
        # audience and statements); another pulse's rounds of the construct are not mixed in.
        latest, latest_id, pulse_id = points[key][-1]
        figure = whole(latest_id).constructs.get(key) if latest_id is not None else None
        trend = [point for point, _, pulse in points[key] if pulse == pulse_id]
        pulse_of[key] = pulse_id
        change = (
            change_between(
                trend[-2], trend[-1], reliability=figure.alpha if figure is not None else None
            )
            if len(trend) >= 2
            else Change(direction=None, words="the first published round that asked it")
        )
        constructs[key] = ConstructOut(
            name=CONSTRUCT_NAMES.get(key, key),
            lower_is_better=key in LOWER_IS_BETTER,
            round=latest.round,
            figure=figure,
            trend=trend,
            change=change,
        )
    check_in_payloads = _figures(session, scope, CHECK_IN_ROUND)
    check_ins = []
    for publication, ref in check_in_rounds:
        payload = check_in_payloads.get(publication.id)
        shown = read_published(payload) if payload is not None else None
        assert shown is None or isinstance(shown, CheckInRoundFigures)
        check_ins.append(CheckInPoint(round=ref, figures=shown))
    # The pathways compared are the latest rounds of one pulse (its audience): each pathway is
    # asked in a round of its own, so the figures are independent groups of mostly the same
    # people; a pathway last asked by another pulse is left out.
    pathway_rounds = [
        (c.round.closes_on, pulse_of[k]) for k, c in constructs.items() if k in PATHWAYS
    ]
    same_pulse = max(pathway_rounds)[1] if pathway_rounds else None
    weakest = weakest_pathway(
        {
            key: entry.figure
            for key, entry in constructs.items()
            if key not in PATHWAYS or pulse_of[key] == same_pulse
        }
    )
    return InsightsOut(
        name=name,
        scope=scope,
        constructs=constructs,
        comments=comments,
        comments_round=comments_round,
        check_ins=check_ins,
        weakest=weakest,
        what_to_try=[
            PracticeOut(title=p.title, why=p.why, link=p.link, evidence=p.evidence.text)
            for p in what_to_try(weakest)
        ],
    )


def for_viewer(
    session: Session, *, is_admin: bool, led_team_ids: set[int], team_id: int | None
) -> InsightsOut | None:
    """The scope's published figures after the access check (the page, the API and the CSV
    all read this); ``None`` before anything was published."""
    check_access(is_admin=is_admin, led_team_ids=led_team_ids, team_id=team_id)
    name = "The organisation" if team_id is None else people.get_team(session, team_id).name
    return insights(session, scope_for(team_id), name=name)


@dataclass(frozen=True)
class RoundCheckIns:
    """A programme round's check-ins as the overview shows them: published figures of the
    organisation, or why there are none (yet)."""

    status: str  # "published", "hidden" or "pending"
    words: str
    figures: CheckInRoundFigures | None


def round_check_ins(
    session: Session, rounds: Sequence[Round], *, floor: int
) -> dict[int, RoundCheckIns]:
    """For the programme round overview (page and API): no live averages, only what was
    published for the organisation, at the precision it was published."""
    ids = [r.id for r in rounds]
    published = published_check_in_rounds(session, ids)
    figures = check_in_figures(session, ids)
    found: dict[int, RoundCheckIns] = {}
    for row in rounds:
        shown = figures.get(row.id)
        if row.id not in published:
            found[row.id] = RoundCheckIns(
                "pending",
                f"check-ins close on {row.check_ins_close_on.strftime('%-d %B %Y')}; "
                "figures are published after that",
                None,
            )
        elif shown is None or shown.n is None:
            found[row.id] = RoundCheckIns(
                "hidden", f"fewer than {floor} check-ins: not shown", shown
            )
        else:
            found[row.id] = RoundCheckIns("published", f"{shown.n} check-ins", shown)
    return found


def network(session: Session, scope: str) -> NetworkSnapshot | None:
    """The scope's connection-network figures from the nightly job; None if not computed yet.

    A stored payload that no longer fits :class:`NetworkSnapshot` (written by an older
    version, before the nightly job rewrote it) counts as not computed yet: it is logged and
    the page shows the network as pending, never an error.
    """
    row = session.get(InsightSnapshot, scope)
    if row is None:
        return None
    try:
        return NetworkSnapshot.model_validate(row.payload)
    except ValidationError as error:
        log.warning(
            "insight snapshot %r does not fit this version (%s errors); shown as not computed "
            "yet until the nightly insights job rewrites it",
            scope,
            error.error_count(),
        )
        return None


# --- CSV ------------------------------------------------------------------------------------

COLUMNS = ("scope", "section", "construct", "group", "round", "n", "mean", "ci_low", "ci_high",
           "favourable_pct", "favourable_low", "favourable_high", "alpha", "alpha_low",
           "alpha_high", "alpha_n", "shrunken_mean", "icc1", "icc2")  # fmt: skip


def export_csv(view: InsightsOut) -> str:
    """The published figures shown on the page, as CSV, at the page's precision: nothing the
    page would not show.

    Columns by name (a section leaves the columns it has nothing for empty); a comment that
    looks like a spreadsheet formula is escaped (:mod:`connectwell.core.csvfile`). Section
    ``teams`` (how the teams below compare, latest round of each construct): a row ``all
    teams`` with the people compared in ``n`` and ``icc1``, ``icc2``; then a row per team with
    its ``n``, its own ``mean``, and its ``shrunken_mean`` with that mean's interval in
    ``ci_low`` and ``ci_high``.
    """
    scope = view.name
    lines: list[dict[str, object]] = []
    for key, entry in view.constructs.items():
        figure = entry.figure
        when = entry.round.opens_on.isoformat()
        if figure is not None:
            lines.append(
                {"scope": scope, "section": "score", "construct": key, "group": "all",
                 "round": when, "n": figure.n, "mean": _num(figure.mean),
                 "ci_low": _num(figure.ci_low), "ci_high": _num(figure.ci_high),
                 "favourable_pct": figure.favourable_pct,
                 "favourable_low": figure.favourable_low,
                 "favourable_high": figure.favourable_high, "alpha": _num(figure.alpha),
                 "alpha_low": _num(figure.alpha_low), "alpha_high": _num(figure.alpha_high),
                 "alpha_n": figure.alpha_n}
            )  # fmt: skip
            if figure.teams is not None:
                lines += _team_lines(scope, key, when, figure.teams)
            for section, groups in (("tenure", figure.tenure), ("location", figure.location)):
                lines += [
                    {"scope": scope, "section": section, "construct": key, "group": g.label,
                     "round": when, "n": g.n, "mean": _num(g.mean), "ci_low": _num(g.ci_low),
                     "ci_high": _num(g.ci_high)}
                    for g in groups
                    if g.n is not None
                ]  # fmt: skip
        lines += [
            {"scope": scope, "section": "trend", "construct": key,
             "group": point.round.opens_on.isoformat(), "round": point.round.opens_on.isoformat(),
             "n": point.n, "mean": _num(point.mean), "ci_low": _num(point.ci_low),
             "ci_high": _num(point.ci_high)}
            for point in entry.trend
            if point.n is not None
        ]  # fmt: skip
    when = view.comments_round.opens_on.isoformat() if view.comments_round else ""
    lines += [
        {"scope": scope, "section": "comment", "group": c, "round": when} for c in view.comments
    ]
    for point in view.check_ins:
        shown = point.figures
        if shown is None:
            continue
        day = point.round.opens_on.isoformat()
        if shown.n is not None:
            for element in ELEMENT_NAMES:
                tap = getattr(shown, element)
                lines.append(
                    {"scope": scope, "section": "check-in", "construct": element,
                     "group": point.round.name, "round": day, "n": shown.n,
                     "mean": _num(tap.mean), "ci_low": _num(tap.ci_low),
                     "ci_high": _num(tap.ci_high)}
                )  # fmt: skip
        if shown.met_n is not None:
            lines.append(
                {"scope": scope, "section": "met", "group": point.round.name, "round": day,
                 "n": shown.met_n, "favourable_pct": shown.met_pct,
                 "favourable_low": shown.met_low, "favourable_high": shown.met_high}
            )  # fmt: skip
    return to_csv(COLUMNS, lines)


def _team_lines(
    scope: str, key: str, when: str, comparison: TeamComparison
) -> list[dict[str, object]]:
    lines: list[dict[str, object]] = [
        {"scope": scope, "section": "teams", "construct": key, "group": "all teams",
         "round": when, "n": comparison.n, "mean": _num(comparison.grand_mean),
         "icc1": _num(comparison.icc1), "icc2": _num(comparison.icc2)}
    ]  # fmt: skip
    lines += [
        {"scope": scope, "section": "teams", "construct": key, "group": team.name,
         "round": when, "n": team.n, "mean": _num(team.raw_mean),
         "shrunken_mean": _num(team.mean), "ci_low": _num(team.ci_low),
         "ci_high": _num(team.ci_high)}
        for team in comparison.teams
    ]  # fmt: skip
    return lines


def _num(value: float | None) -> Decimal | None:
    """Two decimals, as published and shown (never escaped as a formula, even negative)."""
    return None if value is None else Decimal(f"{value:.2f}")
