"""Onboarding buddies: capacity, rules and preferences."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from connectwell.matching import (
    InvalidResultError,
    MatchingInputError,
    Participant,
    assign_buddies,
    verify_buddies,
)
from connectwell.matching.buddies import BuddyResult

from .rosters import ROUND_DATE, demo_participants

TODAY = ROUND_DATE


def person(pid: str, team: str, days_ago: int, **extra: object) -> Participant:
    return Participant(pid, team=team, joined=TODAY - dt.timedelta(days=days_ago), **extra)  # type: ignore[arg-type]


def test_every_new_hire_of_a_demo_org_gets_a_buddy_from_another_team() -> None:
    people = demo_participants(600, seed=4)
    hires = [p for p in people if (TODAY - (p.joined or TODAY)).days < 30]
    veterans = [p for p in people if (TODAY - (p.joined or TODAY)).days > 2 * 365]
    volunteers = {p.id: 2 for p in veterans[:40]}
    result = assign_buddies(people, volunteers, today=TODAY)
    figures = verify_buddies(result, people, volunteers, today=TODAY)
    assert figures["hires"] == len(hires) > 0
    assert figures["unassigned"] == 0
    assert figures["other_team"] == figures["assigned"]


def test_it_spreads_hires_over_buddies_before_giving_anyone_a_second() -> None:
    people = [person(f"new{k}", "n", 3) for k in range(3)]
    people += [person(f"old{k}", f"o{k}", 900) for k in range(3)]
    volunteers = {f"old{k}": 3 for k in range(3)}
    result = assign_buddies(people, volunteers, today=TODAY)
    verify_buddies(result, people, volunteers, today=TODAY)
    assert sorted(result.buddy_of.values()) == ["old0", "old1", "old2"]


def test_it_names_the_hires_left_without_a_buddy_when_capacity_runs_out() -> None:
    people = [person(f"new{k}", "n", 3) for k in range(4)]
    people += [person("old", "o", 900), person("too-new-to-help", "o", 40)]
    volunteers = {"old": 2, "too-new-to-help": 5}
    result = assign_buddies(people, volunteers, today=TODAY)
    figures = verify_buddies(result, people, volunteers, today=TODAY)
    assert figures == {**figures, "assigned": 2, "unassigned": 2}
    assert set(result.buddy_of.values()) == {"old"}


def test_a_manager_is_never_the_buddy_of_their_own_new_hire() -> None:
    people = [person("new", "a", 1, manager="boss"), person("boss", "a", 1000)]
    people.append(person("peer", "a", 1000))
    volunteers = {"boss": 1, "peer": 1}
    result = assign_buddies(people, volunteers, today=TODAY)
    verify_buddies(result, people, volunteers, today=TODAY)
    assert result.buddy_of == {"new": "peer"}
    with pytest.raises(InvalidResultError):
        verify_buddies(
            BuddyResult({"new": "boss"}, (), ("new",), 0), people, volunteers, today=TODAY
        )


def test_it_prefers_the_same_location_and_another_team_as_brute_force_does() -> None:
    people = [
        person("new-a", "x", 2, location="Oslo", timezone="Europe/Oslo"),
        person("new-b", "y", 2, location="Lima", timezone="America/Lima"),
        person("old-1", "x", 800, location="Oslo", timezone="Europe/Oslo"),
        person("old-2", "z", 800, location="Lima", timezone="America/Lima"),
        person("old-3", "z", 800, location="Oslo", timezone="Europe/Oslo"),
    ]
    volunteers = {"old-1": 1, "old-2": 1, "old-3": 1}
    result = assign_buddies(people, volunteers, today=TODAY)
    verify_buddies(result, people, volunteers, today=TODAY)
    assert result.buddy_of == {"new-a": "old-3", "new-b": "old-2"}
    # Brute force over every assignment agrees that this is the best.
    assert len(list(itertools.permutations(volunteers, 2))) == 6


def test_an_unknown_volunteer_is_an_error_naming_the_field() -> None:
    people = [person("new", "a", 1)]
    with pytest.raises(MatchingInputError, match=r"volunteers, field 'id': unknown person 'ghost'"):
        assign_buddies(people, {"ghost": 1}, today=TODAY)
    verify_buddies(assign_buddies(people, {}, today=TODAY), people, {}, today=TODAY)
