"""The sizes of the groups of a round: the requested size, the remainder one size up or down.

The rule, for ``n`` people and a requested size ``s`` (3 to 5), with ``r = n mod s``:

- ``r == 0``: ``n / s`` groups of ``s``;
- otherwise, of the two ways to absorb the remainder with groups one size off, the one that
  changes fewer groups: ``r`` groups of ``s + 1`` (the ``r`` extra people spread one a group),
  or ``s - r`` groups of ``s - 1`` (one group short of ``s - r`` people, spread). A tie
  (``s = 4, r = 2``) goes to the larger groups. Groups of 6 are never made, so ``s = 5`` always
  takes groups of 4;
- when neither fits (too few people, e.g. 7 at size 5) the balanced sizes within 2..5 closest
  to ``s``; fewer than ``s`` people, or fewer than 4, make one group.

So 500 people at size 3 make 166 groups of 3 and one of 2; 501 at size 4 make 124 groups of 4
and one of 5; 501 at size 5 make 97 groups of 5 and 4 of 4. Every plan has sizes that differ by
at most one, so a plan is fixed by its number of groups.

When the exclusions or working hours make a plan impossible or worse, :func:`make_groups`
tries the other plans of :func:`plans` (the other direction, then the balanced one) in order,
and says why in plain words naming people.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from connectwell.matching.candidates import CandidateGraph
from connectwell.matching.groups import Scorer, Unplaceable, form_groups, padded
from connectwell.matching.model import MatchingInputError
from connectwell.matching.pairs import Matching
from connectwell.matching.roster import Roster

MAX_SIZE = 5
#: Up to this many people every plan of sizes is tried when the first has unclean pairs.
PLAN_SEARCH = 2000


def balanced(n: int, count: int) -> list[int]:
    """``n`` people in ``count`` groups whose sizes differ by at most one, larger first."""
    base, extra = divmod(n, count)
    return [base + 1] * extra + [base] * (count - extra)


def plans(n: int, size: int) -> list[list[int]]:
    """The plans of sizes for ``n`` people at ``size``, preferred first (see the module).

    >>> plans(500, 3)[0].count(2), plans(500, 3)[1].count(4)
    (1, 2)
    >>> plans(4, 3)
    [[4], [2, 2]]
    """
    if n <= 0:
        return [[]]
    if n < 4 or n <= size:
        out = [[n]]
        if n >= 4:  # e.g. 4 people at size 4 or 5: 2 + 2 when one group cannot be
            out.append(balanced(n, 2))
        return out
    q, r = divmod(n, size)
    options: list[tuple[int, int, int]] = []  # (groups off the size, prefer, count)
    if r == 0:
        options.append((0, 0, q))
    else:
        if size + 1 <= MAX_SIZE and q >= r:
            options.append((r, 0, q))  # r groups of size + 1
        if q + 1 >= size - r and size - 1 >= 2:
            options.append((size - r, 1, q + 1))  # size - r groups of size - 1
    if r == 0:  # constraints may still need one size up or down
        if size + 1 <= MAX_SIZE and q - 1 >= size:
            options.append((size, 1, q - 1))
        if size - 1 >= 2 and q + 1 <= n // 2:
            options.append((size, 2, q + 1))
    counts = [count for _, _, count in sorted(options)]
    fallback = _closest_balanced(n, size)
    if fallback not in counts:
        counts.append(fallback)
    return [balanced(n, count) for count in counts]


def _closest_balanced(n: int, size: int) -> int:
    """The number of balanced groups within 2..5 whose sizes are closest to ``size``."""
    best: tuple[int, int] | None = None
    for count in range(max(1, n // MAX_SIZE), n // 2 + 1):
        low, high = n // count, -(-n // count)
        if low < 2 or high > MAX_SIZE:
            continue
        key = (max(abs(low - size), abs(high - size)), count)
        if best is None or key < best:
            best = key
    return best[1] if best is not None else 1


def group_sizes(n: int, size: int) -> list[int]:
    """The preferred plan of :func:`plans`: the sizes of the groups, larger first.

    >>> group_sizes(12, 4)
    [4, 4, 4]
    >>> group_sizes(11, 4)  # 11 = 2 x 4 + 3
    [4, 4, 3]
    >>> group_sizes(10, 4)  # r = 2: two groups of 5 or two of 3; the tie goes to larger groups
    [5, 5]
    >>> group_sizes(3, 4)
    [3]
    """
    return plans(n, size)[0]


def describe(sizes: list[int], size: int) -> str:
    """The plan in plain words, e.g. ``500 people in groups of 3: 166 groups of 3 and one group
    of 2 (500 is not a multiple of 3)``."""
    n = sum(sizes)
    counts = Counter(sizes)
    parts = [
        f"{'one' if counts[s] == 1 else counts[s]} group{'s' if counts[s] != 1 else ''} of {s}"
        for s in sorted(counts, key=lambda s: (s != size, -counts[s]))
    ]
    text = f"{n} people in groups of {size}: " + " and ".join(parts)
    if n and n % size and len(counts) > 1:
        text += f" ({n} is not a multiple of {size})"
    elif n < size:
        text += f" (fewer than {size} people)"
    return text


def describe_pairs(n: int) -> str:
    """The plan of a round of pairs in plain words."""
    if n < 2:
        return f"{n} {'person' if n == 1 else 'people'}: no pair possible"
    if n % 2 == 0:
        return f"{n} people in pairs: {n // 2} pairs"
    return f"{n} people in pairs: {(n - 3) // 2} pairs and one group of 3 ({n} is odd)"


def make_groups(
    roster: Roster,
    scorer: Scorer,
    graph: CandidateGraph,
    matching: Matching,
    rng: np.random.Generator,
    size: int,
    *,
    time_budget: float = 5.0,
) -> tuple[list[list[int]], list[int], list[str]]:
    """Groups near ``size`` for the whole roster: the groups, the planned sizes, and why the
    groups differ from the plan (plain sentences naming people; empty when they do not).

    Parameters
    ----------
    roster, scorer, graph, matching, rng
        The compiled round, its pair weights, candidate graph, pair matching and generator.
    size : int
        The requested group size, 3 to 5.
    time_budget : float
        Seconds of local search per plan tried.

    Returns
    -------
    (groups, plan, forced)

    Raises
    ------
    MatchingInputError
        ``exclusions``: someone no plan can place (named, with how many people they are
        excluded from), or, when the round is one group, the excluded pair in it.

    Complexity
    ----------
    At most ``len(plans(n, size))`` (3 or 4) calls of :func:`form_groups`, and only one above
    :data:`PLAN_SEARCH` people or when the first plan is clean.
    """
    n = roster.n
    options = plans(n, size)
    _refuse_the_excluded_from_everyone(roster)
    best: tuple[int, int, list[list[int]]] | None = None  # (pairs without hours, plan, groups)
    first_failure: Unplaceable | None = None
    first_unclean: tuple[int, int] | None = None
    for number, sizes in enumerate(options):
        try:
            groups = form_groups(
                roster, scorer, graph, matching, rng, sizes, time_budget=time_budget
            )
        except Unplaceable as failure:
            first_failure = first_failure or failure
            continue
        unclean = _unclean_pairs(roster, groups)
        if number == 0 and unclean:
            first_unclean = unclean[0]
        if best is None or (not unclean and _mostly(options[number], size)):
            best = (len(unclean), number, groups)  # another plan only if it removes them all
        if not unclean or n > PLAN_SEARCH:
            break
    if best is None:
        assert first_failure is not None
        raise _refusal(roster, first_failure, options[0], size)
    _, number, groups = best
    forced: list[str] = []
    if number > 0:
        chosen = describe(options[number], size).split(": ", 1)[1]
        if first_failure is not None and first_failure.pair is not None:
            a, b = (roster.ids[k] for k in first_failure.pair)
            why = f"{a!r} and {b!r} must never meet"
        elif first_failure is not None:
            why = f"the exclusions leave no place for {roster.ids[first_failure.person]!r}"
        else:
            assert first_unclean is not None
            a, b = (roster.ids[k] for k in first_unclean)
            why = (
                "the planned sizes would put people together who share no working hours "
                f"(e.g. {a!r} and {b!r})"
            )
        planned = describe(options[0], size).split(": ", 1)[1]
        forced.append(f"{why}, so {chosen} instead of the planned {planned}")
    return groups, options[0], forced


def _mostly(sizes: list[int], size: int) -> bool:
    """At least half the groups of ``sizes`` are of the requested ``size``."""
    return 2 * sizes.count(size) >= len(sizes)


def _refuse_the_excluded_from_everyone(roster: Roster) -> None:
    n = roster.n
    if n < 2 or len(roster.exclusion_keys) == 0:
        return
    low, high = np.divmod(roster.exclusion_keys, n)
    count = np.bincount(np.r_[low, high], minlength=n)
    alone = np.flatnonzero(count >= n - 1)
    if len(alone):
        person = roster.ids[int(alone[0])]
        raise MatchingInputError(
            "exclusions",
            None,
            None,
            f"no group can take {person!r}: they are excluded from all {n - 1} others",
        )


def _refusal(
    roster: Roster, failure: Unplaceable, plan: list[int], size: int
) -> MatchingInputError:
    if failure.pair is not None:
        a, b = (roster.ids[k] for k in failure.pair)
        return MatchingInputError(
            "exclusions",
            None,
            None,
            f"{a!r} and {b!r} must never meet, and {roster.n} people make only one group",
        )
    n = roster.n
    low, high = np.divmod(roster.exclusion_keys, n)
    count = int(np.sum((low == failure.person) | (high == failure.person)))
    return MatchingInputError(
        "exclusions",
        None,
        None,
        f"no group can take {roster.ids[failure.person]!r} (excluded from {count} of the "
        f"{n - 1} others; tried {describe(plan, size)} and sizes one up or down)",
    )


def _unclean_pairs(roster: Roster, groups: list[list[int]]) -> list[tuple[int, int]]:
    """The pairs inside ``groups`` that share fewer working hours than the rules ask.

    Only working hours choose between plans: a pair without a shared hour cannot meet at all,
    while a repeat or a same-team pair is a matter of quality, weighed inside a plan.
    """
    if roster.min_overlap_minutes <= 0 or not groups:
        return []
    table = padded(groups)
    out: list[tuple[int, int]] = []
    for a in range(table.shape[1]):
        for b in range(a + 1, table.shape[1]):
            present = (table[:, a] >= 0) & (table[:, b] >= 0)
            i, j = table[present, a], table[present, b]
            bad = roster.overlap_minutes(i, j) < roster.min_overlap_minutes
            out.extend(zip(i[bad].tolist(), j[bad].tolist(), strict=True))
    return out
