"""An independent, linear-algebra check that published groups isolate nobody.

Every published figure of a group (a count, a sum, a mean with its ``n``, a sum of squares, the
counts of one option) is ``x . 1_G``: a vector of per-respondent values ``x`` dotted with the
group's indicator ``1_G``. Whatever anyone computes by adding and subtracting published figures
is ``x . v`` for ``v`` in the row space of the *incidence matrix* ``M`` (rows: the published
groups, columns: the respondents in any of them). So:

- a respondent ``i`` can be singled out exactly when ``e_i`` lies in the row space of ``M``
  (``rank([M; e_i]) == rank(M)``);
- every ``v`` in the row space is constant on each class of identical columns of ``M`` (the
  *cells*: respondents in exactly the same published groups), because ``v = c M`` takes the
  same value on identical columns. So when every cell has at least ``floor`` members, every
  combination of published figures that is not zero involves at least ``floor`` respondents
  with the same weight: none isolates fewer than the floor.

:func:`verify_no_isolation` checks both with numpy alone, sharing no code with
:class:`~connectwell.stats.anonymity.Disclosure` (set algebra) or
:func:`~connectwell.stats.anonymity.verify_disclosure`; the property tests run all three over
sequences of publications.

References
----------
.. [1] D. E. Denning, J. Schlörer, "Inference controls for statistical databases", IEEE
   Computer 16(7) (1983) 69-82.
.. [2] F. Y. Chin, G. Ozsoyoglu, "Auditing and inference control in statistical databases",
   IEEE Transactions on Software Engineering SE-8 (1982) 574-582 (a query set is compromised
   when a unit vector lies in the span of the answered queries).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from collections.abc import Set as AbstractSet

import numpy as np

from connectwell.stats.anonymity import Problem
from connectwell.stats.errors import StatsInputError, check_int

#: A respondent whose indicator's squared projection on the row space is within this of 1 is
#: taken as isolated (the projection is 1 exactly in exact arithmetic).
_TOLERANCE = 1e-8


def incidence_matrix(
    groups: Iterable[AbstractSet[Hashable]],
) -> tuple[np.ndarray, list[Hashable]]:
    """The incidence matrix of ``groups`` and its columns' respondents, in first-seen order.

    Raises :class:`StatsInputError` naming ``groups[k]`` for an entry that is not a set.
    Complexity: O(sum of |group|) time, O(g * m) memory for g groups over m respondents.
    """
    checked: list[AbstractSet[Hashable]] = []
    for k, group in enumerate(groups):
        if not isinstance(group, AbstractSet):
            raise StatsInputError(
                f"groups[{k}]", f"must be a set of respondent ids, got {type(group).__name__}"
            )
        checked.append(group)
    column: dict[Hashable, int] = {}
    for group in checked:
        for respondent in group:
            column.setdefault(respondent, len(column))
    matrix = np.zeros((len(checked), len(column)))
    for row, group in enumerate(checked):
        matrix[row, [column[r] for r in group]] = 1.0
    return matrix, list(column)


def verify_no_isolation(groups: Iterable[AbstractSet[Hashable]], floor: int) -> list[Problem]:
    """Every way a linear combination of the published groups' figures isolates fewer than
    ``floor`` respondents; empty when none does.

    Parameters
    ----------
    groups : iterable of sets of respondent ids
        Everything published over one universe of respondents (a ledger), in any order;
        duplicates are harmless.
    floor : int
        The fewest respondents any combination may describe (at least 1).

    Returns
    -------
    list of Problem
        First one ``"isolated"`` problem per respondent whose indicator lies in the row space
        of the incidence matrix (``groups`` holds the indices of the groups of one combination
        that gives it, from least squares), then one ``"cell"`` problem per class of identical
        columns with fewer than ``floor`` members (``groups``: the groups its members are in).

    Raises
    ------
    StatsInputError
        ``floor`` not a whole number of at least 1, or an entry of ``groups`` not a set.

    Complexity
    ----------
    O(g^2 m) time for the singular value decomposition (g groups over m respondents, g <= m)
    plus O(g m log m) for the cells; O(g m) memory.

    References
    ----------
    .. [1] F. Y. Chin, G. Ozsoyoglu, IEEE Trans. Softw. Eng. SE-8 (1982) 574-582.

    Examples
    --------
    >>> team, sub_team = set(range(10)), set(range(9))  # the 10th is team minus sub-team
    >>> [problem.kind for problem in verify_no_isolation([team, sub_team], 5)]
    ['isolated', 'cell']
    >>> verify_no_isolation([set(range(10)), set(range(5))], 5)
    []
    """
    floor = check_int("floor", floor, minimum=1)
    matrix, respondents = incidence_matrix(groups)
    if matrix.size == 0:
        return []
    problems: list[Problem] = []
    _, singular, rows = np.linalg.svd(matrix, full_matrices=False)
    cutoff = singular.max() * max(matrix.shape) * np.finfo(np.float64).eps
    basis = rows[singular > cutoff]  # orthonormal basis of the row space
    projection = (basis**2).sum(axis=0)  # |P e_i|^2 for each respondent i
    for i in np.flatnonzero(projection > 1 - _TOLERANCE):
        target = np.zeros(matrix.shape[1])
        target[i] = 1.0
        weights = np.linalg.lstsq(matrix.T, target, rcond=None)[0]
        used = tuple(int(g) for g in np.flatnonzero(np.abs(weights) > _TOLERANCE))
        problems.append(
            Problem(
                "isolated",
                used,
                1,
                f"respondent {respondents[int(i)]!r} is isolated by combining groups "
                f"{', '.join(f'#{g}' for g in used)}",
            )
        )
    classes, counts = np.unique(matrix.T, axis=0, return_counts=True)
    for pattern, count in zip(classes, counts, strict=True):
        if count < floor:
            member_of = tuple(int(g) for g in np.flatnonzero(pattern))
            problems.append(
                Problem(
                    "cell",
                    member_of,
                    int(count),
                    f"{int(count)} respondent(s) are in exactly groups "
                    f"{', '.join(f'#{g}' for g in member_of)}: a combination of their figures "
                    "isolates them",
                )
            )
    return problems
