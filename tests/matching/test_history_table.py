"""History as columns (`HistoryTable`): the same rounds and checks as with past groups."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from connectwell.matching import (
    HistoryTable,
    MatchingInputError,
    Participant,
    PastGroup,
    Rules,
    pair_round,
    verify,
)

from .rosters import ROUND_DATE, demo_participants

RULES = Rules(reference_date=ROUND_DATE)


def random_history(ids: list[str], weeks: int, seed: int) -> list[PastGroup]:
    """Weekly rounds of random pairs and a trio, the latest a week before the round."""
    rng = random.Random(seed)
    history = []
    for week in range(1, weeks + 1):
        order = ids[:]
        rng.shuffle(order)
        groups = [tuple(order[k : k + 2]) for k in range(0, len(order) - 1, 2)]
        if len(order) % 2:
            groups[-1] = (*groups[-1], order[-1])
        date = ROUND_DATE - dt.timedelta(weeks=week)
        history += [PastGroup(date, group) for group in groups]
    return history


def test_a_history_table_says_the_same_as_its_past_groups() -> None:
    ids = ["a", "b", "c", "d", "e"]
    groups = [
        PastGroup(dt.date(2024, 12, 30), ("a", "b")),
        PastGroup(dt.date(2024, 12, 30), ("c", "d", "e")),
        PastGroup(dt.date(2024, 11, 4), ("e", "a")),
    ]
    table = HistoryTable.from_groups(groups, ids)
    assert len(table) == 3
    assert table.groups() == groups
    assert table.latest_date() == dt.date(2024, 12, 30)
    assert HistoryTable.from_groups([], ids).latest_date() is None
    people = [Participant(pid, team=pid) for pid in ids]
    report = verify([("a", "b"), ("c", "d", "e")], people, history=table, rules=RULES)
    assert report.repeats == 1 + 3


def test_a_round_on_a_history_table_is_the_round_on_its_past_groups() -> None:
    people = demo_participants(401, seed=5)
    ids = [p.id for p in people]
    history = random_history(ids, weeks=30, seed=5)
    table = HistoryTable.from_groups(history, ids)
    by_groups = pair_round(people, history=history, rules=RULES, seed=3)
    by_table = pair_round(people, history=table, rules=RULES, seed=3)
    assert by_table.groups == by_groups.groups
    assert by_table.weight == by_groups.weight
    assert by_table.upper_bound == by_groups.upper_bound
    report = verify(by_table, people, history=table, rules=RULES)
    assert report == verify(by_groups, people, history=history, rules=RULES)
    assert report.repeats == 0 and report.dropped == ()


def test_verify_finds_the_same_repeats_and_ages_in_a_table_as_in_past_groups() -> None:
    people = demo_participants(60, seed=8)
    ids = [p.id for p in people]
    history = random_history(ids, weeks=40, seed=8)  # some of it outside the window
    history.append(PastGroup(ROUND_DATE + dt.timedelta(days=2), (ids[0], ids[1])))  # future
    table = HistoryTable.from_groups(history, list(reversed(ids)))  # ids in another order
    shuffle = [tuple(g.members) for g in random_history(ids, weeks=1, seed=99)]
    twice = [*shuffle, (ids[0], ids[1], ids[2])]  # a broken result: people placed twice
    for groups in (shuffle, twice):
        by_table = verify(groups, people, history=table, rules=RULES, strict=False)
        by_groups = verify(groups, people, history=history, rules=RULES, strict=False)
        assert by_table == by_groups
        assert by_table.repeats > 5 and len(set(by_table.repeat_ages_days)) > 3


def test_a_table_over_other_ids_is_translated_and_an_unknown_person_is_named() -> None:
    people = [Participant(pid, team=pid) for pid in "abcd"]
    history = [PastGroup(ROUND_DATE - dt.timedelta(weeks=1), ("a", "b"))]
    table = HistoryTable.from_groups(history, ["z", "b", "a"])
    result = pair_round(people, history=table, rules=RULES, seed=1)
    verify(result, people, history=table, rules=RULES)
    assert {frozenset(g) for g in result.groups} != {frozenset("ab"), frozenset("cd")}
    stranger = HistoryTable.from_groups(
        [*history, PastGroup(ROUND_DATE, ("z", "c"))], ["z", *"abc"]
    )
    with pytest.raises(MatchingInputError, match=r"history, row 1, field 'members': .*'z'"):
        pair_round(people, history=stranger, rules=RULES)
    with pytest.raises(MatchingInputError, match=r"history, row 0, field 'members': .*'q'"):
        HistoryTable.from_groups([PastGroup(ROUND_DATE, ("a", "q"))], ["a"])


def test_a_person_twice_in_one_group_of_a_table_is_an_error() -> None:
    people = [Participant(pid, team=pid) for pid in "abcd"]
    table = HistoryTable(
        ids=["a", "b", "c", "d"],
        person=np.array([0, 1, 2, 2]),
        group=np.array([0, 0, 1, 1]),
        group_dates=np.array([ROUND_DATE, ROUND_DATE], dtype="datetime64[D]"),
    )
    with pytest.raises(MatchingInputError, match="history, row 1, field 'members'"):
        pair_round(people, history=table, rules=RULES)
    verify([("a", "b"), ("c", "d")], people, history=table, rules=RULES)


def test_a_table_with_indices_out_of_range_is_an_error() -> None:
    people = [Participant(pid, team=pid) for pid in "ab"]
    dates = np.array([ROUND_DATE], dtype="datetime64[D]")
    bad_person = HistoryTable(["a", "b"], np.array([0, 2]), np.array([0, 0]), dates)
    bad_group = HistoryTable(["a", "b"], np.array([0, 1]), np.array([0, 1]), dates)
    with pytest.raises(MatchingInputError, match="field 'person'"):
        pair_round(people, history=bad_person, rules=RULES)
    with pytest.raises(MatchingInputError, match="field 'group'"):
        pair_round(people, history=bad_group, rules=RULES)
    verify([("a", "b")], people, rules=RULES)
