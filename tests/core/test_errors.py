"""The domain error kinds: a field and a message, four kinds, and every domain error is one."""

from __future__ import annotations

import doctest
import inspect
from types import ModuleType

import pytest

from connectwell.accounts import service as accounts
from connectwell.core import errors
from connectwell.core.errors import (
    KINDS,
    Conflict,
    DomainError,
    Invalid,
    NotAllowed,
    NotFound,
    kind_of,
)
from connectwell.digests import service as digests
from connectwell.goals import service as goals
from connectwell.insights import service as insights
from connectwell.people import roster
from connectwell.people import service as people
from connectwell.programs import answers
from connectwell.programs import service as programs
from connectwell.pulses import service as pulses
from connectwell.shoutouts import service as shoutouts

DOMAIN_MODULES: tuple[ModuleType, ...] = (
    accounts,
    digests,
    goals,
    insights,
    roster,
    people,
    answers,
    programs,
    pulses,
    shoutouts,
)


def test_it_keeps_its_doctests_true() -> None:
    assert doctest.testmod(errors).failed == 0


@pytest.mark.parametrize("kind", KINDS)
def test_it_carries_the_field_and_a_message_a_person_can_read(kind: type[DomainError]) -> None:
    error = kind("team_id", "no team 7")

    assert isinstance(error, DomainError) and isinstance(error, Exception)
    assert (error.field, error.message) == ("team_id", "no team 7")
    assert str(error) == "team_id: no team 7"
    assert kind_of(error) is kind


def test_it_has_exactly_four_kinds() -> None:
    assert (Invalid, NotFound, NotAllowed, Conflict) == KINDS


def test_it_reads_the_kind_named_first_when_a_class_is_also_a_domains_invalid_base() -> None:
    class ThingError(Invalid):
        pass

    class ThingNotFound(NotFound, ThingError):
        pass

    class ThingTaken(Conflict, ThingError):
        pass

    assert kind_of(ThingError("x", "y")) is Invalid
    assert kind_of(ThingNotFound("x", "y")) is NotFound
    assert kind_of(ThingTaken("x", "y")) is Conflict
    assert isinstance(ThingNotFound("x", "y"), ThingError)  # callers that catch the base


def test_it_counts_a_bare_domain_error_as_invalid() -> None:
    assert kind_of(DomainError("x", "y")) is Invalid


def _error_classes(module: ModuleType) -> list[type[BaseException]]:
    return [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, BaseException) and cls.__module__ == module.__name__
    ]


@pytest.mark.parametrize("module", DOMAIN_MODULES, ids=lambda m: m.__name__)
def test_it_is_the_base_of_every_domain_error(module: ModuleType) -> None:
    classes = _error_classes(module)

    assert classes, f"{module.__name__} defines no error"
    for cls in classes:
        assert issubclass(cls, DomainError), cls
        assert "__init__" not in vars(cls) or cls in {
            roster.RosterError,  # keeps its list of problems
            accounts.WrongCredentials,  # fixed field and words
            accounts.TooManyAttempts,  # and how long to wait
        }, f"{cls.__name__} copies DomainError's __init__"


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (people.PeopleError("until", "past"), Invalid),
        (people.NotFound("team", "no team 7"), NotFound),
        (programs.ProgramError("team_ids", "no team 7"), Invalid),
        (programs.ProgramNotFound("program", "no programme 7"), NotFound),
        (answers.AnswerError("met", "say whether you met"), Invalid),
        (answers.AlreadyAnswered("met", "answered already"), Conflict),
        (goals.GoalError("amount", "no number"), Invalid),
        (goals.GoalNotFound("goal", "no goal 7"), NotFound),
        (goals.GoalNotAllowed("team_id", "not yours"), NotAllowed),
        (goals.GoalReached("goal", "reached already"), Conflict),
        (digests.DigestError("weekday", "0 to 6"), Invalid),
        (digests.DigestNotFound("token", "not valid"), NotFound),
        (digests.DigestNotAllowed("team_id", "leads only"), NotAllowed),
        (pulses.PulseError("answers", "closed"), Invalid),
        (pulses.PulseNotFound("pulse", "no pulse 7"), NotFound),
        (pulses.PulseConflict("key", "exists already"), Conflict),
        (insights.InsightError("scope", "bad"), Invalid),
        (insights.InsightNotFound("scope", "not computed yet"), NotFound),
        (insights.InsightNotAllowed("team", "leads only"), NotAllowed),
        (shoutouts.ShoutOutError("quota", "come back tomorrow"), Invalid),
        (shoutouts.ShoutOutNotFound("shoutout", "no shout-out 7"), NotFound),
        (shoutouts.ShoutOutNotAllowed("shoutout", "admins only"), NotAllowed),
        (shoutouts.ShoutOutConflict("message", "sent already"), Conflict),
        (accounts.AccountError("password", "too short"), Invalid),
        (accounts.AccountNotFound("token", "no token 7"), NotFound),
        (accounts.AccountNotAllowed("owner", "admins only"), NotAllowed),
        (accounts.WrongCredentials(), Invalid),
        (accounts.TooManyAttempts(30), Invalid),
        (roster.RosterError("people.csv", [roster.RosterProblem(2, "email", "bad")]), Invalid),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else value.__name__,
)
def test_it_gives_every_domain_error_its_kind(error: DomainError, kind: type[DomainError]) -> None:
    assert kind_of(error) is kind


def test_it_keeps_the_domain_base_catching_its_other_kinds() -> None:
    """Pages and tests catch a domain's base class: its not-found, not-allowed and conflicts
    stay inside it."""
    assert issubclass(people.NotFound, people.PeopleError)
    assert issubclass(programs.ProgramNotFound, programs.ProgramError)
    assert issubclass(answers.AlreadyAnswered, programs.ProgramError)
    assert issubclass(goals.GoalReached, goals.GoalError)
    assert issubclass(digests.DigestNotAllowed, digests.DigestError)
    assert issubclass(pulses.PulseConflict, pulses.PulseError)
    assert issubclass(insights.InsightNotFound, insights.InsightError)
    assert issubclass(shoutouts.ShoutOutConflict, shoutouts.ShoutOutError)
    assert issubclass(accounts.TooManyAttempts, accounts.AccountError)


def test_it_keeps_a_rosters_problems_and_reads_as_before() -> None:
    problems = [
        roster.RosterProblem(3, "email", "not an e-mail address"),
        roster.RosterProblem(4, "timezone", "unknown time zone"),
    ]

    error = roster.RosterError("people.csv", problems)

    assert error.problems == problems and error.filename == "people.csv"
    assert (error.field, kind_of(error)) == ("people.csv", Invalid)
    assert str(error) == (
        "people.csv: 2 problem(s), nothing imported\n"
        "  row 3, email: not an e-mail address\n"
        "  row 4, timezone: unknown time zone"
    )
