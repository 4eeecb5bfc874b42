"""Organisations and the filters people ask for, to test the anonymity rules with.

A respondent id is a ``(person, pulse)`` pair: one set of answers. A filter picks people by
team, sub-team, tenure band and location (each a set of accepted values, or any) and answers
by a window of pulses; every route (page, API, CSV export) turns a filter into the same set,
each in its own way.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

import numpy as np
from hypothesis import strategies as st
from scipy.linalg import null_space

TENURE_BANDS = ("<1y", "1-3y", "3-5y", "5y+")
LOCATIONS = ("Lisbon", "Leeds", "Lagos", "Lima")
PULSES = 3
DIMENSIONS = ("team", "sub_team", "tenure", "location")

Respondent = tuple[int, int]
Group = frozenset[Respondent]


@dataclass(frozen=True)
class Person:
    id: int
    team: str
    sub_team: str
    tenure: str
    location: str
    answered: frozenset[int]


@dataclass(frozen=True)
class Filter:
    """Accepted values per dimension (``None``: any) and a window of pulses ``[first, last]``."""

    team: frozenset[str] | None = None
    sub_team: frozenset[str] | None = None
    tenure: frozenset[str] | None = None
    location: frozenset[str] | None = None
    first: int = 0
    last: int = PULSES - 1


def on_page(people: list[Person], wanted: Filter) -> Group:
    """The page's route: one loop, each condition in turn."""
    chosen: set[Respondent] = set()
    for person in people:
        if all(
            getattr(wanted, dimension) is None
            or getattr(person, dimension) in getattr(wanted, dimension)
            for dimension in DIMENSIONS
        ):
            chosen.update(
                (person.id, pulse)
                for pulse in person.answered
                if wanted.first <= pulse <= wanted.last
            )
    return frozenset(chosen)


def through_api(people: list[Person], wanted: Filter) -> Group:
    """The API's route: intersect one set per condition, the window expanded pulse by pulse."""
    result = {(p.id, pulse) for p in people for pulse in p.answered}
    for dimension in DIMENSIONS:
        values = getattr(wanted, dimension)
        if values is not None:
            result &= {
                (p.id, q) for p in people for q in p.answered if getattr(p, dimension) in values
            }
    window = set(range(wanted.first, wanted.last + 1))
    return frozenset(r for r in result if r[1] in window)


def in_csv_export(people: list[Person], wanted: Filter) -> Group:
    """The export's route: "any" spelled out as every value present, one row per answer."""
    spelled = {
        dimension: getattr(wanted, dimension)
        if getattr(wanted, dimension) is not None
        else frozenset(getattr(p, dimension) for p in people)
        for dimension in DIMENSIONS
    }
    rows = [(p, pulse) for pulse in range(wanted.first, wanted.last + 1) for p in people]
    return frozenset(
        (p.id, pulse)
        for p, pulse in rows
        if pulse in p.answered and all(getattr(p, d) in spelled[d] for d in DIMENSIONS)
    )


ROUTES: dict[str, Callable[[list[Person], Filter], Group]] = {
    "page": on_page,
    "api": through_api,
    "csv": in_csv_export,
}


@st.composite
def organisations(draw: st.DrawFn, max_people: int = 80) -> list[Person]:
    n = draw(st.integers(0, max_people))
    teams = draw(st.integers(1, 3))
    people = []
    for k in range(n):
        team = draw(st.integers(0, teams - 1))
        people.append(
            Person(
                id=k,
                team=f"t{team}",
                sub_team=f"t{team}.{draw(st.integers(0, 2))}",
                tenure=draw(st.sampled_from(TENURE_BANDS)),
                location=draw(st.sampled_from(LOCATIONS[: draw(st.integers(1, 4))])),
                answered=frozenset(
                    draw(st.sets(st.integers(0, PULSES - 1), max_size=PULSES))
                    if draw(st.integers(0, 9))  # most answer some pulses; some never do
                    else ()
                ),
            )
        )
    return people


def _values(people: list[Person], dimension: str) -> list[str]:
    return sorted({getattr(p, dimension) for p in people}) or ["t0"]


@st.composite
def filters(draw: st.DrawFn, people: list[Person]) -> Filter:
    chosen: dict[str, frozenset[str] | None] = {}
    for dimension in DIMENSIONS:
        if draw(st.integers(0, 2)) == 0:  # each dimension filtered a third of the time
            values = _values(people, dimension)
            chosen[dimension] = frozenset(
                draw(st.lists(st.sampled_from(values), min_size=1, max_size=2))
            )
        else:
            chosen[dimension] = None
    first = draw(st.integers(0, PULSES - 1))
    last = draw(st.integers(first, PULSES - 1))
    return Filter(**chosen, first=first, last=last)


@st.composite
def tweaks(draw: st.DrawFn, people: list[Person], earlier: Filter) -> Filter:
    """``earlier`` with one dimension narrowed or widened, or its window moved by a pulse."""
    dimension = draw(st.sampled_from([*DIMENSIONS, "window"]))
    if dimension == "window":
        first = max(0, earlier.first - draw(st.integers(0, 1)))
        last = min(PULSES - 1, earlier.last + draw(st.integers(0, 1)))
        return replace(earlier, first=first, last=last)
    values = getattr(earlier, dimension)
    if values is None:  # narrow "any" to one value
        values = frozenset([draw(st.sampled_from(_values(people, dimension)))])
    elif len(values) > 1 and draw(st.booleans()):  # drop one value
        values = values - {draw(st.sampled_from(sorted(values)))}
    else:  # add one value
        values = values | {draw(st.sampled_from(_values(people, dimension)))}
    return _with(earlier, dimension, values)


def _with(earlier: Filter, dimension: str, values: frozenset[str]) -> Filter:
    return Filter(
        team=values if dimension == "team" else earlier.team,
        sub_team=values if dimension == "sub_team" else earlier.sub_team,
        tenure=values if dimension == "tenure" else earlier.tenure,
        location=values if dimension == "location" else earlier.location,
        first=earlier.first,
        last=earlier.last,
    )


@st.composite
def sessions(
    draw: st.DrawFn, max_requests: int = 20
) -> tuple[list[Person], list[tuple[str, Filter]]]:
    """An organisation and the requests one viewer makes, some of them repeats by another
    route."""
    people = draw(organisations())
    asked: list[tuple[str, Filter]] = []
    for _ in range(draw(st.integers(1, max_requests))):
        step = draw(st.integers(0, 3)) if asked else 3
        if step == 0:  # the same filter again, by whatever route
            _, wanted = draw(st.sampled_from(asked))
        elif step == 1:  # drill down or widen a filter asked before
            _, earlier = draw(st.sampled_from(asked))
            wanted = draw(tweaks(people, earlier))
        else:
            wanted = draw(filters(people))
        asked.append((draw(st.sampled_from(sorted(ROUTES))), wanted))
    return people, asked


def isolated_by_algebra(
    shown: Sequence[AbstractSet[Hashable]], universe: Sequence[Hashable]
) -> list[frozenset[Hashable]]:
    """The sets of one or two respondents whose sum any linear combination of the shown groups'
    sums gives: an algebraic check, sharing nothing with the library's set logic.

    ``1_S`` is in the row space of the incidence matrix ``M`` iff it is orthogonal to the null
    space of ``M``, i.e. iff the rows of the null-space basis for ``S`` add up to zero.
    """
    if not universe:
        return []
    index = {r: k for k, r in enumerate(universe)}
    incidence = np.zeros((max(len(shown), 1), len(universe)))
    for row, group in enumerate(shown):
        for respondent in group:
            incidence[row, index[respondent]] = 1.0
    basis = null_space(incidence)  # len(universe) x d
    if basis.shape[1] == 0:
        basis = np.zeros((len(universe), 1))
    tolerance = 1e-8
    found = [
        frozenset([universe[int(i)]]) for i in np.flatnonzero(np.abs(basis).sum(axis=1) < tolerance)
    ]
    pair_sums = np.abs(basis[:, None, :] + basis[None, :, :]).sum(axis=2)
    for i, j in zip(*np.nonzero(pair_sums < tolerance), strict=True):
        if i < j:
            found.append(frozenset([universe[int(i)], universe[int(j)]]))
    return found
