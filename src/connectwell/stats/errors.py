"""The one error of the stats library: bad input, naming the field at fault."""

from __future__ import annotations


class StatsInputError(ValueError):
    """Bad input to :mod:`connectwell.stats`, naming the field (and where useful the cell).

    Parameters
    ----------
    field : str
        The parameter or attribute at fault, for example ``floor`` or ``answers[3, 1]``.
    message : str
        What is wrong, in words a person can act on.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.field, self.message))


def check_int(field: str, value: object, *, minimum: int) -> int:
    """``value`` as an int at least ``minimum``; bools and floats are refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise StatsInputError(field, f"must be a whole number, got {value!r}")
    if value < minimum:
        raise StatsInputError(field, f"must be at least {minimum}, got {value}")
    return value
