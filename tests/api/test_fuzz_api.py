"""schemathesis fuzzes every /api/v1 operation, as each role, against the app in process.

For each role (no token, a member's, a lead's, an admin's API token) the database holds a small
demo organisation; every operation of the OpenAPI document gets a fixed, small number of
generated requests (derandomized, so CI runs the same cases each time): valid ones, with path
ids drawn half of the time from rows that exist, and invalid ones. No request may end in a
server error, and every response must be one the document declares, in the shape it declares.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure
from schemathesis.hooks import HookContext, HookDispatcher, HookScope
from schemathesis.python import asgi
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.db import Base, make_session_factory, transaction
from connectwell.demo.service import seed_demo
from connectwell.goals.models import Goal
from connectwell.people.models import Person, Team
from connectwell.programs.models import Group, Program
from connectwell.pulses.models import PulseRound
from connectwell.shoutouts import values
from connectwell.shoutouts.models import ShoutOut, Value
from tests.conftest import api_token_for

ROLES = ("anonymous", "member", "lead", "admin")
PEOPLE = 24  # a demo organisation big enough for every kind of row, small enough to seed fast
EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 4}  # per operation and role
ANONYMOUS_EXAMPLES = 2  # every operation answers 401 before it reads anything
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]
NEGATIVE_CHECKS = [*CHECKS, schemathesis.checks.negative_data_rejection]
# Which table a path parameter names a row of.
PATH_IDS: dict[str, Any] = {
    "person_id": Person,
    "team_id": Team,
    "program_id": Program,
    "group_id": Group,
    "goal_id": Goal,
    "shoutout_id": ShoutOut,
    "value_id": Value,
    "round_id": PulseRound,
}


@dataclass
class Snapshot:
    """The demo organisation's rows, table by table, and the e-mail of each role's person."""

    rows: dict[str, list[dict[str, Any]]]
    emails: dict[str, str]


@dataclass
class Demo:
    tokens: dict[str, str]  # role -> the secret of that person's API token
    ids: dict[str, list[int]]  # path parameter -> ids of rows that exist


def _empty(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(scope="module")
def snapshot(engine: Engine) -> Snapshot:
    """Seeded once per database (seeding runs the demo's matching and takes seconds, many
    more on PostgreSQL), then copied into each test's emptied database by ``demo``."""
    _empty(engine)
    with transaction(make_session_factory(engine)) as session:
        sign_ins = seed_demo(session, people=PEOPLE)
        assert sign_ins is not None
        admin = session.scalar(select(Person).where(Person.email == sign_ins[0].email))
        assert admin is not None and sign_ins[0].role == "admin"
        # The demo names no values; shout-outs may name these, admins retire them.
        values.add_value(session, "Curiosity", "Asking why, and listening", actor=admin)
        values.add_value(session, "Care", actor=admin)
    with engine.connect() as connection:
        rows = {
            table.name: [dict(row) for row in connection.execute(table.select()).mappings()]
            for table in Base.metadata.sorted_tables
        }
    _empty(engine)
    return Snapshot(rows, {sign_in.role: sign_in.email for sign_in in sign_ins})


def _load(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Insert ``rows`` as they were, ids included (people name managers that come later)."""
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        if postgres:  # the foreign keys are checked by triggers, which this turns off
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        for table in Base.metadata.sorted_tables:
            if rows[table.name]:
                connection.execute(table.insert(), rows[table.name])
        if postgres:  # new rows the fuzzing makes get ids after these
            for table in Base.metadata.sorted_tables:
                if "id" in table.c and table.c.id.type.python_type is int and rows[table.name]:
                    name = table.name  # the app's own tables, never input
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) "  # noqa: S608
                        f"FROM {name}"
                    )


@pytest.fixture
def demo(factory: sessionmaker[Session], db: Session, engine: Engine, snapshot: Snapshot) -> Demo:
    """The demo organisation, and an API token of its admin, a lead and a member."""
    _load(engine, snapshot.rows)
    tokens = {}
    for role, email in snapshot.emails.items():
        person = db.scalar(select(Person).where(Person.email == email))
        assert person is not None
        tokens[role] = api_token_for(db, person, f"fuzz {role}").secret
    db.commit()
    ids = {
        name: list(db.scalars(select(model.id).order_by(model.id)))
        for name, model in PATH_IDS.items()
    }
    assert all(ids.values()), ids  # every kind of row the paths name is there
    return Demo(tokens, ids)


@pytest.fixture
def api_schema(app: FastAPI) -> Iterator[Any]:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    yield schema
    asgi.shutdown_lifespans()  # schemathesis keeps each app it started alive otherwise


def api_operations(app: FastAPI) -> set[tuple[str, str]]:
    """Every (METHOD, path) of /api/v1 the app's OpenAPI document declares."""
    return {
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        if path.startswith("/api/v1/")
        for method in item
    }


def real_ids(ids: dict[str, list[int]]) -> HookDispatcher:
    """Hooks that, for valid cases, often swap generated path ids for ids of existing rows."""
    hooks = HookDispatcher(scope=HookScope.TEST)

    def flatmap_path_parameters(context: HookContext, generated: dict[str, Any] | None) -> Any:
        known = {name: st.sampled_from(ids[name]) for name in generated or {} if ids.get(name)}
        if not known:
            return st.just(generated)
        existing = st.fixed_dictionaries(known).map(lambda found: {**generated, **found})
        return st.one_of(existing, st.just(generated))

    hooks.register_hook_with_name(flatmap_path_parameters, "flatmap_path_parameters")
    return hooks


def _described(error: BaseException) -> list[str]:
    """One line per failure ``error`` holds: schemathesis's check failures, or a crash."""
    if isinstance(error, BaseExceptionGroup):
        return [line for inner in error.exceptions for line in _described(inner)]
    if isinstance(error, Failure):
        return [f"{error.code} {error.title}: {' '.join(error.message.split())[:400]}"]
    return [f"{type(error).__name__}: {' '.join(str(error).split())[:400]}"]


def fuzz(
    operation: Any, headers: dict[str, str], hooks: HookDispatcher, examples: int,
    mode: GenerationMode,
) -> dict[str, str]:  # fmt: skip
    """Run ``examples`` generated cases of ``operation``: each distinct failure, with the
    first request that showed it (as a curl command)."""
    found: dict[str, str] = {}
    checks = NEGATIVE_CHECKS if mode is GenerationMode.NEGATIVE else CHECKS

    strategy = operation.as_strategy(mode, hooks=hooks if mode is GenerationMode.POSITIVE else None)

    # Derandomized: the same cases on every run. No shrinking: each failure is reported with
    # the request that showed it, and the run stays within its budget.
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        try:
            case.call_and_validate(headers=headers, checks=checks)
        except (Exception, BaseExceptionGroup) as error:  # every failure, not just the first
            for line in _described(error):
                found.setdefault(
                    f"{operation.label} [{mode.value}] {line}", case.as_curl_command(headers)[:600]
                )

    try:
        run()
    except Unsatisfiable:
        # Nothing to make invalid: the operation takes no parameters and no body.
        assert mode is GenerationMode.NEGATIVE, operation.label
    return found


@pytest.mark.parametrize("role", ROLES)
def test_every_api_operation_answers_each_role_without_a_server_error_and_as_documented(
    role: str, app: FastAPI, api_schema: Any, demo: Demo
) -> None:
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {demo.tokens[role]}"}
    hooks = real_ids(demo.ids)
    fuzzed: set[tuple[str, str]] = set()
    failures: dict[str, str] = {}
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/v1/"):
            continue
        fuzzed.add((operation.method.upper(), operation.path))
        for mode, examples in EXAMPLES.items():
            count = ANONYMOUS_EXAMPLES if role == "anonymous" else examples
            failures |= fuzz(operation, headers, hooks, count, mode)

    assert fuzzed == api_operations(app)
    report = "\n".join(f"{failure}\n    {curl}" for failure, curl in failures.items())
    assert not failures, f"{len(failures)} failures as {role}:\n{report}"
