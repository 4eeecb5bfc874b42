"""The gate over time: answers arrive in rounds, rounds close, and figures are published again
and again (team trees that change between publications, breakdowns by attribute, windows of
rounds, an old round published again under a new tree). Each publication goes through a
Disclosure seeded with the ledger of everything published before; after every step, no linear
combination of everything published isolates fewer than the floor."""

from __future__ import annotations

from collections.abc import Hashable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from connectwell.stats import (
    AnonymityPolicy,
    Disclosure,
    verify_disclosure,
    verify_no_isolation,
)

from .orgs import LOCATIONS, TENURE_BANDS, isolated_by_algebra

Respondent = tuple[int, int]  # (person, round): one set of answers


@dataclass
class World:
    """An organisation over time: who is in which team now, who answered which round, which
    rounds are closed, and the ledger of every group published."""

    teams: list[int]  # person -> team, today
    tenure: list[str]
    location: list[str]
    answered: list[frozenset[int]]  # round -> the people who answered it (sealed until closed)
    closed: int = 1  # rounds 0..closed-1 are closed
    ledger: list[frozenset[Hashable]] = field(default_factory=list)

    def respondents(self, rounds: range) -> frozenset[Respondent]:
        return frozenset((p, r) for r in rounds for p in self.answered[r])

    def by(self, group: AbstractSet[Respondent], key: str) -> dict[str, frozenset[Respondent]]:
        values = {"team": self.teams, "tenure": self.tenure, "location": self.location}[key]
        children: dict[str, set[Respondent]] = {}
        for respondent in group:
            children.setdefault(str(values[respondent[0]]), set()).add(respondent)
        return {label: frozenset(members) for label, members in sorted(children.items())}


@st.composite
def worlds(draw: st.DrawFn) -> World:
    people = draw(st.integers(12, 80))
    team_count = draw(st.integers(2, 4))
    rounds = draw(st.integers(1, 4))
    locations = LOCATIONS[: draw(st.integers(1, 3))]
    return World(
        teams=[draw(st.integers(0, team_count - 1)) for _ in range(people)],
        tenure=[draw(st.sampled_from(TENURE_BANDS)) for _ in range(people)],
        location=[draw(st.sampled_from(locations)) for _ in range(people)],
        answered=[
            frozenset(p for p in range(people) if draw(st.integers(0, 9)) < 8)
            for _ in range(rounds)
        ],
    )


STEPS = ("close", "reorganise", "teams", "attribute", "team by attribute", "window")


def _publish(world: World, policy: AnonymityPolicy, data: st.DataObject, step: str) -> None:
    """One publication through a Disclosure seeded with the ledger; the ledger then holds
    everything it allowed."""
    first = data.draw(st.integers(0, world.closed - 1))
    rounds = range(first, first + 1)
    if step == "window":  # a trend window of whole closed rounds
        rounds = range(first, data.draw(st.integers(first, world.closed - 1)) + 1)
    everyone = world.respondents(rounds)
    disclosure = Disclosure(policy, shown=world.ledger)
    if step in ("teams", "window"):  # the current tree, for an old round too
        disclosure.breakdown(everyone, world.by(everyone, "team"))
    elif step == "attribute":
        disclosure.breakdown(
            everyone, world.by(everyone, data.draw(st.sampled_from(["tenure", "location"])))
        )
    else:  # one team, broken down by an attribute
        teams = world.by(everyone, "team")
        if teams:
            team = teams[data.draw(st.sampled_from(sorted(teams)))]
            disclosure.breakdown(
                team, world.by(team, data.draw(st.sampled_from(["tenure", "location"])))
            )
    world.ledger = list(disclosure.shown)


def _hidden_sets_cannot_be_solved_for(
    ledger: list[frozenset[Hashable]], floor: int, data: st.DataObject
) -> None:
    """A few sets of fewer than ``floor`` published respondents: the sum of their answers is no
    combination of published sums (their indicator is not in the row space)."""
    universe = sorted(set().union(*ledger)) if ledger else []
    if len(universe) < 1:
        return
    index = {r: k for k, r in enumerate(universe)}
    matrix = np.zeros((len(ledger), len(universe)))
    for row, group in enumerate(ledger):
        matrix[row, [index[r] for r in group]] = 1.0
    for _ in range(3):
        size = data.draw(st.integers(1, min(floor - 1, len(universe))))
        hidden = data.draw(
            st.lists(st.sampled_from(universe), min_size=size, max_size=size, unique=True)
        )
        target = np.zeros(len(universe))
        target[[index[r] for r in hidden]] = 1.0
        weights = np.linalg.lstsq(matrix.T, target, rcond=None)[0]
        assert not np.allclose(weights @ matrix, target, atol=1e-7), hidden


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(world=worlds(), floor=st.integers(3, 6), data=st.data())
def test_no_sequence_of_closed_rounds_and_publications_isolates_anyone(
    world: World, floor: int, data: st.DataObject
) -> None:
    policy = AnonymityPolicy(floor=floor)
    for _ in range(data.draw(st.integers(1, 20))):
        step = data.draw(st.sampled_from(STEPS))
        if step == "close" and world.closed < len(world.answered):
            world.closed += 1  # its sealed answers are counted: nothing is published before
        elif step == "reorganise":  # people move team between publications
            for person in data.draw(st.lists(st.integers(0, len(world.teams) - 1), max_size=6)):
                world.teams[person] = data.draw(st.integers(0, max(world.teams) + 1))
        elif step not in ("close", "reorganise") and world.closed:
            _publish(world, policy, data, step)
        ledger = world.ledger
        assert verify_no_isolation(ledger, floor) == []
        assert verify_disclosure(ledger, policy) == []
        universe = sorted(set().union(*ledger)) if ledger else []
        assert isolated_by_algebra(ledger, universe) == []
        _hidden_sets_cannot_be_solved_for(ledger, floor, data)
    event(f"groups published: {min(len(world.ledger), 12) // 4 * 4}+")


def test_an_old_round_republished_under_a_new_tree_is_refused_where_it_would_isolate() -> None:
    # Round 0: teams a (6 people) and b (6 people) published. Then one person moves from a to
    # b; publishing round 0 again under the new tree would give a 5 and a 7 whose difference
    # from the first publication is the one who moved.
    policy = AnonymityPolicy(floor=5)
    round0 = {(p, 0) for p in range(12)}
    team_a, team_b = {(p, 0) for p in range(6)}, {(p, 0) for p in range(6, 12)}
    ledger = Disclosure(policy)
    ledger.breakdown(round0, {"a": team_a, "b": team_b})
    assert verify_no_isolation(ledger.shown, 5) == []
    again = Disclosure(policy, shown=ledger.shown)
    moved = again.breakdown(round0, {"a": team_a - {(5, 0)}, "b": team_b | {(5, 0)}})
    assert moved == {"a": False, "b": False}
    assert verify_no_isolation(again.shown, 5) == []
    # without the ledger, the new tree would have been shown, and the one who moved isolated
    fresh = Disclosure(policy)
    fresh.breakdown(round0, {"a": team_a - {(5, 0)}, "b": team_b | {(5, 0)}})
    isolated = verify_no_isolation([*ledger.shown, *fresh.shown], 5)
    assert [p.kind for p in isolated if p.kind == "isolated"] == ["isolated"]
