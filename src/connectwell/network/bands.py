"""How many people have few recorded connections, published in bands that tell nobody's status.

A count of people with a status ("few recorded connections") is a count of people, so it
needs more than the floor on group sizes: an exact count of 0 or of the whole group tells
everyone's status, and the organisation's count minus the shown teams' counts gives the count
of the teams left out. This module publishes such counts so that, whatever the true statuses,
**no set of people has its count pinned down** by everything shown together: for every set of
people ``S`` (a cell of the shown groups, a hidden team, one person), the counts consistent
with the published figures include at least two values, and neither "nobody in ``S``" nor
"everybody in ``S``" can be deduced.

The rule
--------
1. *Cells, decided by sizes alone.* The shown groups (a laminar family: the organisation and
   the teams the anonymity gate showed, each a set of people) are cut into disjoint **count
   cells** of at least ``minimum`` people (twice the floor): :func:`plan_counts` walks the
   tree from the leaves up; a group's people not yet in a cell of one of its sub-groups form a
   new cell when there are at least ``minimum`` of them; when there are fewer, they are merged
   with the smallest sub-group's cells into one cell, or, with no sub-group to merge with, are
   left to the group's parent. A group gets a figure only if it is a union of cells (a team of
   5 with a floor of 5 never does). The plan depends on who is in which group, never on
   anyone's status, so which figures appear tells nothing either.
2. *One band per cell, on a fixed grid.* A cell of ``n`` people with ``c`` flagged is shown as
   the band of :func:`share_band`: the shares ``0 .. 1`` cut into ``k = min(5, n // 2)`` equal
   parts ("fewer than 1 in 5", "1 in 5 to under 2 in 5", ..., "4 in 5 or more"), as counts.
   Each part is at least two people wide, so every band holds at least two counts, its low
   end is at most ``n - 1`` and its high end at least 1: no band edge coincides with 0 or the
   whole cell alone.
3. *Groups are sums of their cells' bands.* A group's figure is the interval
   ``[sum of lows, sum of highs]`` over its cells (:func:`count_bands`): interval arithmetic,
   so the group figures add nothing to what the cell bands say.

Why it holds
------------
Everything published is a function of the cells' bands, and the cells are disjoint, so the
statuses consistent with the figures are exactly: any statuses such that each cell's count
lies in its band. Take any set ``S`` of people and a cell ``L`` of ``n`` people with band
``[lo, hi]`` (``lo < hi``, ``lo <= n - 1``, ``hi >= 1``) meeting ``S`` in ``m >= 1`` people.
The counts of ``S`` inside ``L`` consistent with the band are all integers from
``max(0, lo - (n - m))`` to ``min(m, hi)``, and the first is at most the second minus one (each
of the four comparisons follows from the three inequalities above). So ``S``'s count inside
``L`` can take at least two values, one of them below ``m`` and one above 0; as cells are
independent, the same holds for ``S``'s total count over the cells it meets. In particular no
person's status, no hidden team's count and no difference of shown figures is exact.

This is interval publication of a hierarchical table with additive intervals, the non-
perturbative alternative to rounding in Hundepool et al. (2012): the intruder's feasibility
interval of every cell (what an audit by linear programming would compute) is the cell's band,
never a single value, and suppression decisions that depend on sizes alone leak nothing.

References
----------
.. [1] A. Hundepool, J. Domingo-Ferrer, L. Franconi, S. Giessing, E. Schulte Nordholt,
   K. Spicer, P.-P. de Wolf, *Statistical Disclosure Control*, Wiley 2012, ch. 4 (frequency
   tables: banding and rounding, "protection intervals", the audit of feasibility intervals)
   and ch. 5 (magnitude tables: secondary suppression, interval publication).
.. [2] D. E. Denning, J. Schlörer, "Inference controls for statistical databases", IEEE
   Computer 16(7) (1983) 69-82 (differencing: the organisation minus the teams shown).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Generic, TypeVar

from connectwell.network.model import NetworkInputError

__all__ = [
    "PARTS",
    "Band",
    "CountPlan",
    "band_problems",
    "consistent_counts",
    "count_bands",
    "plan_counts",
    "share_band",
]

#: The grid: shares are cut into at most this many equal parts.
PARTS = 5

Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True)
class Band:
    """Between ``low`` and ``high`` (both included) of ``people`` have the status."""

    low: int
    high: int
    people: int

    def __add__(self, other: Band) -> Band:
        return Band(self.low + other.low, self.high + other.high, self.people + other.people)

    def __contains__(self, count: object) -> bool:
        return isinstance(count, int) and self.low <= count <= self.high


def share_band(count: int, people: int, *, parts: int = PARTS) -> Band:
    """The band of the share grid that holds ``count`` of ``people``.

    Parameters
    ----------
    count : int
        People with the status, ``0 <= count <= people``.
    people : int
        The cell's size, at least 4 (two parts of two people).
    parts : int, default 5
        The most parts the shares are cut into; ``min(parts, people // 2)`` are used, so each
        part is at least two people wide.

    Returns
    -------
    Band
        Part ``j`` holds the counts ``c`` with ``j / k <= c / people < (j + 1) / k``; the last
        part also holds ``people``.

    Raises
    ------
    NetworkInputError
        A size under 4 or a count outside ``0 .. people``, naming the field.

    Complexity
    ----------
    O(1).

    Examples
    --------
    >>> share_band(0, 10), share_band(1, 10)
    (Band(low=0, high=1, people=10), Band(low=0, high=1, people=10))
    >>> share_band(10, 10)
    Band(low=8, high=10, people=10)
    >>> share_band(3, 7)  # three parts: 0-2, 3-4, 5-7
    Band(low=3, high=4, people=7)
    """
    if people < 4:
        raise NetworkInputError(
            "people", None, f"must be at least 4 for bands of two counts, got {people}"
        )
    if not 0 <= count <= people:
        raise NetworkInputError("count", None, f"must be between 0 and {people}, got {count}")
    if parts < 2:
        raise NetworkInputError("parts", None, f"must be at least 2, got {parts}")
    k = min(parts, people // 2)
    part = min(count * k // people, k - 1)
    low = -(-part * people // k)
    high = people if part == k - 1 else -(-(part + 1) * people // k) - 1
    return Band(low, high, people)


@dataclass(frozen=True)
class CountPlan(Generic[Key]):
    """Which groups get a count, from which cells: decided by group membership alone.

    Attributes
    ----------
    cells : tuple of frozenset
        Disjoint sets of people, each of at least ``minimum``.
    counted : dict of group key -> tuple of int
        For each group that gets a figure, the indices of the cells that make it up exactly.
    """

    cells: tuple[frozenset[Hashable], ...]
    counted: dict[Key, tuple[int, ...]]


def plan_counts(
    groups: Mapping[Key, AbstractSet[Hashable]],
    parent: Mapping[Key, Key | None],
    *,
    minimum: int,
) -> CountPlan[Key]:
    """Cut the shown groups into count cells of at least ``minimum`` people (rule 1).

    Parameters
    ----------
    groups : mapping key -> set of people
        The shown groups, a laminar family: any two are disjoint or one holds the other.
    parent : mapping key -> key or None
        Each group's smallest shown group that holds it (``None`` for a root).
    minimum : int
        The fewest people in a cell (twice the anonymity floor), at least 4.

    Returns
    -------
    CountPlan

    Raises
    ------
    NetworkInputError
        ``minimum`` under 4, a group missing from ``parent`` or not inside its parent.

    Complexity
    ----------
    O(depth x people) set work.
    """
    if minimum < 4:
        raise NetworkInputError("minimum", None, f"must be at least 4, got {minimum}")
    sets = {key: frozenset(group) for key, group in groups.items()}
    children: dict[Key | None, list[Key]] = {}
    for key in sets:
        if key not in parent:
            raise NetworkInputError("parent", None, f"names no parent for group {key!r}")
        up = parent[key]
        if up is not None and not sets[key] <= sets[up]:
            raise NetworkInputError("groups", None, f"group {key!r} is not inside its parent group")
        children.setdefault(up, []).append(key)
    registry: dict[int, frozenset[Hashable]] = {}
    inside: dict[Key, set[int]] = {}
    counted: dict[Key, set[int]] = {}

    def close(key: Key) -> None:
        kids = children.get(key, [])
        for kid in kids:
            close(kid)
        mine = set().union(*(inside[kid] for kid in kids)) if kids else set()
        covered: set[Hashable] = set().union(*(registry[c] for c in mine)) if mine else set()
        leftover = sets[key] - covered
        if leftover and len(leftover) < minimum:
            merge = [kid for kid in kids if kid in counted]
            if merge:
                # The smallest counted sub-group gives up its figure so that this group keeps one.
                kid = min(merge, key=lambda k: (len(sets[k]), str(k)))
                dropped = inside[kid]
                for other in list(counted):
                    if counted[other] & dropped:
                        del counted[other]
                for cell in dropped:
                    leftover = leftover | registry.pop(cell)
                mine -= dropped
        if leftover and len(leftover) >= minimum:
            cell = max(registry, default=-1) + 1
            registry[cell] = frozenset(leftover)
            mine.add(cell)
            leftover = frozenset()
        inside[key] = mine
        if not leftover and mine:
            counted[key] = set(mine)

    for root in children.get(None, []):
        close(root)
    order = sorted(registry)
    renumber = {old: new for new, old in enumerate(order)}
    return CountPlan(
        cells=tuple(registry[old] for old in order),
        counted={key: tuple(sorted(renumber[c] for c in cells)) for key, cells in counted.items()},
    )


def count_bands(plan: CountPlan[Key], flagged: AbstractSet[Hashable]) -> dict[Key, Band]:
    """Each counted group's band: the sum of its cells' share bands (rules 2 and 3).

    Parameters
    ----------
    plan : CountPlan
        From :func:`plan_counts`.
    flagged : set of people
        Who has the status.

    Returns
    -------
    dict of group key -> Band
        Only the groups of ``plan.counted``.

    Complexity
    ----------
    O(people in cells + groups x cells).
    """
    bands = [share_band(len(cell & flagged), len(cell)) for cell in plan.cells]
    result: dict[Key, Band] = {}
    for key, cells in plan.counted.items():
        total = Band(0, 0, 0)
        for cell in cells:
            total = total + bands[cell]
        result[key] = total
    return result


def consistent_counts(
    publish: Callable[[Sequence[int]], Hashable],
    sizes: Sequence[int],
    counts: Sequence[int],
    unions: Sequence[Sequence[int]] = (),
) -> list[set[int]]:
    """The checker: per atom, every count consistent with what ``publish`` showed.

    An intruder who knows the publication rule and each atom's size (atoms: the people who
    are in exactly the same shown groups) tries every possible count in every atom and keeps
    those for which the rule would have published exactly what it did publish. Brute force,
    for tests and audits of small organisations.

    Parameters
    ----------
    publish : callable
        Counts per atom -> everything published (any hashable, compared with ``==``).
    sizes : sequence of int
        People per atom.
    counts : sequence of int
        The true counts per atom.
    unions : sequence of sequences of atom indices, optional
        Sets of atoms (a shown group, a hidden team) whose total count to follow as well.

    Returns
    -------
    list of set of int
        Per atom, then per union, the counts consistent with the publication (the true count
        among them).

    Complexity
    ----------
    O(prod(size + 1)) calls of ``publish``.
    """
    if len(sizes) != len(counts):
        raise NetworkInputError(
            "counts", None, f"must have {len(sizes)} entries, got {len(counts)}"
        )
    seen = publish(counts)
    found: list[set[int]] = [set() for _ in range(len(sizes) + len(unions))]
    for trial in itertools.product(*(range(size + 1) for size in sizes)):
        if publish(trial) == seen:
            for atom, value in enumerate(trial):
                found[atom].add(value)
            for k, atoms in enumerate(unions, start=len(sizes)):
                found[k].add(sum(trial[a] for a in atoms))
    return found


def band_problems(consistent: Sequence[set[int]], sizes: Sequence[int]) -> list[str]:
    """What :func:`consistent_counts` pinned down: empty when every atom keeps two counts.

    An atom (or union) fails when fewer than two counts are consistent: then its count is
    known, and with it, when that count is 0 or its size, everyone's status in it. With two
    consistent counts or more, neither "nobody" nor "everybody" can be deduced.

    Parameters
    ----------
    consistent : sequence of set of int
        From :func:`consistent_counts`.
    sizes : sequence of int
        People per atom (and per union, in the same order).

    Returns
    -------
    list of str
        One plain sentence per failure.

    Complexity
    ----------
    O(atoms).
    """
    problems = []
    for atom, (values, size) in enumerate(zip(consistent, sizes, strict=True)):
        if len(values) < 2:
            problems.append(f"atom #{atom} of {size}: only {sorted(values)} is consistent")
    return problems
