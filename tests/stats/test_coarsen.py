"""Coarsened attributes: every stored combination is shared by at least the floor of the
audience, generalises its ballot's, and is no coarser than needed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectwell.stats import Attributes, StatsInputError, coarsen_attributes, verify_coarsening

# Teams 1-2 at the top; 3-4 under 1; 5 under 3; 6 under 2.
PARENTS: dict[int, int | None] = {1: None, 2: None, 3: 1, 4: 1, 5: 3, 6: 2}

people = st.builds(
    Attributes,
    st.one_of(st.none(), st.sampled_from(sorted(PARENTS))),
    st.sampled_from(["", "under 1 year", "1-3 years", "3 years or more"]),
    st.sampled_from(["", "Berlin", "Lisbon", "Austin"]),
)


@settings(max_examples=300, deadline=None)
@given(audience=st.lists(people, min_size=1, max_size=40), floor=st.integers(1, 8), data=st.data())
def test_every_stored_combination_is_shared_by_the_floor_and_no_coarser_than_needed(
    audience: list[Attributes], floor: int, data: st.DataObject
) -> None:
    ballots = data.draw(st.lists(st.sampled_from(audience), max_size=len(audience)))

    stored = coarsen_attributes(ballots, audience, PARENTS, floor)

    assert verify_coarsening(ballots, stored, audience, PARENTS, floor) == []


def test_a_lone_person_is_generalised_location_then_tenure_then_to_the_parent_team() -> None:
    crowd = [Attributes(5, "1-3 years", "Berlin")] * 4 + [Attributes(4, "1-3 years", "Lisbon")]
    alone = Attributes(5, "under 1 year", "Austin")
    audience = [*crowd, alone]

    assert coarsen_attributes([crowd[0]], audience, PARENTS, 4) == [crowd[0]]
    assert coarsen_attributes([alone], audience, PARENTS, 5) == [Attributes(5)]
    assert coarsen_attributes([crowd[4]], audience, PARENTS, 5) == [Attributes(1)]
    assert coarsen_attributes([crowd[4]], audience, PARENTS, 6) == [Attributes(1)]  # all 6
    assert coarsen_attributes([crowd[4]], audience, PARENTS, 7) == [Attributes(None)]


def test_the_checker_catches_a_combination_matching_one_person() -> None:
    audience = [Attributes(3, "", "Berlin")] * 5 + [Attributes(4, "", "Lisbon")]

    problems = verify_coarsening([audience[5]], [audience[5]], audience, PARENTS, 5)

    assert problems and "shared by 1 < 5" in problems[0]


def test_a_floor_below_one_is_refused_naming_the_field() -> None:
    with pytest.raises(StatsInputError) as error:
        coarsen_attributes([], [], PARENTS, 0)
    assert error.value.field == "floor"
