"""Admins racing each other: one change, one audit entry; a clash is a conflict, never a 500.

Each test starts its requests at once from threads, each in its own transaction, against the
file database or PostgreSQL (as tests/shoutouts/test_concurrency.py does).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.accounts import service as accounts
from connectwell.core.audit import AuditEntry
from connectwell.core.config import Settings
from connectwell.core.db import transaction
from connectwell.people.models import Person
from connectwell.programs import service as programs
from connectwell.programs.schemas import ProgramIn
from connectwell.shoutouts import service as shoutouts
from connectwell.shoutouts import values
from connectwell.shoutouts.models import Value
from connectwell.shoutouts.schemas import ShoutOutIn
from tests.conftest import Cast

ADMINS = 8
MONDAY = dt.date(2026, 12, 7)

Action = Callable[[Session, Person], object]


def _race(factory: sessionmaker[Session], admin_id: int, action: Action) -> list[object]:
    """Run ``action`` from ``ADMINS`` threads at once; each result or error, in any order."""
    barrier = threading.Barrier(ADMINS)
    results: list[object] = []
    lock = threading.Lock()

    def admin_request() -> None:
        try:
            with transaction(factory) as session:
                admin = session.get(Person, admin_id)
                assert admin is not None
                barrier.wait(timeout=30)
                result: object = action(session, admin)
        except Exception as error:
            result = error
        with lock:
            results.append(result)

    threads = [threading.Thread(target=admin_request) for _ in range(ADMINS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == ADMINS
    return results


def _entries(db: Session, action: str) -> list[AuditEntry]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _errors(results: list[object]) -> list[object]:
    return [result for result in results if isinstance(result, Exception)]


def test_admins_hiding_one_shout_out_at_once_write_one_audit_entry(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    data = ShoutOutIn(message="Thanks!", pathway="enabling", person_ids=[cast.member.id])
    shoutout_id = shoutouts.give(db, cast.lead, data, settings).id
    db.commit()

    results = _race(
        factory,
        cast.admin.id,
        lambda s, a: shoutouts.hide(s, a, shoutout_id, "Sent twice").hidden_at,
    )

    assert _errors(results) == []
    assert all(isinstance(hidden_at, dt.datetime) for hidden_at in results)
    [entry] = _entries(db, "shoutout.hide")
    assert (entry.target_id, entry.reason) == (shoutout_id, "Sent twice")


def test_admins_retiring_one_value_at_once_write_one_audit_entry(
    factory: sessionmaker[Session], db: Session, cast: Cast
) -> None:
    value_id = values.add_value(db, "Courage", actor=None).id
    db.commit()

    results = _race(
        factory, cast.admin.id, lambda s, a: values.retire_value(s, value_id, actor=a).is_active
    )

    assert results == [False] * ADMINS
    [entry] = _entries(db, "value.retire")
    assert (entry.target_id, entry.changes) == (value_id, {"is_active": [True, False]})


def test_admins_revoking_one_token_at_once_write_one_audit_entry(
    factory: sessionmaker[Session], db: Session, cast: Cast
) -> None:
    token_id = accounts.create_api_token(
        db, owner=cast.admin, name="Sync", created_by=cast.admin
    ).token.id
    db.commit()

    results = _race(
        factory,
        cast.admin.id,
        lambda s, a: accounts.revoke_api_token(s, token_id, actor=a).revoked_at,
    )

    assert _errors(results) == []
    assert all(isinstance(revoked_at, dt.datetime) for revoked_at in results)
    [entry] = _entries(db, "token.revoke")
    assert (entry.target_id, entry.changes) == (token_id, {"revoked": [False, True]})


@pytest.mark.parametrize("active", [False, True])
def test_admins_starting_or_stopping_one_programme_at_once_write_one_audit_entry(
    factory: sessionmaker[Session], db: Session, cast: Cast, active: bool
) -> None:
    data = ProgramIn.model_validate({"name": "Coffee", "starts_on": MONDAY})
    program = programs.create_program(db, data, actor=None)
    programs.set_active(db, program, not active, actor=None)
    program_id = program.id
    db.commit()

    def flip(session: Session, admin: Person) -> object:
        program = programs.get_program(session, program_id)
        return programs.set_active(session, program, active, actor=admin).is_active

    results = _race(factory, cast.admin.id, flip)

    assert results == [active] * ADMINS
    action = "program.activate" if active else "program.deactivate"
    [entry] = _entries(db, action)
    assert (entry.target_id, entry.changes) == (program_id, {"is_active": [not active, active]})
    assert db.get(programs.Program, program_id).is_active is active  # type: ignore[union-attr]


def test_admins_adding_the_same_value_at_once_get_one_value_and_conflicts_not_errors(
    factory: sessionmaker[Session], db: Session, cast: Cast
) -> None:
    results = _race(
        factory, cast.admin.id, lambda s, a: values.add_value(s, "Kindness", actor=a).id
    )

    added = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, shoutouts.ShoutOutConflict)]
    assert (len(added), len(refused)) == (1, ADMINS - 1), results
    assert all(error.field == "name" for error in refused)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Value)) == 1
    assert len(_entries(db, "value.add")) == 1
