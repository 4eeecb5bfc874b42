"""The connection network as arrays: validated once at the boundary, compiled to sparse matrices.

:func:`build_network` checks every input array (errors name the field and the row), turns each
interaction into a recency weight and compiles the graph into :mod:`scipy.sparse` matrices, so
that the measures of :mod:`connectwell.network.measures` can trust their input and never loop
over edges in Python.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

#: The kinds of interaction that make an edge, in the order of their integer codes.
KINDS: tuple[str, ...] = ("pairing_met", "shoutout", "help", "event")
PAIRING_MET, SHOUTOUT, HELP, EVENT = range(4)

#: Defaults of the design: recent ones count more (half-life), "recent" means this window.
HALF_LIFE_DAYS = 90.0
WINDOW_DAYS = 90.0

IntArray: TypeAlias = npt.NDArray[np.int64]
FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]


class NetworkInputError(ValueError):
    """Bad input to the network library, naming the field and, for an array, the row.

    Parameters
    ----------
    field : str
        The argument at fault (``team``, ``source``, ``target``, ``kind``, ``age_days``, ...).
    row : int or None
        The index of the first offending element, for an array argument.
    message : str
        What is wrong, in words a person can act on.
    """

    def __init__(self, field: str, row: int | None, message: str) -> None:
        self.field = field
        self.row = row
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"field '{self.field}'"
        if self.row is not None:
            where += f", row {self.row}"
        return f"{where}: {self.message}"

    def __reduce__(self) -> tuple[type, tuple[str, int | None, str]]:
        return (type(self), (self.field, self.row, self.message))


@dataclass(frozen=True, eq=False)
class Ties:
    """The distinct undirected ties of a set of interactions.

    Attributes
    ----------
    u, v : ndarray of int32 (int64 beyond 2**31 people), shape (ties,)
        Each distinct tie once, ``u < v``, sorted by ``(u, v)``.
    weight : ndarray of float64, shape (ties,)
        The summed weight of the interactions of each tie.
    matrix : scipy.sparse.csr_array, shape (people, people)
        Symmetric, no diagonal: entry ``(u, v)`` and ``(v, u)`` hold the tie's weight. Its
        pattern is the set of ties (explicit zeros are kept), so row ``p`` lists the distinct
        neighbours of person ``p``.
    """

    u: npt.NDArray[np.signedinteger[Any]]
    v: npt.NDArray[np.signedinteger[Any]]
    weight: FloatArray
    matrix: sp.csr_array

    @property
    def count(self) -> int:
        """The number of distinct ties."""
        return int(self.u.shape[0])

    def degree(self) -> IntArray:
        """The number of distinct neighbours of each person."""
        return np.diff(self.matrix.indptr).astype(np.int64)

    def strength(self) -> FloatArray:
        """The summed weight of each person's ties."""
        people = self.matrix.shape[0]
        return sum_by(self.u, self.weight, people) + sum_by(self.v, self.weight, people)


@dataclass(frozen=True, eq=False)
class Network:
    """A validated, compiled connection network. Build it with :func:`build_network`.

    People are the integers ``0 .. people - 1``; teams the integers ``0 .. teams - 1``.

    Attributes
    ----------
    team : ndarray of int64, shape (people,)
        The team of each person.
    teams : int
        The number of teams (some may have no members).
    source, target : ndarray of int64, shape (edges,)
        The two people of each interaction (sender and recipient for a directed one).
    kind : ndarray of int8, shape (edges,)
        Index into :data:`KINDS`.
    age_days : ndarray of float64, shape (edges,)
        Days between the interaction and the reference date, at least 0.
    directed : ndarray of bool, shape (edges,)
        Whether the interaction has a direction (by default: shout-outs).
    weight : ndarray of float64, shape (edges,)
        ``kind_weight * 0.5 ** (age_days / half_life_days)``.
    half_life_days, window_days : float
        The recency half-life and the window of "recent" connections.
    kind_weights : tuple of float
        The factor of each kind, in the order of :data:`KINDS`.
    ties : Ties
        Every distinct tie (any interaction, either direction, any age) and its summed weight.
    recent : Ties
        The ties with at least one interaction within the last ``window_days`` days, weighted
        by those recent interactions only.
    """

    team: IntArray
    teams: int
    source: IntArray
    target: IntArray
    kind: npt.NDArray[np.int8]
    age_days: FloatArray
    directed: BoolArray
    weight: FloatArray
    half_life_days: float
    window_days: float
    kind_weights: tuple[float, ...]
    ties: Ties
    recent: Ties

    @property
    def people(self) -> int:
        """The number of people."""
        return int(self.team.shape[0])

    @property
    def edges(self) -> int:
        """The number of interactions (before merging repeated ones into ties)."""
        return int(self.source.shape[0])

    def ties_of(self, *, recent: bool) -> Ties:
        """:attr:`recent` if ``recent``, else :attr:`ties`."""
        return self.recent if recent else self.ties


def sum_by(labels: npt.ArrayLike, weights: npt.ArrayLike, length: int) -> FloatArray:
    """``numpy.bincount`` with weights, typed: the summed ``weights`` of each label."""
    return np.bincount(labels, weights, minlength=length).astype(np.float64, copy=False)


def ratio(numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> FloatArray:
    """``numerator / denominator`` elementwise, ``nan`` where the denominator is 0.

    >>> ratio([1, 2], [2, 0]).tolist()
    [0.5, nan]
    """
    top = np.asarray(numerator, dtype=np.float64)
    bottom = np.asarray(denominator, dtype=np.float64)
    out = np.full(np.broadcast(top, bottom).shape, np.nan)
    np.divide(top, bottom, out=out, where=bottom != 0)
    return out


def scalar_ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator`` as a float, ``nan`` if the denominator is 0.

    >>> scalar_ratio(3, 4), scalar_ratio(3, 0)
    (0.75, nan)
    """
    return float(numerator) / float(denominator) if denominator else float("nan")


def _first(bad: npt.NDArray[np.bool_]) -> int:
    return int(np.flatnonzero(bad)[0])


def _integers(field: str, values: Any, length: int | None = None) -> IntArray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise NetworkInputError(field, None, f"must be one-dimensional, got shape {array.shape}")
    if length is not None and array.shape[0] != length:
        raise NetworkInputError(
            field, None, f"has {array.shape[0]} elements, expected {length} (one per edge)"
        )
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.dtype.kind == "b" or array.dtype.kind not in "iuf":
        raise NetworkInputError(field, None, f"must hold integers, got dtype {array.dtype}")
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array) | (array != np.round(array))
        if bad.any():
            row = _first(bad)
            raise NetworkInputError(field, row, f"must be an integer, got {array[row]!r}")
    return array.astype(np.int64, copy=False)


def _floats(field: str, values: Any, length: int) -> FloatArray:
    array = np.asarray(values)
    if array.ndim != 1 or array.shape[0] != length:
        raise NetworkInputError(
            field, None, f"must be one-dimensional with {length} elements (one per edge)"
        )
    if array.size and array.dtype.kind not in "iuf":
        raise NetworkInputError(field, None, f"must hold numbers, got dtype {array.dtype}")
    return array.astype(np.float64, copy=False)


def _positive(field: str, value: float, *, zero_ok: bool = False) -> float:
    number = float(value)
    if not math.isfinite(number) or number < 0 or (number == 0 and not zero_ok):
        sign = "at least 0" if zero_ok else "greater than 0"
        raise NetworkInputError(field, None, f"must be a finite number {sign}, got {value!r}")
    return number


def _kind_codes(values: Any, length: int) -> npt.NDArray[np.int8]:
    array = np.asarray(values)
    if array.ndim != 1 or array.shape[0] != length:
        raise NetworkInputError(
            "kind", None, f"must be one-dimensional with {length} elements (one per edge)"
        )
    if array.size == 0:
        return np.zeros(0, dtype=np.int8)
    if array.dtype.kind in "iu":
        bad = (array < 0) | (array >= len(KINDS))
        if bad.any():
            row = _first(bad)
            raise NetworkInputError(
                "kind", row, f"code {array[row]} is not one of 0..{len(KINDS) - 1} ({KINDS})"
            )
        return array.astype(np.int8)
    if array.dtype.kind in "UOS":
        # Vectorised look-up: each distinct string once, then an index per edge.
        labels, inverse = np.unique(array.astype(str), return_inverse=True)
        codes = np.empty(labels.shape[0], dtype=np.int8)
        for position, label in enumerate(labels):  # at most a handful of distinct labels
            if label not in KINDS:
                row = _first(inverse == position)
                raise NetworkInputError("kind", row, f"{label!r} is not one of {KINDS}")
            codes[position] = KINDS.index(label)
        return codes[inverse.reshape(-1)]
    raise NetworkInputError("kind", None, f"must hold kind names or codes, got {array.dtype}")


def _as_datetime64(field: str, value: Any) -> np.datetime64:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    try:
        return np.datetime64(value, "s")
    except (TypeError, ValueError) as error:
        raise NetworkInputError(field, None, f"is not a date or time: {value!r}") from error


def _ages(length: int, age_days: Any | None, when: Any | None, reference: Any | None) -> FloatArray:
    if (age_days is None) == (when is None):
        raise NetworkInputError("age_days", None, "give either age_days or when (with reference)")
    if age_days is not None:
        ages = _floats("age_days", age_days, length)
        field = "age_days"
    else:
        if reference is None:
            raise NetworkInputError("reference", None, "is required with when")
        stamps = np.asarray(when)
        if stamps.ndim != 1 or stamps.shape[0] != length:
            raise NetworkInputError(
                "when", None, f"must be one-dimensional with {length} elements (one per edge)"
            )
        field = "when"
        if stamps.dtype.kind == "M":
            ref = _as_datetime64("reference", reference)
            seconds = (ref - stamps.astype("datetime64[s]")).astype(np.int64)
            ages = seconds.astype(np.float64) / 86400.0
            ages[np.isnat(stamps)] = np.nan
        elif stamps.dtype.kind in "iuf" or stamps.size == 0:
            if not isinstance(reference, int | float | np.integer | np.floating):
                raise NetworkInputError(
                    "reference", None, "must be a day number when 'when' holds day numbers"
                )
            ages = float(reference) - stamps.astype(np.float64)
        else:
            raise NetworkInputError(
                "when", None, f"must hold datetime64 values or day numbers, got {stamps.dtype}"
            )
    bad = ~np.isfinite(ages)
    if bad.any():
        raise NetworkInputError(field, _first(bad), "is missing or not a finite time")
    bad = ages < 0
    if bad.any():
        raise NetworkInputError(field, _first(bad), "is after the reference date")
    return np.asarray(ages, dtype=np.float64)


def _index_dtype(people: int) -> type[np.int32] | type[np.int64]:
    return np.int32 if people < 2**31 - 1 else np.int64


def _ties(
    low: npt.NDArray[np.signedinteger[Any]],
    high: npt.NDArray[np.signedinteger[Any]],
    weight: FloatArray,
    people: int,
) -> Ties:
    """Merge interactions on (low, high) pairs into distinct ties: COO -> CSR sums repeats."""
    upper = sp.csr_array(sp.coo_array((weight, (low, high)), shape=(people, people)))
    upper.sum_duplicates()
    pairs = upper.tocoo()
    u = pairs.row.astype(low.dtype, copy=False)
    v = pairs.col.astype(low.dtype, copy=False)
    data = pairs.data.astype(np.float64, copy=False)
    matrix = sp.csr_array(
        sp.coo_array(
            (np.concatenate([data, data]), (np.concatenate([u, v]), np.concatenate([v, u]))),
            shape=(people, people),
        )
    )
    return Ties(u=u, v=v, weight=data, matrix=matrix)


def build_network(
    team: npt.ArrayLike,
    source: npt.ArrayLike,
    target: npt.ArrayLike,
    kind: npt.ArrayLike,
    *,
    age_days: npt.ArrayLike | None = None,
    when: npt.ArrayLike | None = None,
    reference: Any | None = None,
    directed: npt.ArrayLike | None = None,
    half_life_days: float = HALF_LIFE_DAYS,
    window_days: float = WINDOW_DAYS,
    kind_weights: Mapping[str, float] | None = None,
    teams: int | None = None,
) -> Network:
    """Validate the people and their interactions and compile the connection network.

    Parameters
    ----------
    team : array_like of int, shape (people,)
        The team of each person ``0 .. people - 1``: integers from 0.
    source, target : array_like of int, shape (edges,)
        The two people of each interaction: a met pairing, a shout-out (sender, recipient),
        help given, an event shared. A person never interacts with themself here.
    kind : array_like of str or int, shape (edges,)
        The names in :data:`KINDS`, or their codes ``0 .. 3``.
    age_days : array_like of float, shape (edges,), optional
        Days between each interaction and the reference date (at least 0).
    when : array_like, shape (edges,), optional
        Instead of ``age_days``: ``datetime64`` values, or day numbers, of each interaction.
    reference : date, datetime, datetime64 or number, optional
        The "today" against which ``when`` is aged (a day number if ``when`` holds numbers).
    directed : array_like of bool, shape (edges,), optional
        Whether each interaction has a direction. Default: shout-outs are directed
        (sender → recipient), the other kinds are not. Only :func:`reciprocity` uses it; the
        other measures treat every interaction as an undirected tie.
    half_life_days : float
        Recent interactions count more: each weighs ``0.5 ** (age_days / half_life_days)``.
        Default 90.
    window_days : float
        An interaction is recent when ``age_days <= window_days``. Default 90.
    kind_weights : mapping of str to float, optional
        A factor per kind (default 1 for each), multiplied into the weight.
    teams : int, optional
        The number of teams, at least ``max(team) + 1`` (teams without members are allowed).

    Returns
    -------
    Network
        The validated arrays and the compiled sparse matrices.

    Raises
    ------
    NetworkInputError
        Naming the field and the first offending row.

    Complexity
    ----------
    ``O(n + E log E)`` time and ``O(n + E)`` memory for ``n`` people and ``E`` interactions: one
    COO → CSR conversion (a sort) that merges repeated interactions into ties.

    References
    ----------
    .. [1] J. E. Dutton and E. D. Heaphy, "The power of high-quality connections", in
       *Positive Organizational Scholarship*, 2003 (edges: met pairings, shout-outs, help and
       shared events, the four pathways of connectwell).
    """
    team_of = _integers("team", team)
    people = int(team_of.shape[0])
    if people == 0:
        raise NetworkInputError("team", None, "needs at least one person")
    bad = team_of < 0
    if bad.any():
        raise NetworkInputError("team", _first(bad), "must be 0 or more")
    team_count = int(team_of.max()) + 1
    if teams is not None:
        if int(teams) < team_count:
            raise NetworkInputError(
                "teams", None, f"is {teams}, but team labels go up to {team_count - 1}"
            )
        team_count = int(teams)

    src = _integers("source", source)
    length = int(src.shape[0])
    dst = _integers("target", target, length)
    for field, ends in (("source", src), ("target", dst)):
        bad = (ends < 0) | (ends >= people)
        if bad.any():
            row = _first(bad)
            raise NetworkInputError(field, row, f"person {ends[row]} is not in 0..{people - 1}")
    bad = src == dst
    if bad.any():
        raise NetworkInputError("target", _first(bad), "is the same person as the source")
    codes = _kind_codes(kind, length)
    ages = _ages(length, age_days, when, reference)

    if directed is None:
        direction = codes == SHOUTOUT
    else:
        direction = np.asarray(directed)
        if direction.ndim != 1 or direction.shape[0] != length:
            raise NetworkInputError(
                "directed", None, f"must be one-dimensional with {length} elements"
            )
        if direction.size and direction.dtype.kind != "b":
            raise NetworkInputError("directed", None, f"must hold booleans, got {direction.dtype}")
        direction = direction.astype(bool, copy=False)

    half_life = _positive("half_life_days", half_life_days)
    window = _positive("window_days", window_days, zero_ok=True)
    factors = np.ones(len(KINDS), dtype=np.float64)
    for name, factor in (kind_weights or {}).items():
        if name not in KINDS:
            raise NetworkInputError("kind_weights", None, f"{name!r} is not one of {KINDS}")
        factors[KINDS.index(name)] = _positive(f"kind_weights[{name!r}]", factor, zero_ok=True)
    weight = np.exp2(-ages / half_life)
    if kind_weights:
        weight *= factors[codes]

    # Ties: each interaction on its (smaller, larger) pair; COO -> CSR sums repeated pairs.
    index = _index_dtype(people)
    low: npt.NDArray[np.signedinteger[Any]] = np.minimum(src, dst).astype(index)
    high: npt.NDArray[np.signedinteger[Any]] = np.maximum(src, dst).astype(index)
    recent = ages <= window
    ties = _ties(low, high, weight, people)
    recent_ties = _ties(low[recent], high[recent], weight[recent], people)
    return Network(
        team=team_of,
        teams=team_count,
        source=src,
        target=dst,
        kind=codes,
        age_days=ages,
        directed=direction,
        weight=weight,
        half_life_days=half_life,
        window_days=window,
        kind_weights=tuple(float(f) for f in factors),
        ties=ties,
        recent=recent_ties,
    )
