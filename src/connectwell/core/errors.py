"""The domain error kinds: what went wrong, named by the field it concerns.

Domains raise subclasses of these four kinds and nothing else for a refusal a person should
read. Entry points map the kind, never the domain class: ``web/`` to an HTTP status (a page
or an RFC 9457 problem), ``cli.py`` to an exit code, a chat integration to its reply.

>>> error = NotFound("team_id", "no such team")
>>> error.field, error.message, str(error)
('team_id', 'no such team', 'team_id: no such team')
>>> isinstance(Conflict("email", "taken"), DomainError)
True

A domain keeps one base class that its callers catch, an ``Invalid``, and names its other
refusals by both their kind and that base; :func:`kind_of` reads the kind named first:

>>> class GoalError(Invalid): ...
>>> class GoalNotFound(NotFound, GoalError): ...
>>> kind_of(GoalNotFound("goal", "no goal 7")).__name__, kind_of(GoalError("x", "y")).__name__
('NotFound', 'Invalid')
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal with the ``field`` it concerns and a ``message`` a person can read."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class Invalid(DomainError):
    """The input breaks a rule (HTTP 422, exit code 2)."""


class NotFound(DomainError):
    """What was asked for does not exist, or is not visible to the asker (HTTP 404)."""


class NotAllowed(DomainError):
    """The asker may not do this (HTTP 403)."""


class Conflict(DomainError):
    """The request clashes with what is stored now: a duplicate, a race lost (HTTP 409)."""


KINDS: tuple[type[DomainError], ...] = (Invalid, NotFound, NotAllowed, Conflict)


def kind_of(error: DomainError) -> type[DomainError]:
    """The kind of ``error``: the first of :data:`KINDS` in its class's method resolution order.

    So ``class ProgramNotFound(NotFound, ProgramError)`` is a ``NotFound`` although
    ``ProgramError`` is an ``Invalid``. A bare ``DomainError`` counts as ``Invalid``.
    """
    for cls in type(error).__mro__:
        if cls in KINDS:
            return cls
    return Invalid
