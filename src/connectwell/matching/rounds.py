"""One round of a programme: :func:`pair_round`."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from connectwell.matching.bound import all_pairs_upper_bound
from connectwell.matching.candidates import across_blocks, candidate_graph, merged
from connectwell.matching.group_plan import describe, describe_pairs, make_groups
from connectwell.matching.groups import Scorer, place_leftovers, total_value
from connectwell.matching.model import (
    HistoryTable,
    Participant,
    PastGroup,
    Result,
    Rules,
    validate_inputs,
)
from connectwell.matching.pairs import augment, max_weight_matching
from connectwell.matching.roster import Roster, compile_roster


def pair_round(
    participants: Sequence[Participant],
    *,
    history: Iterable[PastGroup] | HistoryTable = (),
    exclusions: Iterable[tuple[str, str]] = (),
    rules: Rules | None = None,
    seed: int = 0,
) -> Result:
    """Partition ``participants`` into the groups of one round.

    Parameters
    ----------
    participants : sequence of Participant
        Everyone in the round; ids unique.
    history : iterable of PastGroup, or HistoryTable
        Past groups; those within ``rules.no_repeat_weeks`` of the round date are repeats. A
        :class:`~connectwell.matching.model.HistoryTable` says the same in a few arrays: the
        fast form for millions of past memberships.
    exclusions : iterable of (id, id)
        Pairs that must never be in the same group.
    rules : Rules
        Group size, no-repeat window, minimum shared hours, preferences.
    seed : int
        The same input and seed give the same groups.

    Returns
    -------
    Result
        Every participant exactly once. For pairs (``group_size == 2``): pairs, and one group
        of three when the count is odd; someone without a clean partner joins the best group.
        For 3-5: groups of the requested size, the remainder one size up or down
        (:mod:`connectwell.matching.group_plan`). ``size_plan`` and ``size_rule`` state the
        plan; ``forced`` says, naming people, why the groups differ from it (a group of three
        on an even roster of pairs; other sizes when exclusions or working hours require them).

    Raises
    ------
    MatchingInputError
        Naming the source, index and field of the first bad input; or source ``exclusions``
        naming the person the exclusions leave no group (or the excluded pair, when the round
        is one group).

    Complexity
    ----------
    O(n k) to build the candidate graph (k candidates per person), then sparse assignment
    problems on blocks of at most 8192 people (see :mod:`connectwell.matching.pairs`).

    References
    ----------
    See :mod:`connectwell.matching.candidates` and :mod:`connectwell.matching.pairs`.

    Examples
    --------
    >>> people = [Participant(str(k), team=f"t{k % 3}") for k in range(5)]
    >>> sorted(len(g) for g in pair_round(people, seed=1).groups)
    [2, 3]
    """
    rules = rules or Rules()
    clock = time.perf_counter()
    participants = list(participants)
    if not isinstance(history, HistoryTable):
        history = list(history)
    exclusions = [(a, b) for a, b in exclusions]
    validate_inputs(participants, exclusions, rules)
    roster = compile_roster(participants, history, exclusions, rules, seed)
    seconds = {"compile": time.perf_counter() - clock}
    rng = np.random.default_rng(seed)

    clock = time.perf_counter()
    graph = candidate_graph(roster, rng)
    seconds["candidates"] = time.perf_counter() - clock

    clock = time.perf_counter()
    matching = max_weight_matching(graph)
    seconds["matching"] = time.perf_counter() - clock

    clock = time.perf_counter()
    scorer = Scorer(roster, dense=rules.group_size > 2)
    if rules.group_size == 2:
        mate = matching.mate.copy()
        free = np.flatnonzero(mate < 0)
        if len(free) > roster.n % 2 and len(graph) < roster.n * (roster.n - 1) // 2:
            # People a block left without a partner: augmenting paths across the blocks.
            augment(merged(graph, across_blocks(roster, free, rng)), mate)
        groups = [[int(i), int(mate[i])] for i in np.flatnonzero(mate > np.arange(roster.n))]
        leftovers = [int(k) for k in np.flatnonzero(mate < 0)]
        joined = place_leftovers(roster, scorer, groups, leftovers)
        plan = (
            [2] * (roster.n // 2 - roster.n % 2) + [3] * (roster.n % 2)
            if roster.n > 1
            else [roster.n] * roster.n
        )
        forced = _why_trios(roster, groups, leftovers, joined) if len(joined) > roster.n % 2 else []
        rule = describe_pairs(roster.n)
    else:
        groups, plan, forced = make_groups(roster, scorer, graph, matching, rng, rules.group_size)
        rule = describe(plan, rules.group_size)
    weight = total_value(scorer, groups)
    seconds["groups"] = time.perf_counter() - clock
    clock = time.perf_counter()
    all_pairs_bound = all_pairs_upper_bound(roster, sizes=[len(g) for g in groups])
    seconds["bound"] = time.perf_counter() - clock
    ids = roster.ids
    return Result(
        groups=tuple(tuple(ids[k] for k in g) for g in groups),
        weight=weight,
        matching_weight=matching.weight,
        upper_bound=matching.upper_bound,
        candidate_edges=len(graph),
        seconds=seconds,
        all_pairs_bound=all_pairs_bound,
        size_plan=dict(Counter(plan)),
        size_rule=rule,
        forced=tuple(forced),
    )


def _why_trios(
    roster: Roster, groups: list[list[int]], leftovers: list[int], joined: list[tuple[int, int]]
) -> list[str]:
    """Why each person who joined a pair could not be paired, in plain words naming them."""
    notes = []
    alone = np.array(leftovers, dtype=np.int64)
    for person, number in joined:
        others = alone[alone != person]
        mates = " and ".join(repr(roster.ids[m]) for m in groups[number] if m != person)
        if len(others) and roster.excluded(np.full(len(others), person), others).all():
            why = "the exclusions keep them from everyone else left without a partner"
        else:
            why = (
                "everyone else left without a partner shares no working hours with them or "
                "met them recently"
            )
        notes.append(f"{roster.ids[person]!r} joins {mates} in a group of 3: {why}")
    return notes
