"""Onboarding buddies: each new hire gets a volunteer buddy with spare capacity.

This is a min-cost flow from new hires through buddies (capacity ``c``) to the sink, solved as
an assignment problem in which each buddy appears once per unit of capacity, the ``k``-th seat
a little dearer than the ``(k-1)``-th so that load spreads across buddies (a convex cost per
buddy, which is what makes the seat expansion exact for the flow). Preferences: a different
team, the same location, shared working hours, longer tenure. Rules: a buddy volunteers, has
been here ``min_tenure_days``, is not the new hire's manager and not excluded.

References
----------
.. [1] R. K. Ahuja, T. L. Magnanti, J. B. Orlin, *Network Flows*, Prentice Hall 1993, ch. 12
   (assignment) and 14 (convex cost flows).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from connectwell.matching.model import (
    InvalidResultError,
    MatchingInputError,
    Participant,
    validate_inputs,
)
from connectwell.matching.model import Rules as _Rules
from connectwell.matching.verify import overlap_minutes, utc_span

BUDDY_BASE = 1_000
OTHER_TEAM_BONUS = 300
SAME_LOCATION_BONUS = 200
HOURS_BONUS = 100
NO_SHARED_HOUR_PENALTY = 500
SEAT_COST = 50
FORBIDDEN = 10**9


@dataclass(frozen=True)
class BuddyResult:
    """``buddy_of`` maps each new hire to a buddy; ``unassigned`` lists hires left without one
    (not enough capacity, or nobody allowed): they are named, never silently dropped."""

    buddy_of: dict[str, str]
    unassigned: tuple[str, ...]
    new_hires: tuple[str, ...]
    score: int


def is_new_hire(person: Participant, today: dt.date, new_hire_days: int) -> bool:
    """Joined within the last ``new_hire_days`` days (and not in the future)."""
    return person.joined is not None and 0 <= (today - person.joined).days < new_hire_days


def _may_buddy(person: Participant, today: dt.date, min_tenure_days: int) -> bool:
    return person.joined is None or (today - person.joined).days >= min_tenure_days


def assign_buddies(
    participants: Sequence[Participant],
    volunteers: Mapping[str, int],
    *,
    today: dt.date,
    new_hire_days: int = 30,
    min_tenure_days: int = 180,
    exclusions: Iterable[tuple[str, str]] = (),
    seed: int = 0,
) -> BuddyResult:
    """Assign a buddy to every new hire, within the buddies' capacities.

    Parameters
    ----------
    participants : sequence of Participant
        The roster; new hires are those whose ``joined`` is within ``new_hire_days``.
    volunteers : mapping id -> capacity
        Who volunteers, and for how many new hires at once.
    today : date
        The reference date for tenure and "new".
    new_hire_days, min_tenure_days : int
        What counts as new, and how long a buddy must have been here.
    exclusions : iterable of (id, id)
        Never pair these two.
    seed : int
        Breaks ties; the same input and seed give the same result.

    Returns
    -------
    BuddyResult
        The maximum number of hires get a buddy; among those assignments, the best score.

    Complexity
    ----------
    O((h + s)^3) for h new hires and s seats (Hungarian method, dense), which is small: a few
    per cent of a roster start in any month.
    """
    exclusions = [(a, b) for a, b in exclusions]
    validate_inputs(participants, exclusions, _Rules())
    people = {p.id: p for p in participants}
    for pid, capacity in volunteers.items():
        if pid not in people:
            raise MatchingInputError("volunteers", None, "id", f"unknown person {pid!r}")
        if capacity < 0:
            raise MatchingInputError("volunteers", None, "capacity", f"negative for {pid!r}")
    hires = [p for p in participants if is_new_hire(p, today, new_hire_days)]
    buddies = [
        people[pid]
        for pid in sorted(volunteers)
        if volunteers[pid] > 0
        and _may_buddy(people[pid], today, min_tenure_days)
        and not is_new_hire(people[pid], today, new_hire_days)
    ]
    seats = [(b, k) for b in buddies for k in range(volunteers[b.id])]
    hire_ids = tuple(h.id for h in hires)
    if not hires or not seats:
        return BuddyResult({}, hire_ids, hire_ids, 0)
    banned = {frozenset(pair) for pair in exclusions}
    rng = np.random.default_rng(seed)
    spans = {p.id: utc_span(p, today) for p in [*hires, *buddies]}
    score = np.zeros((len(hires), len(buddies)), dtype=np.int64)
    allowed = np.ones_like(score, dtype=bool)
    for r, hire in enumerate(hires):
        for c, buddy in enumerate(buddies):
            if buddy.id == hire.id or hire.manager == buddy.id or {hire.id, buddy.id} in banned:
                allowed[r, c] = False
                continue
            shared = overlap_minutes(spans[hire.id], spans[buddy.id])
            value = BUDDY_BASE + HOURS_BONUS * min(shared, 240) // 240
            value += OTHER_TEAM_BONUS * (hire.team != buddy.team)
            value += SAME_LOCATION_BONUS * bool(hire.location and hire.location == buddy.location)
            value -= NO_SHARED_HOUR_PENALTY * (shared < 60)
            if buddy.joined is not None:
                value += min(100, (today - buddy.joined).days // 30)
            score[r, c] = value
    score += rng.integers(0, 10, size=score.shape)
    seat_buddy = np.array([buddies.index(b) for b, _ in seats])
    seat_rank = np.array([k for _, k in seats])
    seat_score = score[:, seat_buddy] - SEAT_COST * seat_rank[None, :]
    seat_allowed = allowed[:, seat_buddy]
    cost = np.where(seat_allowed, -seat_score, FORBIDDEN)
    rows, cols = linear_sum_assignment(cost)
    buddy_of: dict[str, str] = {}
    total = 0
    for r, c in zip(rows, cols, strict=True):
        if seat_allowed[r, c]:
            buddy_of[hires[r].id] = buddies[seat_buddy[c]].id
            total += int(seat_score[r, c])
    unassigned = tuple(h for h in hire_ids if h not in buddy_of)
    return BuddyResult(buddy_of, unassigned, hire_ids, total)


def verify_buddies(
    result: BuddyResult,
    participants: Sequence[Participant],
    volunteers: Mapping[str, int],
    *,
    today: dt.date,
    new_hire_days: int = 30,
    min_tenure_days: int = 180,
    exclusions: Iterable[tuple[str, str]] = (),
) -> dict[str, int]:
    """Check a buddy assignment; raise :class:`InvalidResultError` on a broken rule.

    Returns the figures: hires, assigned, unassigned, different-team and same-location pairs.
    """
    people = {p.id: p for p in participants}
    hires = {p.id for p in participants if is_new_hire(p, today, new_hire_days)}
    problems = []
    covered = set(result.buddy_of) | set(result.unassigned)
    if covered != hires or set(result.buddy_of) & set(result.unassigned):
        problems.append("new hires are not each either assigned or listed unassigned")
    load = Counter(result.buddy_of.values())
    for buddy, count in load.items():
        if count > volunteers.get(buddy, 0):
            problems.append(f"{buddy!r} has {count} hires over capacity")
        if buddy in hires or not _may_buddy(people[buddy], today, min_tenure_days):
            problems.append(f"{buddy!r} may not be a buddy")
    banned = {frozenset(pair) for pair in exclusions}
    for hire, buddy in result.buddy_of.items():
        if people[hire].manager == buddy or frozenset((hire, buddy)) in banned:
            problems.append(f"{hire!r} and {buddy!r} may not be paired")
    if problems:
        raise InvalidResultError("; ".join(problems))
    return {
        "hires": len(hires),
        "assigned": len(result.buddy_of),
        "unassigned": len(result.unassigned),
        "other_team": sum(people[h].team != people[b].team for h, b in result.buddy_of.items()),
        "same_location": sum(
            bool(people[h].location) and people[h].location == people[b].location
            for h, b in result.buddy_of.items()
        ),
    }
