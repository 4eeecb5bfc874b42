"""Counts of people with few recorded connections, in bands that tell nobody's status.

The attacks of issue 9 ("network counts outside the gate") replayed on the pure rule, and a
brute force over small random organisations: an intruder who knows the rule and every group's
members tries every possible count in every cell and keeps those that would have published
exactly what was published.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from connectwell.network import (
    Band,
    NetworkInputError,
    band_problems,
    consistent_counts,
    count_bands,
    plan_counts,
    share_band,
)

Publish = Callable[[Sequence[int]], tuple[tuple[str, Band], ...]]


@dataclass(frozen=True)
class Organisation:
    """Shown groups built from atoms (the people in exactly the same shown groups)."""

    sizes: tuple[int, ...]  # people per atom
    groups: dict[str, tuple[int, ...]]  # group -> atoms it holds
    parent: dict[str, str | None]

    def people(self, atom: int) -> list[tuple[int, int]]:
        return [(atom, k) for k in range(self.sizes[atom])]

    def members(self, group: str) -> frozenset[Hashable]:
        return frozenset(p for atom in self.groups[group] for p in self.people(atom))

    def size(self, group: str) -> int:
        return sum(self.sizes[atom] for atom in self.groups[group])

    def publish(self, minimum: int) -> Publish:
        plan = plan_counts({g: self.members(g) for g in self.groups}, self.parent, minimum=minimum)

        def publish(counts: Sequence[int]) -> tuple[tuple[str, Band], ...]:
            flagged = frozenset((atom, k) for atom, c in enumerate(counts) for k in range(c))
            return tuple(sorted(count_bands(plan, flagged).items()))

        return publish


def _exact(org: Organisation) -> Callable[[Sequence[int]], Hashable]:
    """The old publication: every group's exact count (teams of at least 5 by size alone)."""

    def publish(counts: Sequence[int]) -> tuple[tuple[str, int], ...]:
        return tuple(
            sorted(
                (g, sum(counts[a] for a in atoms))
                for g, atoms in org.groups.items()
                if sum(org.sizes[a] for a in atoms) >= 5
            )
        )

    return publish


# An organisation of 18: Alpha (10) is shown, Beta (5) and Gamma (3) are not (the gate refuses
# Beta: the organisation minus Alpha and Beta leaves Gamma's 3). Atoms: Alpha, Beta, Gamma.
THREE_TEAMS = Organisation(
    sizes=(10, 5, 3),
    groups={"org": (0, 1, 2), "alpha": (0,), "beta": (1,), "gamma": (2,)},
    parent={"org": None, "alpha": "org", "beta": "org", "gamma": "org"},
)
SHOWN_THREE = Organisation(
    sizes=(10, 8),
    groups={"org": (0, 1), "alpha": (0,)},
    parent={"org": None, "alpha": "org"},
)


def test_every_band_holds_two_counts_and_never_only_nobody_or_everybody() -> None:
    for people in range(4, 80):
        bands = [share_band(count, people) for count in range(people + 1)]
        for count, band in enumerate(bands):
            assert count in band
            assert band.high - band.low >= 1
            assert band.low <= people - 1 and band.high >= 1
            assert all(bands[c] == band for c in range(band.low, band.high + 1))


def test_the_grid_is_fifths_of_the_group() -> None:
    assert [(b.low, b.high) for b in map(lambda c: share_band(c, 20), (0, 4, 8, 12, 20))] == [
        (0, 3),
        (4, 7),
        (8, 11),
        (12, 15),
        (16, 20),
    ]


def test_a_band_for_fewer_than_four_people_is_refused_naming_the_field() -> None:
    with pytest.raises(NetworkInputError, match="people"):
        share_band(1, 3)
    with pytest.raises(NetworkInputError, match="count"):
        share_band(11, 10)


def test_a_team_of_five_shows_no_count_with_a_floor_of_five() -> None:
    org = Organisation(
        sizes=(10, 5, 5),
        groups={"org": (0, 1, 2), "alpha": (0,), "beta": (1,)},
        parent={"org": None, "alpha": "org", "beta": "org"},
    )

    published = dict(org.publish(minimum=10)([0, 5, 0]))

    assert "beta" not in published  # all five have few connections: nothing says so
    assert set(published) == {"org", "alpha"}
    assert consistent_counts(org.publish(10), org.sizes, [0, 5, 0])[1] == set(range(6))


def test_before_the_organisation_minus_the_shown_teams_gave_the_hidden_team_exactly() -> None:
    counts = [0, 5, 3]  # nobody in Alpha, everybody in Beta and Gamma

    before = consistent_counts(_exact(THREE_TEAMS), THREE_TEAMS.sizes, counts)

    assert before == [{0}, {5}, {3}]  # Beta's and Gamma's statuses, everyone's, exactly


def test_the_organisation_minus_the_shown_teams_no_longer_gives_a_hidden_team() -> None:
    counts = [0, 8]  # Alpha: nobody; the other 8 (Beta and Gamma): everybody
    publish = SHOWN_THREE.publish(minimum=10)

    published = dict(publish(counts))
    found = consistent_counts(publish, SHOWN_THREE.sizes, counts)

    assert set(published) == {"org"}  # the 8 left over are merged with Alpha: one cell of 18
    assert (published["org"].low, published["org"].high) == (8, 10)
    assert found == [set(range(0, 11)), set(range(0, 9))]
    assert band_problems(found, SHOWN_THREE.sizes) == []


def test_nobody_and_everybody_in_a_team_give_no_exact_answer() -> None:
    org = Organisation(
        sizes=(10, 10),
        groups={"org": (0, 1), "delta": (0,), "epsilon": (1,)},
        parent={"org": None, "delta": "org", "epsilon": "org"},
    )
    publish = org.publish(minimum=10)

    published = dict(publish([10, 0]))
    found = consistent_counts(publish, org.sizes, [10, 0])

    assert published["delta"] == Band(8, 10, 10) and published["epsilon"] == Band(0, 1, 10)
    assert published["org"] == Band(8, 11, 20)
    assert found == [{8, 9, 10}, {0, 1}]


def test_the_checker_finds_exact_counts() -> None:
    found = consistent_counts(_exact(THREE_TEAMS), THREE_TEAMS.sizes, [1, 2, 0])

    assert len(band_problems(found, THREE_TEAMS.sizes)) == 3


def test_a_small_rest_is_merged_into_the_smallest_shown_team_so_the_parent_keeps_a_count() -> None:
    groups = {
        "org": frozenset(range(40)),
        "big": frozenset(range(20)),
        "small": frozenset(range(20, 32)),
    }

    plan = plan_counts(groups, {"org": None, "big": "org", "small": "org"}, minimum=10)

    assert plan.cells == (frozenset(range(20)), frozenset(range(20, 40)))
    assert plan.counted == {"big": (0,), "org": (0, 1)}


def test_a_group_outside_its_parent_is_refused_naming_it() -> None:
    with pytest.raises(NetworkInputError, match="inside its parent"):
        plan_counts(
            {"org": frozenset(range(10)), "odd": frozenset({99})},
            {"org": None, "odd": "org"},
            minimum=10,
        )


@st.composite
def organisations(draw: st.DrawFn) -> Organisation:
    """A root, one to three teams, each with up to two sub-teams; every node's own people form
    an atom (possibly empty at the root: everyone is in a team)."""
    sizes: list[int] = []
    groups: dict[str, list[int]] = {}
    parent: dict[str, str | None] = {}

    def node(name: str, up: str | None, own: int) -> None:
        parent[name] = up
        groups[name] = []
        if own:
            groups[name].append(len(sizes))
            sizes.append(own)

    node("org", None, draw(st.sampled_from([0, 1, 2, 3, 4, 6])))
    for t in range(draw(st.integers(1, 3))):
        node(f"t{t}", "org", draw(st.integers(1, 12)))
        for s in range(draw(st.integers(0, 2))):
            node(f"t{t}s{s}", f"t{t}", draw(st.integers(1, 8)))
    # A group holds its own atom and its descendants'.
    for name in sorted(groups, key=lambda n: -len(n)):
        up = parent[name]
        if up is not None:
            groups[up].extend(groups[name])
    return Organisation(tuple(sizes), {g: tuple(sorted(a)) for g, a in groups.items()}, parent)


@settings(max_examples=60, deadline=None)
@given(organisations(), st.integers(3, 5), st.data())
def test_whatever_is_shown_every_cell_keeps_two_counts_neither_nobody_nor_everybody(
    org: Organisation, floor: int, data: st.DataObject
) -> None:
    assume(math.prod(size + 1 for size in org.sizes) <= 20_000)
    counts = [
        data.draw(st.integers(0, size), label=f"atom {a}") for a, size in enumerate(org.sizes)
    ]
    publish = org.publish(minimum=2 * floor)

    groups = [g for g, atoms in org.groups.items() if atoms]

    found = consistent_counts(publish, org.sizes, counts, [org.groups[g] for g in groups])

    sizes = [*org.sizes, *(org.size(g) for g in groups)]
    assert band_problems(found, sizes) == []  # every cell, and every group, keeps two counts
    truth = [*counts, *(sum(counts[a] for a in org.groups[g]) for g in groups)]
    for values, size, true in zip(found, sizes, truth, strict=True):
        assert true in values and values != {0} and values != {size}
