"""verify_no_isolation: the linear-algebra check of published groups."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectwell.stats import (
    AnonymityPolicy,
    StatsInputError,
    verify_disclosure,
    verify_no_isolation,
)

from .orgs import isolated_by_algebra

group_sets = st.lists(
    st.frozensets(st.integers(0, 30), min_size=1, max_size=25), min_size=1, max_size=8
)


def test_a_team_and_a_sub_team_of_all_but_one_isolate_the_one() -> None:
    team, sub_team = frozenset(range(10)), frozenset(range(9))
    problems = verify_no_isolation([team, sub_team], 5)
    isolated = [p for p in problems if p.kind == "isolated"]
    assert len(isolated) == 1
    assert isolated[0].groups == (0, 1) and isolated[0].size == 1
    assert "respondent 9" in isolated[0].message
    assert [(p.kind, p.size, p.groups) for p in problems if p.kind == "cell"] == [("cell", 1, (0,))]


def test_sibling_sub_teams_that_leave_three_are_a_cell_under_the_floor() -> None:
    team = frozenset(range(20))
    eight, nine = frozenset(range(8)), frozenset(range(8, 17))
    assert verify_no_isolation([team, eight], 5) == []
    problems = verify_no_isolation([team, eight, nine], 5)
    assert [(p.kind, p.size) for p in problems] == [("cell", 3)]  # nobody alone, but 3 together
    assert problems[0].groups == (0,)


def test_nothing_published_isolates_nobody() -> None:
    assert verify_no_isolation([], 5) == []
    assert verify_no_isolation([frozenset()], 5) == []


@settings(max_examples=300, deadline=None)
@given(groups=group_sets, floor=st.integers(3, 6))
def test_it_agrees_with_the_set_algebra_and_with_the_null_space_check(
    groups: list[frozenset[int]], floor: int
) -> None:
    problems = verify_no_isolation(groups, floor)
    # no problem exactly when every cell has the floor, as verify_disclosure's set algebra says
    assert (problems == []) == (verify_disclosure(groups, AnonymityPolicy(floor=floor)) == [])
    # the isolated respondents are exactly those the null-space check finds alone
    universe = sorted(set().union(*groups))
    alone = {next(iter(s)) for s in isolated_by_algebra(groups, universe) if len(s) == 1}
    flagged = {int(p.message.split()[1]) for p in problems if p.kind == "isolated"}
    assert flagged == alone
    # the combination it names does give the respondent's indicator
    for problem in problems:
        if problem.kind == "isolated":
            target = int(problem.message.split()[1])
            matrix = np.array([[r in groups[g] for r in universe] for g in problem.groups], float)
            weights = np.linalg.lstsq(matrix.T, np.eye(len(universe))[universe.index(target)])[0]
            assert np.allclose(weights @ matrix, np.eye(len(universe))[universe.index(target)])


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: verify_no_isolation([{1, 2}], 0), "floor"),
        (lambda: verify_no_isolation([{1, 2}], 2.5), "floor"),  # type: ignore[arg-type]
        (lambda: verify_no_isolation([{1, 2}, [3]], 3), "groups[1]"),  # type: ignore[list-item]
    ],
)
def test_bad_input_to_the_isolation_check_names_the_field(call: object, field: str) -> None:
    with pytest.raises(StatsInputError) as raised:
        call()  # type: ignore[operator]
    assert raised.value.field == field
