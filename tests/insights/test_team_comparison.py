"""How the teams below a scope compare: shrunken means, ICC(1) and ICC(2), published once
with the round, from the shown teams' respondents alone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.insights import publish
from connectwell.insights.models import Publication, PublishedFigure
from connectwell.insights.schemas import PUBLISHED, PulseRoundFigures, TeamComparison, two_decimals
from connectwell.people.models import Team
from connectwell.pulses.models import Item, PulseRound
from connectwell.stats import respondent_scores, shrunken_team_means, team_agreement
from tests.insights.publishing import FLOOR, NOW, TODAY, pulse_round, respond, teams


def _answers(k: int, size: int, lean: int) -> list[int]:
    """Answers that vary within a team and lean up or down by team."""
    return [min(5, max(1, 1 + (k * 2 + j * (k % 3 + 1)) % 4 + lean)) for j in range(size)]


def _top_level(db: Session, *names: str) -> list[Team]:
    found = [Team(name=name) for name in names]
    db.add_all(found)
    db.flush()
    return found


def _answer(
    db: Session, row: PulseRound, plan: list[tuple[Team, int, int]]
) -> dict[int, list[list[int]]]:
    """``(team, people, lean)`` each; returns every team's answers as given."""
    given: dict[int, list[list[int]]] = {}
    for team, people, lean in plan:
        for k in range(people):
            values = _answers(k, len(row.item_ids), lean)
            respond(db, row, team, values)
            given.setdefault(team.id, []).append(values)
    db.flush()
    return given


def _figures(db: Session, row: PulseRound, scope: str) -> PulseRoundFigures | None:
    db.expire_all()
    publication = db.scalar(select(Publication).where(Publication.source_id == row.id))
    assert publication is not None
    stored = db.get(PublishedFigure, (publication.id, scope))
    if stored is None:
        return None
    figures = PUBLISHED.validate_python(stored.payload)
    assert isinstance(figures, PulseRoundFigures)
    return figures


def _comparison(db: Session, row: PulseRound, scope: str = "org") -> TeamComparison | None:
    figures = _figures(db, row, scope)
    assert figures is not None
    return figures.constructs["trusting"].teams


def test_the_stored_comparison_equals_the_stats_functions_on_the_same_person_scores(
    db: Session,
) -> None:
    north, south, west = _top_level(db, "North", "South", "West")
    row = pulse_round(db, TODAY - dt.timedelta(days=10))
    given = _answer(db, row, [(north, 8, 0), (south, 9, 1), (west, 14, -1)])

    publish.publish_pulse_round(db, row, floor=FLOOR, now=NOW)

    reverse = [db.get(Item, i).reverse_coded for i in row.item_ids]  # type: ignore[union-attr]
    scores, labels = [], []
    for team in (north, south, west):  # the tree lists children by name
        scores += respondent_scores(given[team.id], reverse).tolist()
        labels += [team.id] * len(given[team.id])
    agreement = team_agreement(scores, labels)
    model = shrunken_team_means(scores, labels)
    comparison = _comparison(db, row)
    assert comparison is not None and model.method is not None
    assert agreement.icc1 is not None and agreement.icc2 is not None
    assert (comparison.icc1, comparison.icc2) == (
        two_decimals(agreement.icc1),
        two_decimals(agreement.icc2),
    )
    assert (comparison.groups, comparison.n, comparison.method) == (3, 31, model.method)
    assert comparison.reason == model.reason
    assert [(t.scope, t.name, t.n) for t in comparison.teams] == [
        (f"team:{north.id}", "North", 8),
        (f"team:{south.id}", "South", 9),
        (f"team:{west.id}", "West", 14),
    ]
    for team, stored in zip((north, south, west), comparison.teams, strict=True):
        expected = model.teams[team.id]
        assert (stored.raw_mean, stored.mean, stored.ci_low, stored.ci_high) == tuple(
            two_decimals(v)
            for v in (expected.raw_mean, expected.mean, expected.ci_low, expected.ci_high)
        )
        own = _figures(db, row, f"team:{team.id}")
        assert own is not None and own.constructs["trusting"].mean == stored.raw_mean


def test_a_hidden_teams_answers_never_move_the_comparison(db: Session) -> None:
    north, south, small, tiny = _top_level(db, "North", "South", "Small", "Tiny")
    first = pulse_round(db, TODAY - dt.timedelta(days=20))
    second = pulse_round(db, TODAY - dt.timedelta(days=10))
    # Small and Tiny are under the floor; together (6) they leave no one to be worked out.
    _answer(db, first, [(north, 8, 0), (south, 9, 1), (small, 3, -1), (tiny, 3, 0)])
    _answer(db, second, [(north, 8, 0), (south, 9, 1), (small, 3, 2), (tiny, 3, 0)])

    publish.publish_due(db, floor=FLOOR, now=NOW)

    before, after = _comparison(db, first), _comparison(db, second)
    assert before is not None and before == after
    assert before.groups == 2 and before.n == 17
    assert f"team:{small.id}" not in {t.scope for t in before.teams}
    assert _figures(db, first, f"team:{small.id}") is None  # Small itself is hidden
    org_before, org_after = _figures(db, first, "org"), _figures(db, second, "org")
    assert org_before is not None and org_after is not None
    # Small's answers are in the organisation's own figure, and nowhere in the comparison.
    assert org_before.constructs["trusting"].mean != org_after.constructs["trusting"].mean


def test_a_scope_with_one_shown_child_has_no_comparison(db: Session) -> None:
    engineering, platform, _payments = teams(db)
    row = pulse_round(db, TODAY - dt.timedelta(days=10))
    _answer(db, row, [(platform, 12, 0)])

    publish.publish_pulse_round(db, row, floor=FLOOR, now=NOW)

    assert _comparison(db, row, "org") is None
    assert _comparison(db, row, f"team:{engineering.id}") is None
    assert _comparison(db, row, f"team:{platform.id}") is None


def test_a_team_below_compares_its_own_shown_children_and_the_organisation_its_top_teams(
    db: Session,
) -> None:
    engineering, platform, payments = teams(db)
    [sales] = _top_level(db, "Sales")
    row = pulse_round(db, TODAY - dt.timedelta(days=10))
    _answer(db, row, [(platform, 7, 0), (payments, 8, 1), (sales, 6, -1)])

    publish.publish_pulse_round(db, row, floor=FLOOR, now=NOW)

    org = _comparison(db, row, "org")
    below = _comparison(db, row, f"team:{engineering.id}")
    assert org is not None and below is not None
    assert [(t.name, t.n) for t in org.teams] == [("Engineering", 15), ("Sales", 6)]
    assert [(t.name, t.n) for t in below.teams] == [("Payments", 8), ("Platform", 7)]
    for comparison in (org, below):
        for team in comparison.teams:
            assert team.mean is not None and team.ci_low is not None and team.ci_high is not None
            assert team.ci_low < team.mean < team.ci_high
            low, high = sorted((team.raw_mean, comparison.grand_mean or 0.0))
            assert low - 0.01 <= team.mean <= high + 0.01  # pulled towards the overall mean
