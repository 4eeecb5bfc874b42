"""The anonymity rules, case by case: floors, distributions, breakdowns and differencing."""

from __future__ import annotations

import pytest

from connectwell.stats import (
    MIN_FLOOR,
    AnonymityPolicy,
    Disclosure,
    StatsInputError,
    allowed_breakdowns,
    may_show_comments,
    may_show_distribution,
    may_show_score,
    verify_disclosure,
)

POLICY = AnonymityPolicy()


def people(start: int, count: int) -> frozenset[int]:
    return frozenset(range(start, start + count))


def test_the_default_floors_are_5_for_scores_and_10_for_comments() -> None:
    assert (POLICY.floor, POLICY.comment_floor) == (5, 10)
    assert not may_show_score(4, POLICY) and may_show_score(5, POLICY)
    assert may_show_score(people(0, 5), POLICY)
    assert not may_show_comments(9, POLICY) and may_show_comments(10, POLICY)


@pytest.mark.parametrize("floor", [2, 1, 0, -5])
def test_the_floor_cannot_be_set_below_3(floor: int) -> None:
    with pytest.raises(ValueError, match="floor") as raised:
        AnonymityPolicy(floor=floor)
    assert isinstance(raised.value, StatsInputError) and raised.value.field == "floor"


@pytest.mark.parametrize("floor", [3.0, True, "5"])
def test_the_floor_must_be_a_whole_number(floor: object) -> None:
    with pytest.raises(StatsInputError, match=r"^floor: "):
        AnonymityPolicy(floor=floor)  # type: ignore[arg-type]


def test_a_floor_of_3_is_allowed_and_configurable_upwards() -> None:
    assert MIN_FLOOR == 3
    assert may_show_score(3, AnonymityPolicy(floor=3))
    assert not may_show_score(7, AnonymityPolicy(floor=8))
    with pytest.raises(StatsInputError, match=r"^comment_floor: "):
        AnonymityPolicy(comment_floor=2)


def test_comments_need_the_higher_of_the_two_floors() -> None:
    strict = AnonymityPolicy(floor=12)
    assert not may_show_comments(11, strict) and may_show_comments(12, strict)


def test_counts_must_be_whole_and_not_negative() -> None:
    with pytest.raises(StatsInputError, match=r"^n: "):
        may_show_score(-1, POLICY)
    with pytest.raises(StatsInputError, match=r"^counts_by_option\['agree'\]: "):
        may_show_distribution({"agree": 2.5}, POLICY)  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        ([0, 0, 5, 7, 6], True),  # options nobody chose do not count
        ({1: 0, 2: 5, 3: 5, 4: 0, 5: 0}, True),
        ([1, 0, 5, 7, 6], False),  # the one person who chose 1: the whole distribution goes
        ([0, 0, 0, 0, 4], False),
        ([0, 0, 0, 0, 0], False),
    ],
)
def test_a_distribution_is_suppressed_whole_if_any_chosen_option_is_under_the_floor(
    counts: list[int] | dict[int, int], shown: bool
) -> None:
    assert may_show_distribution(counts, POLICY) is shown


def test_a_sub_team_is_hidden_when_its_complement_in_the_team_is_under_the_floor() -> None:
    team = people(0, 12)
    sub_team = people(0, 9)  # the 3 others would be exposed by team - sub-team
    assert allowed_breakdowns(team, {"platform": sub_team, "others": team - sub_team}, POLICY) == {
        "platform": False,
        "others": False,
    }
    problem = Disclosure(POLICY, [team]).check(sub_team)
    assert problem is not None and problem.size == 3


def test_sub_teams_are_shown_when_both_they_and_their_complements_reach_the_floor() -> None:
    team = people(0, 20)
    allowed = allowed_breakdowns(team, {"a": people(0, 10), "b": people(10, 10)}, POLICY)
    assert allowed == {"a": True, "b": True}


def test_a_child_equal_to_its_parent_is_allowed() -> None:
    team = people(0, 6)
    assert allowed_breakdowns(team, {"everyone": team}, POLICY) == {"everyone": True}


def test_siblings_cannot_be_subtracted_together_to_expose_the_rest() -> None:
    # 20 = 8 + 9 + 3: each sub-team's own complement is 12 or 11, but team - 8 - 9 = 3.
    team = people(0, 20)
    children = {"small": people(17, 3), "eight": people(0, 8), "nine": people(8, 9)}
    allowed = allowed_breakdowns(team, children, POLICY)
    assert allowed == {"small": False, "eight": False, "nine": True}  # largest first
    everything = [team, children["eight"], children["nine"]]
    assert [p.kind for p in verify_disclosure(everything, POLICY)] == ["cell"]
    assert verify_disclosure([team, children["nine"]], POLICY) == []


def test_pairwise_differences_alone_would_miss_the_sibling_attack() -> None:
    team, eight, nine = people(0, 20), people(0, 8), people(8, 9)
    views = (team, eight, nine)
    assert all(len(a - b) == 0 or len(a - b) >= 5 for a in views for b in views)
    # ...yet the team's sum minus the two sub-teams' sums is the sum of the last 3 people.
    assert team - eight - nine == people(17, 3)
    problems = verify_disclosure(views, POLICY)
    assert [(p.kind, p.groups, p.size) for p in problems] == [("cell", (0,), 3)]


def test_a_breakdown_of_a_hidden_parent_is_hidden() -> None:
    team = people(0, 4)
    assert allowed_breakdowns(team, {"all": team}, POLICY) == {"all": False}


def test_a_child_outside_its_parent_is_refused_by_name() -> None:
    with pytest.raises(StatsInputError, match=r"^children\['leeds'\]: 1 respondent"):
        allowed_breakdowns(people(0, 10), {"leeds": people(5, 6)}, POLICY)


def test_what_was_shown_before_limits_a_new_breakdown() -> None:
    # The viewer saw Leeds (people 0..9) and the whole team (0..29) before; the tenure band
    # 3..15 would split Leeds into 7 and 3.
    leeds, team = people(0, 10), people(0, 30)
    bands = {"<1y": people(3, 13), "1y+": team - people(3, 13)}
    assert allowed_breakdowns(team, bands, POLICY) == {"<1y": True, "1y+": True}
    assert allowed_breakdowns(team, bands, POLICY, already_shown=[leeds]) == {
        "<1y": False,
        "1y+": False,
    }


def test_overlapping_views_are_refused_when_either_difference_is_under_the_floor() -> None:
    disclosure = Disclosure(POLICY)
    assert disclosure.request(people(0, 10))
    assert not disclosure.request(people(3, 10))  # 0..2 and 10..12: differences of 3
    assert disclosure.request(people(5, 10))  # 0..4 and 10..14: differences of 5
    assert verify_disclosure(disclosure.shown, POLICY) == []


def test_a_wider_view_is_refused_when_it_adds_fewer_than_the_floor() -> None:
    disclosure = Disclosure(POLICY, [people(0, 10)])
    problem = disclosure.check(people(0, 12))  # the 2 added would be found by subtraction
    assert problem is not None and problem.size == 2
    assert disclosure.request(people(0, 15))


def test_the_same_group_by_another_route_is_allowed_again_and_recorded_once() -> None:
    disclosure = Disclosure(POLICY)
    team = people(0, 7)
    assert disclosure.request(team)
    assert disclosure.request(set(team))
    assert disclosure.shown == (team,)
    assert not disclosure.request(people(0, 5))  # would leave 2
    assert not disclosure.request(people(0, 5))  # and still would


def test_comments_are_gated_on_the_comment_floor_with_differencing() -> None:
    comments = Disclosure(POLICY, comments=True)
    assert not comments.request(people(0, 9))
    assert comments.request(people(0, 20))
    assert not comments.request(people(0, 12))  # the comments of the other 8 would stand apart
    assert comments.request(people(0, 10))
    assert verify_disclosure(comments.shown, POLICY, comments=True) == []
    assert verify_disclosure(comments.shown, POLICY) == []


def test_a_recorded_history_that_broke_the_rules_only_blocks_new_problems() -> None:
    disclosure = Disclosure(POLICY, [people(0, 10), people(0, 7)])
    assert [p.size for p in verify_disclosure(disclosure.shown, POLICY)] == [3]
    assert disclosure.request(people(20, 6))
    assert not disclosure.request(people(0, 4))


def test_verify_disclosure_names_each_kind_of_problem() -> None:
    shown = [people(0, 4), people(10, 10), people(10, 8)]
    problems = verify_disclosure(shown, POLICY)
    assert [(p.kind, p.groups, p.size) for p in problems] == [
        ("group", (0,), 4),
        ("difference", (1, 2), 2),
    ]
    overlapping = verify_disclosure([people(0, 10), people(2, 10)], POLICY)
    assert {(p.kind, p.size) for p in overlapping} == {("difference", 2)}
    assert verify_disclosure([], POLICY) == []


def test_a_group_must_be_a_set() -> None:
    with pytest.raises(StatsInputError, match=r"^group: "):
        Disclosure(POLICY).request([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(StatsInputError, match=r"^policy: "):
        Disclosure(5)  # type: ignore[arg-type]
