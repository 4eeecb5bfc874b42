"""Answers as a validated matrix: the input checks every scoring function shares.

Answers come in as a matrix, one row per respondent and one column per item, each cell an
integer on the scale ``1..scale_max`` or missing (``NaN`` or ``None``: the item was not asked or
not answered). Anything else raises :class:`~connectwell.stats.errors.StatsInputError` naming the
first bad cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from connectwell.stats.errors import StatsInputError, check_int

FloatArray = npt.NDArray[np.float64]
#: Answers: an array, or nested lists in which ``None`` (or ``NaN``) marks a missing answer.
Answers: TypeAlias = npt.ArrayLike | Sequence[Sequence[float | None]] | Sequence[float | None]

#: The default scale: 1 (strongly disagree) to 5 (strongly agree).
DEFAULT_SCALE_MAX = 5


def check_scale(scale_max: int) -> int:
    """``scale_max`` as an int of at least 3, or :class:`StatsInputError` naming it."""
    return check_int("scale_max", scale_max, minimum=3)


def answer_matrix(
    answers: Answers, scale_max: int, *, field: str = "answers", matrix_only: bool = True
) -> FloatArray:
    """``answers`` as a float matrix, missing as NaN, every other cell a whole number on the
    scale; anything else raises :class:`StatsInputError` naming the first bad cell."""
    try:
        matrix = np.array(answers, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise StatsInputError(field, f"must be numbers or missing values ({error})") from None
    if matrix_only and matrix.ndim != 2:
        raise StatsInputError(
            field, f"must be a matrix (respondents x items), got {matrix.ndim} dimension(s)"
        )
    present = ~np.isnan(matrix)
    bad = present & ((matrix != np.round(matrix)) | (matrix < 1) | (matrix > scale_max))
    if bad.any():
        cell = tuple(int(k) for k in np.argwhere(bad)[0])
        raise StatsInputError(
            f"{field}[{', '.join(map(str, cell))}]",
            f"{float(matrix[cell])!r} is not a whole number on the scale 1..{scale_max}",
        )
    return matrix


def reverse_flags(reverse: Sequence[bool] | None, items: int) -> npt.NDArray[np.bool_]:
    """The reverse-coding flags as a boolean array of one flag per item column."""
    if reverse is None:
        return np.zeros(items, dtype=bool)
    flags = list(reverse)
    if len(flags) != items:
        raise StatsInputError(
            "reverse", f"has {len(flags)} flags for {items} item column(s) of answers"
        )
    for k, flag in enumerate(flags):
        if not isinstance(flag, bool | np.bool_):
            raise StatsInputError(f"reverse[{k}]", f"must be True or False, got {flag!r}")
    return np.array(flags, dtype=bool)


def coded_answers(answers: Answers, reverse: Sequence[bool] | None, scale_max: int) -> FloatArray:
    """Validated answers with the reverse-coded columns turned around."""
    scale_max = check_scale(scale_max)
    matrix = answer_matrix(answers, scale_max)
    flags = reverse_flags(reverse, matrix.shape[1])
    matrix[:, flags] = (scale_max + 1) - matrix[:, flags]
    return matrix


def respondent_means(coded: FloatArray) -> FloatArray:
    """Each row's mean over its answered cells; ``NaN`` for a row with none."""
    answered = ~np.isnan(coded)
    counts = answered.sum(axis=1)
    sums = np.where(answered, coded, 0.0).sum(axis=1)
    means = np.full(coded.shape[0], np.nan)
    np.divide(sums, counts, out=means, where=counts > 0)
    return means
