"""Anonymity that holds: which groups' results may be shown, to whom, without exposing anyone.

A *group* is the set of respondents a view aggregates: a team, a sub-team, a tenure band, a
location, a time window, or any combination of these filters, as a set of respondent ids. A
respondent id names one set of answers (the opaque response id the pulses domain stores, or a
``(person, pulse)`` pair), so that one pulse's respondents are never confused with another's:
ids must mean the same thing in every group checked together.

The rules, with their floor ``f`` (5 by default, never below 3) and comment floor (10):

1. **Scores**: no figure for a group of fewer than ``f`` respondents (:func:`may_show_score`).
2. **Comments**: no free text for fewer than ``max(f, comment_floor)`` (:func:`may_show_comments`).
3. **Distributions**: the counts per option of an item are shown only if every option that
   anyone chose was chosen by at least ``f`` respondents; otherwise the whole distribution is
   suppressed (:func:`may_show_distribution`). Hiding only the small options would not do: the
   total minus the options shown gives them back. Collapsing options (unfavourable, neutral,
   favourable) before asking passes more often.
4. **Breakdowns and differencing**: a viewer who has seen the results of groups ``A`` and
   ``B`` can subtract one from the other (a sum is ``mean * n``; the same holds for counts, the
   answers' squares, a distribution). So, over everything one viewer is shown, through the
   pages, the API and the CSV export alike, :class:`Disclosure` keeps the *cells*: the classes
   of respondents who belong to exactly the same shown groups. Every figure derivable by adding
   and subtracting the shown figures is a figure of a union of cells, so the rule is:

       every non-empty cell has at least ``f`` respondents.

   This implies the pairwise rules: for any two shown groups ``|A - B|`` and ``|B - A|`` are 0
   or at least ``f`` (for ``A`` inside ``B``: ``B``'s complement of ``A``), and a breakdown
   whose complement inside its parent is under ``f`` is hidden (a team of 12 with a sub-team
   of 9: the sub-team is hidden, else the 3 others are exposed). It also catches what pairwise
   checks miss: a team of 20 broken into sub-teams of 8, 9 and 3 may show the 8 but not then
   the 9 as well, because team - 8 - 9 leaves the 3.

:func:`verify_disclosure` checks a set of shown groups against these rules independently of
:class:`Disclosure` (plain set algebra), and every test uses it.

References
----------
.. [1] D. E. Denning, J. Schlörer, "Inference controls for statistical databases",
   IEEE Computer 16(7) (1983) 69-82 (trackers: finding one person by differencing queries).
.. [2] A. Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, ch. 5 (tabular
   data: threshold rules, differencing, secondary suppression).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from connectwell.stats.errors import StatsInputError, check_int

#: No policy may set a floor lower than this.
MIN_FLOOR = 3
DEFAULT_FLOOR = 5
DEFAULT_COMMENT_FLOOR = 10

Label = TypeVar("Label", bound=Hashable)
Group = frozenset[Hashable]


@dataclass(frozen=True)
class AnonymityPolicy:
    """The organisation's anonymity floors.

    Parameters
    ----------
    floor : int, default 5
        The fewest respondents a score, a distribution, a breakdown or a difference of views
        may describe. At least 3: a lower value raises :class:`StatsInputError` (a
        ``ValueError``) naming ``floor``.
    comment_floor : int, default 10
        The fewest respondents whose free-text comments may be shown; the floor applies when
        it is higher. At least 3 too.
    """

    floor: int = DEFAULT_FLOOR
    comment_floor: int = DEFAULT_COMMENT_FLOOR

    def __post_init__(self) -> None:
        check_int("floor", self.floor, minimum=MIN_FLOOR)
        check_int("comment_floor", self.comment_floor, minimum=MIN_FLOOR)

    def floor_for(self, *, comments: bool = False) -> int:
        """The floor that applies: ``floor`` for figures, the larger of both for comments."""
        return max(self.floor, self.comment_floor) if comments else self.floor


@dataclass(frozen=True)
class Problem:
    """A way a set of shown groups exposes fewer respondents than the floor.

    ``kind`` is ``"group"`` (a shown group is too small), ``"difference"`` (one shown group
    minus another leaves too few), ``"cell"`` (a combination of several shown groups isolates
    too few) or ``"isolated"`` (a linear combination of the shown groups' figures gives one
    respondent's own: :func:`~connectwell.stats.isolation.verify_no_isolation`). ``groups`` are
    the indices of the shown groups involved (for a new group, the index it would take),
    ``size`` how many respondents are exposed (at least 1).
    """

    kind: Literal["group", "difference", "cell", "isolated"]
    groups: tuple[int, ...]
    size: int
    message: str


def _size(n: int | AbstractSet[Hashable], field: str = "n") -> int:
    if isinstance(n, AbstractSet):
        return len(n)
    return check_int(field, n, minimum=0)


def may_show_score(n: int | AbstractSet[Hashable], policy: AnonymityPolicy) -> bool:
    """Whether a figure of ``n`` respondents (a count or the group itself) may be shown.

    This is the floor alone; a breakdown must also pass a :class:`Disclosure`.
    Complexity: O(1).

    >>> policy = AnonymityPolicy()  # a floor of 5
    >>> may_show_score(4, policy), may_show_score({"ann", "ben", "cai", "dee", "eva"}, policy)
    (False, True)
    """
    return _size(n) >= policy.floor


def may_show_comments(n: int | AbstractSet[Hashable], policy: AnonymityPolicy) -> bool:
    """Whether the free-text comments of ``n`` respondents may be shown (10 by default).

    Comments of overlapping groups also difference (the comments in ``A`` but not in ``B``
    belong to ``A - B``): use ``Disclosure(policy, comments=True)`` for those.
    Complexity: O(1).
    """
    return _size(n) >= policy.floor_for(comments=True)


def may_show_distribution(
    counts_by_option: Mapping[Any, int] | Sequence[int], policy: AnonymityPolicy
) -> bool:
    """Whether the counts of respondents per option of one item may be shown.

    Parameters
    ----------
    counts_by_option : mapping option -> count, or sequence of counts
        Respondents who chose each option (options nobody chose may be left out or be 0).
    policy : AnonymityPolicy

    Returns
    -------
    bool
        True if at least ``floor`` respondents in all and every non-zero count is at least the
        floor; otherwise the whole distribution is to be suppressed (see rule 3 of the module).

    Complexity
    ----------
    O(options).
    """
    items = (
        list(counts_by_option.items())
        if isinstance(counts_by_option, Mapping)
        else list(enumerate(counts_by_option))
    )
    counts = [_size(count, f"counts_by_option[{option!r}]") for option, count in items]
    return sum(counts) >= policy.floor and all(c == 0 or c >= policy.floor for c in counts)


class Disclosure:
    """Everything one viewer has been shown, and the gate for what they may see next.

    Every view (a page, an API response, a CSV export) asks :meth:`request` for each group it
    would show; a group is shown only if, together with every group shown before, no cell (the
    respondents in exactly the same shown groups) is smaller than the floor. Asking again for a
    group already shown, by whatever route, is allowed and changes nothing. A refused group
    stays refused (when the recorded history keeps the rules): the cells only get finer.

    Parameters
    ----------
    policy : AnonymityPolicy
    shown : iterable of sets of respondent ids, optional
        Groups this viewer has already been shown (for example, from an audit table). They are
        recorded as they are, even if they break the rules; new groups are then refused only
        for problems they would add.
    comments : bool, default False
        Gate free-text comments instead of figures: the comment floor applies.

    Complexity
    ----------
    :meth:`check` and :meth:`request` take O(|group|) time; memory is O(people seen + cells *
    groups shown per cell).

    Notes
    -----
    The cell rule is sufficient for sums, counts, means, variances and distributions: each is
    a sum over respondents, and every linear combination of the shown groups' indicator vectors
    is constant on cells. It is stricter than needed for some cross-tabulations (a team and a
    location that share 2 people leave a cell of 2 even though two figures alone do not give
    it away); anonymity comes first.
    """

    def __init__(
        self,
        policy: AnonymityPolicy,
        shown: Iterable[AbstractSet[Hashable]] = (),
        *,
        comments: bool = False,
    ) -> None:
        if not isinstance(policy, AnonymityPolicy):
            raise StatsInputError("policy", f"must be an AnonymityPolicy, got {policy!r}")
        self.policy = policy
        self.floor = policy.floor_for(comments=comments)
        self._shown: list[Group] = []
        self._index: dict[Group, int] = {}
        self._cell_of: dict[Hashable, int] = {}
        self._members: dict[int, set[Hashable]] = {}
        self._views: dict[int, tuple[int, ...]] = {}
        self._next_cell = 0
        for k, group in enumerate(shown):
            self._record(_group(group, f"shown[{k}]"))

    @property
    def shown(self) -> tuple[Group, ...]:
        """The distinct groups shown so far, in the order first shown."""
        return tuple(self._shown)

    def check(self, group: AbstractSet[Hashable]) -> Problem | None:
        """Why ``group`` may not be shown now (the smallest exposure), or ``None`` if it may.

        Records nothing. Complexity: O(|group|).
        """
        group = _group(group, "group")
        new = len(self._shown)
        if len(group) < self.floor:
            return Problem(
                "group",
                (new,),
                len(group),
                f"{len(group)} respondents: fewer than the floor of {self.floor}",
            )
        if group in self._index:
            return None
        inside = Counter(self._cell_of.get(person, -1) for person in group)
        exposed: list[Problem] = []
        fresh = inside.pop(-1, 0)
        if 0 < fresh < self.floor:
            exposed.append(
                Problem(
                    "cell",
                    (new,),
                    fresh,
                    f"{fresh} respondents of this group are in no group shown before: "
                    "subtracting those groups would leave them",
                )
            )
        for cell, count in inside.items():
            size = len(self._members[cell])
            if count == size:
                continue
            views = self._views[cell]
            names = ", ".join(f"#{v}" for v in views)
            if count < self.floor:
                exposed.append(
                    Problem(
                        "cell",
                        (*views, new),
                        count,
                        f"{count} respondents would be the only ones in exactly this group and "
                        f"shown group(s) {names}: combining the views would isolate them",
                    )
                )
            if size - count < self.floor:
                exposed.append(
                    Problem(
                        "cell",
                        (*views, new),
                        size - count,
                        f"{size - count} respondents of shown group(s) {names} are outside "
                        "this group: subtracting it would expose them",
                    )
                )
        return min(exposed, key=lambda problem: problem.size, default=None)

    def request(self, group: AbstractSet[Hashable]) -> bool:
        """Show ``group`` if :meth:`check` allows it, recording it; return whether it may be shown.

        Complexity: O(|group|).
        """
        group = _group(group, "group")
        if self.check(group) is not None:
            return False
        self._record(group)
        return True

    def breakdown(
        self, parent: AbstractSet[Hashable], children: Mapping[Label, AbstractSet[Hashable]]
    ) -> dict[Label, bool]:
        """Show a breakdown of ``parent``: which of its ``children`` may be shown, recording them.

        The parent is requested first (a breakdown is read against its parent's figure); if it
        is refused, so is every child. Children are then requested largest first (ties in the
        order given), each against everything shown so far, so that siblings cannot be
        subtracted from the parent to expose the rest. A child equal to the parent is allowed
        with it.

        Returns
        -------
        dict of label -> bool
            In the order of ``children``.

        Raises
        ------
        StatsInputError
            A child that is not inside the parent, naming its label.

        Complexity
        ----------
        O(|parent| + sum of |child| + c log c) for c children.
        """
        parent = _group(parent, "parent")
        groups = {label: _group(child, f"children[{label!r}]") for label, child in children.items()}
        for label, child in groups.items():
            if not child <= parent:
                raise StatsInputError(
                    f"children[{label!r}]",
                    f"{len(child - parent)} respondent(s) are not in the parent group",
                )
        allowed = dict.fromkeys(groups, False)
        if not self.request(parent):
            return allowed
        for label in sorted(groups, key=lambda label: -len(groups[label])):
            allowed[label] = self.request(groups[label])
        return allowed

    def _record(self, group: Group) -> None:
        if group in self._index:
            return
        view = len(self._shown)
        self._index[group] = view
        self._shown.append(group)
        by_cell: dict[int, list[Hashable]] = {}
        for person in group:
            by_cell.setdefault(self._cell_of.get(person, -1), []).append(person)
        for cell, people in by_cell.items():
            if cell != -1 and len(people) == len(self._members[cell]):
                self._views[cell] = (*self._views[cell], view)
                continue
            split = self._next_cell
            self._next_cell += 1
            self._members[split] = set(people)
            self._views[split] = (view,) if cell == -1 else (*self._views[cell], view)
            for person in people:
                self._cell_of[person] = split
            if cell != -1:
                self._members[cell].difference_update(people)


def _group(group: AbstractSet[Hashable], field: str) -> Group:
    if isinstance(group, frozenset):
        return group
    if isinstance(group, AbstractSet):
        return frozenset(group)
    raise StatsInputError(field, f"must be a set of respondent ids, got {type(group).__name__}")


def allowed_breakdowns(
    parent: AbstractSet[Hashable],
    children: Mapping[Label, AbstractSet[Hashable]],
    policy: AnonymityPolicy,
    already_shown: Iterable[AbstractSet[Hashable]] = (),
) -> dict[Label, bool]:
    """Which groups of a breakdown of ``parent`` may be shown, given what was shown before.

    A child is allowed only if it has at least ``floor`` respondents, its complement inside
    the parent is empty or has at least ``floor`` respondents, and, together with the parent,
    the siblings allowed before it and ``already_shown``, it leaves no cell under the floor
    (so no difference of two views, nor of several, isolates fewer than the floor).

    Parameters
    ----------
    parent : set of respondent ids
        The group broken down (a team, the organisation, a location in a time window).
    children : mapping label -> set of respondent ids
        The groups of the breakdown (sub-teams, tenure bands, ...), each inside ``parent``;
        they may overlap.
    policy : AnonymityPolicy
    already_shown : iterable of sets of respondent ids
        What this viewer was shown before, by any route.

    Returns
    -------
    dict of label -> bool
        In the order of ``children``. Use :meth:`Disclosure.breakdown` to record the answer.

    Complexity
    ----------
    O(size of already_shown + |parent| + sum of |child| + c log c) for c children.
    """
    return Disclosure(policy, already_shown).breakdown(parent, children)


def verify_disclosure(
    shown_groups: Iterable[AbstractSet[Hashable]],
    policy: AnonymityPolicy,
    *,
    comments: bool = False,
) -> list[Problem]:
    """Every way the groups shown to one viewer expose fewer respondents than the floor.

    An independent check of :class:`Disclosure` (plain set algebra, no shared code): no shown
    group is under the floor, no difference ``A - B`` of two shown groups is (nested or
    overlapping), and no cell (respondents in exactly the same shown groups) is. A problem
    already reported for the same set of respondents is not repeated.

    Parameters
    ----------
    shown_groups : iterable of sets of respondent ids
        Everything one viewer was shown; duplicates are harmless.
    policy : AnonymityPolicy
    comments : bool, default False
        Check against the comment floor.

    Returns
    -------
    list of Problem
        Empty when nothing is exposed. Indices refer to the order of ``shown_groups``.

    Complexity
    ----------
    O(g^2 * m) for g groups of at most m respondents.
    """
    floor = policy.floor_for(comments=comments)
    groups = [_group(group, f"shown_groups[{k}]") for k, group in enumerate(shown_groups)]
    problems: list[Problem] = []
    reported: set[Group] = set()
    for k, group in enumerate(groups):
        if len(group) < floor and group not in reported:
            reported.add(group)
            problems.append(
                Problem("group", (k,), len(group), f"group #{k} has {len(group)} respondents")
            )
    for a, first in enumerate(groups):
        for b, second in enumerate(groups):
            difference = first - second
            if a != b and 0 < len(difference) < floor and difference not in reported:
                reported.add(difference)
                problems.append(
                    Problem(
                        "difference",
                        (a, b),
                        len(difference),
                        f"group #{a} minus group #{b} leaves {len(difference)} respondents",
                    )
                )
    signature: dict[Hashable, list[int]] = {}
    for k, group in enumerate(groups):
        for person in group:
            signature.setdefault(person, []).append(k)
    cells: dict[tuple[int, ...], set[Hashable]] = {}
    for person, memberships in signature.items():
        cells.setdefault(tuple(memberships), set()).add(person)
    for views, members in cells.items():
        cell = frozenset(members)
        if len(cell) < floor and cell not in reported:
            reported.add(cell)
            problems.append(
                Problem(
                    "cell",
                    views,
                    len(cell),
                    f"{len(cell)} respondents are in exactly groups "
                    f"{', '.join(f'#{v}' for v in views)}: combining views isolates them",
                )
            )
    return problems
