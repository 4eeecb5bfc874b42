"""Coarsened attributes: store only combinations that at least ``floor`` people share.

An answer is stored with the groups it counts in: a team, a tenure band, a location. If only
one invited person is in the team *and* the tenure band *and* the location, the stored row
names them, whatever else is kept apart. So before an answer is stored, its attributes are
*generalised* (Samarati 2001) until the combination is shared by at least ``floor`` people of
the round's audience, which makes the stored table ``floor``-anonymous with respect to the
audience (Sweeney 2002). The audience must be the crowd a reader of the database can tell the
author is in: when the database records who answered, that is the respondents, not everyone
invited.

The rule, for a ballot answered by someone in team ``t`` with tenure band ``b`` and location
``l``, is to take the first of these that at least ``floor`` people of the audience match:

1. ``(t, b, l)``
2. ``(t, b, any)``: drop the location;
3. ``(t, any, any)``: drop the tenure band as well;
4. ``(parent(t), any, any)``, then the grandparent, and so on up to
5. ``(no team, any, any)``: the whole audience.

A stored team means "someone in this team's subtree" (the team or any team under it); a
stored empty tenure band or location means "any". An empty input value (a person with no
start date or no location) is read as "any" from the start. When the whole audience is
smaller than ``floor``, every ballot ends at level 5 (nothing is published for such a round).

The generalisation is per ballot and deterministic given the audience, so it leaks nothing
about the other ballots: which level a ballot reaches depends only on the audience's
attributes and the ballot's own.

References
----------
.. [1] L. Sweeney, "k-anonymity: a model for protecting privacy", International Journal of
   Uncertainty, Fuzziness and Knowledge-Based Systems 10(5) (2002) 557-570.
.. [2] P. Samarati, "Protecting respondents' identities in microdata release", IEEE
   Transactions on Knowledge and Data Engineering 13(6) (2001) 1010-1027.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from connectwell.stats.errors import StatsInputError, check_int

ANY = ""  # a dropped (or unknown) tenure band or location


@dataclass(frozen=True, order=True)
class Attributes:
    """What an answer may be stored with: a team (None: no team), a tenure band, a location.

    Stored, an empty tenure band or location means "any", and a team means its whole subtree.
    """

    team_id: int | None
    tenure_band: str = ANY
    location: str = ANY


_Key = tuple[int | None, str | None, str | None]  # None: any


def _ancestors(team_id: int | None, parents: Mapping[int, int | None]) -> list[int | None]:
    """``team_id``, its parent, ... and finally None (the whole organisation)."""
    chain: list[int | None] = []
    seen: set[int] = set()
    current = team_id
    while current is not None and current not in seen:
        seen.add(current)
        chain.append(current)
        current = parents.get(current)
    chain.append(None)
    return chain


def _levels(ballot: Attributes, parents: Mapping[int, int | None]) -> list[_Key]:
    band = ballot.tenure_band or None
    place = ballot.location or None
    chain = _ancestors(ballot.team_id, parents)
    levels: list[_Key] = [(chain[0], band, place), (chain[0], band, None)]
    levels += [(team, None, None) for team in chain]
    deduplicated: list[_Key] = []
    for level in levels:
        if level not in deduplicated:
            deduplicated.append(level)
    return deduplicated


def _counts(audience: Iterable[Attributes], parents: Mapping[int, int | None]) -> Counter[_Key]:
    counts: Counter[_Key] = Counter()
    for person in audience:
        band = person.tenure_band or None
        place = person.location or None
        for team in _ancestors(person.team_id, parents):
            # A set: with no band or no location some of these are the same combination.
            for key in {(team, band, place), (team, band, None), (team, None, place)} | {
                (team, None, None)
            }:
                counts[key] += 1
    return counts


def _stored(key: _Key) -> Attributes:
    return Attributes(key[0], key[1] or ANY, key[2] or ANY)


def coarsen_attributes(
    ballots: Sequence[Attributes],
    audience: Sequence[Attributes],
    parents: Mapping[int, int | None],
    floor: int,
) -> list[Attributes]:
    """Each ballot's attributes, generalised until ``floor`` people of the audience share them.

    Parameters
    ----------
    ballots : sequence of Attributes
        The attributes of each answer, as the person had them when answering.
    audience : sequence of Attributes
        One entry per person a reader can tell may have written a ballot: the respondents
        when who answered is on record (the pulse and check-in counts pass them).
    parents : mapping of int to int or None
        Each team's parent team (None for a top-level team). Teams missing from it are
        treated as top-level.
    floor : int
        The anonymity floor, at least 1.

    Returns
    -------
    list of Attributes
        The stored attributes, in the order of ``ballots`` (see the module docstring for the
        rule and the meaning of "any").

    Raises
    ------
    StatsInputError
        ``floor`` is not a positive whole number.

    Notes
    -----
    Time :math:`O((N + B) d)` for ``N`` people, ``B`` ballots and team depth ``d``: the
    audience is counted once per combination and ancestor, then each ballot looks its levels
    up.
    """
    check_int("floor", floor, minimum=1)
    counts = _counts(audience, parents)
    stored = []
    for ballot in ballots:
        levels = _levels(ballot, parents)
        chosen = next((key for key in levels if counts[key] >= floor), levels[-1])
        stored.append(_stored(chosen))
    return stored


def shared_by(
    stored: Attributes, audience: Iterable[Attributes], parents: Mapping[int, int | None]
) -> int:
    """How many people of the audience a stored combination matches (the attacker's count).

    Parameters
    ----------
    stored : Attributes
        A stored combination (a team means its subtree; an empty value means any).
    audience : iterable of Attributes
        The people invited, with their own attributes.
    parents : mapping of int to int or None
        Each team's parent team.

    Returns
    -------
    int
        The number of people whose own attributes fall inside ``stored``. Time :math:`O(N d)`.
    """
    matched = 0
    for person in audience:
        if stored.team_id is not None and stored.team_id not in _ancestors(person.team_id, parents):
            continue
        if stored.tenure_band and stored.tenure_band != person.tenure_band:
            continue
        if stored.location and stored.location != person.location:
            continue
        matched += 1
    return matched


def verify_coarsening(
    ballots: Sequence[Attributes],
    stored: Sequence[Attributes],
    audience: Sequence[Attributes],
    parents: Mapping[int, int | None],
    floor: int,
) -> list[str]:
    """Check stored attributes against the rule independently; the problems found, if any.

    Checks, by plain matching rather than the counts :func:`coarsen_attributes` uses, that

    1. every stored combination generalises its ballot's (the same team or an ancestor, the
       same band and location or "any");
    2. every stored combination is shared by at least ``floor`` people of the audience (or,
       when the whole audience is smaller than ``floor``, is "no team, any, any");
    3. nothing is coarser than needed: the level before the stored one is shared by fewer
       than ``floor`` people.

    Parameters
    ----------
    ballots, stored : sequences of Attributes
        The ballots' own attributes and what was stored for each, in the same order.
    audience : sequence of Attributes
        The people invited to the round.
    parents : mapping of int to int or None
        Each team's parent team.
    floor : int
        The anonymity floor.

    Returns
    -------
    list of str
        One plain sentence per problem; empty when the coarsening holds.
    """
    if len(ballots) != len(stored):
        raise StatsInputError("stored", "one stored entry per ballot is needed")
    problems = []
    for index, (ballot, kept) in enumerate(zip(ballots, stored, strict=True)):
        levels = [_stored(key) for key in _levels(ballot, parents)]
        if kept not in levels:
            problems.append(f"ballot {index}: {kept} does not generalise {ballot}")
            continue
        shared = shared_by(kept, audience, parents)
        if shared < floor and kept != levels[-1]:
            problems.append(f"ballot {index}: {kept} is shared by {shared} < {floor} people")
        position = levels.index(kept)
        if position > 0 and shared_by(levels[position - 1], audience, parents) >= floor:
            problems.append(f"ballot {index}: {kept} is coarser than needed")
    return problems
