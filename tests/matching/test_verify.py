"""`verify` catches every broken hard rule, so that the other tests can fail."""

from __future__ import annotations

import datetime as dt

import pytest

from connectwell.matching import InvalidResultError, Participant, PastGroup, Rules, verify

from .rosters import ROUND_DATE

PEOPLE = [Participant(name, team="t" if name in "AB" else "u") for name in "ABCDE"]
RULES = Rules(reference_date=ROUND_DATE)


@pytest.mark.parametrize(
    ("groups", "problem"),
    [
        ([("A", "B"), ("C", "D")], "1 people dropped"),
        ([("A", "B"), ("C", "D", "E", "A")], "placed twice"),
        ([("A", "B"), ("C", "D", "E", "Z")], "unknown people"),
        ([("A",), ("B", "C", "D", "E")], "groups of size [1]"),
        ([("A", "B", "C", "D", "E", "A")], "placed twice"),
        ([("A", "C"), ("B", "D", "E")], "1 excluded pairs"),
    ],
)
def test_it_rejects_a_result_that_breaks_a_hard_rule(
    groups: list[tuple[str, ...]], problem: str
) -> None:
    with pytest.raises(InvalidResultError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        verify(groups, PEOPLE, exclusions=[("A", "C")], rules=RULES)
    report = verify(groups, PEOPLE, exclusions=[("A", "C")], rules=RULES, strict=False)
    assert not report.ok


def test_it_counts_repeats_with_their_age_and_same_team_pairs() -> None:
    history = [
        PastGroup(ROUND_DATE - dt.timedelta(weeks=3), ("A", "C")),
        PastGroup(ROUND_DATE - dt.timedelta(weeks=30), ("B", "D")),  # outside the window
    ]
    report = verify([("A", "C"), ("B", "D", "E")], PEOPLE, history=history, rules=RULES)
    assert report.ok
    assert report.repeats == 1 and report.repeat_ages_days == (21,)
    assert report.same_team_pairs == 1  # D and E
    report = verify([("A", "B"), ("C", "D", "E")], PEOPLE, rules=RULES)
    assert report.same_team_pairs == 1 + 3
    assert report.pairs == 4


def test_it_checks_every_pair_inside_every_group_not_only_neighbours() -> None:
    day = dt.date(2025, 1, 6)
    people = [Participant(f"p{k}", team="same") for k in range(5)]
    people += [Participant("tokyo", team="other", timezone="Asia/Tokyo")]
    people += [Participant(f"q{k}", team=f"q{k}") for k in range(3)]
    group = ("p0", "p1", "p2", "p3", "p4")
    trio = ("tokyo", "q0", "q1")
    history = [PastGroup(day - dt.timedelta(weeks=2), ("p0", "p4"))]
    rules = Rules(group_size=5, reference_date=day)
    report = verify(
        [group, trio, ("q2",)],
        people,
        history=history,
        exclusions=[("p1", "p4")],
        rules=rules,
        strict=False,
    )
    assert report.pairs == 10 + 3
    assert report.same_team_pairs == 10
    assert report.excluded_pairs == 1
    assert report.repeats == 1 and report.repeat_ages_days == (14,)
    assert report.pairs_without_shared_hours == 2  # tokyo with q0 and with q1, not q0 with q1
    assert "1 excluded pairs grouped, e.g. 'p1' and 'p4'" in report.problems
