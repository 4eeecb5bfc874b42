"""The domain error kinds: what went wrong, named by the field it concerns.

Domains raise subclasses of these four kinds and nothing else for a refusal a person should
read. Entry points map the kind, never the domain class: ``web/`` to an HTTP status (a page
or an RFC 9457 problem), ``cli.py`` to an exit code, a chat integration to its reply.

>>> error = NotFound("team_id", "no such team")
>>> error.field, error.message, str(error)
('team_id', 'no such team', 'team_id: no such team')
>>> isinstance(Conflict("email", "taken"), DomainError)
True
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
