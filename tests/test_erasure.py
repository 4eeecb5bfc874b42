"""Erasing a person, at the service: whole words only, the audit log, and erasures that race."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.audit import AuditEntry
from connectwell.core.config import Settings
from connectwell.core.notify import Notification
from connectwell.erasure import FORMER, ErasureNotAllowed, erase_person
from connectwell.people import service as people
from connectwell.people.models import Person, Role, Team
from connectwell.shoutouts import service as shoutouts
from connectwell.shoutouts.models import ShoutOut
from tests.conftest import Cast
from tests.web.shoutouts_setup import give


def _labels(db: Session) -> dict[str, str]:
    db.expire_all()
    return {
        e.action: f"{e.target_label} | {e.changes} | {e.reason}"
        for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))
    }


def test_audit_entries_about_other_things_lose_their_name_and_e_mail(
    db: Session, cast: Cast, settings: Settings
) -> None:
    people.set_team_leads(db, cast.support, [cast.lead.id, cast.other_member.id], actor=cast.admin)
    db.commit()
    given = give(db, settings, cast.lead, "Thanks Mia for the review!", person_ids=[cast.member.id])
    shoutouts.hide(db, cast.admin, given.id, "off topic")
    db.commit()
    before = _labels(db)

    erase_person(db, db.get(Person, cast.lead.id), actor=cast.admin)  # type: ignore[arg-type]
    db.commit()

    after = _labels(db)
    assert "lee.lead@example.org" in before["team.leads"] and "Lee Lead" in before["shoutout.hide"]
    assert after["team.leads"] == (
        "Support | {'leads': [[], ['a former colleague', 'noah.member@example.org']]} | "
    )
    assert after["shoutout.hide"] == f"shout-out {given.id} from {FORMER} | {{}} | off topic"


def test_a_short_name_is_replaced_only_as_a_whole_word(
    db: Session, cast: Cast, settings: Settings
) -> None:
    al = Person(email="al@example.org", name="Al", team=cast.platform, timezone="Europe/Berlin")
    sales = Team(name="Sales")
    db.add_all([al, sales])
    db.commit()
    people.set_team_leads(db, sales, [al.id, cast.member.id], actor=cast.admin)
    give(db, settings, cast.member, "Al helped Sales close the deal", person_ids=[al.id])
    db.commit()

    erase_person(db, al, actor=cast.admin)
    db.commit()

    db.expire_all()
    assert _labels(db)["team.leads"] == (
        "Sales | {'leads': [[], ['a former colleague', 'mia.member@example.org']]} | "
    )
    assert db.scalar(select(ShoutOut.message)) == f"{FORMER} helped Sales close the deal"


def _in_thread(work: Callable[[], None], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as error:  # handed to the test
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_admins_erasing_each_other_at_once_leave_one_admin(
    factory: sessionmaker[Session], db: Session, cast: Cast
) -> None:
    cast.lead.role = Role.admin.value
    db.commit()
    ada_id, lee_id = cast.admin.id, cast.lead.id
    first, second = factory(), factory()
    errors: list[BaseException] = []
    try:
        ada, lee = first.get(Person, ada_id), first.get(Person, lee_id)
        erase_person(first, lee, actor=ada)  # type: ignore[arg-type]  # flushed, not committed

        def lee_erases_ada() -> None:
            erase_person(second, second.get(Person, ada_id), actor=second.get(Person, lee_id))  # type: ignore[arg-type]
            second.commit()

        thread = _in_thread(lee_erases_ada, errors)
        thread.join(1.0)
        waited = thread.is_alive()
        first.commit()
        thread.join(30)
    finally:
        second.rollback()
        first.close()
        second.close()

    db.expire_all()
    admins = db.scalars(
        select(Person.name).where(Person.role == Role.admin.value, Person.is_active)
    )
    assert waited
    assert [type(error) for error in errors] == [ErasureNotAllowed]
    assert list(admins) == ["Ada Admin"]


def test_an_erasure_waits_for_a_transaction_that_changed_them_and_erases_what_it_wrote(
    factory: sessionmaker[Session], db: Session, cast: Cast
) -> None:
    lee_id, mia_id = cast.lead.id, cast.member.id
    eraser, editor = factory(), factory()
    errors: list[BaseException] = []
    try:
        lee, ada = eraser.get(Person, lee_id), eraser.get(Person, cast.admin.id)  # read before
        editor.get(Person, lee_id).name = "Lee Leader"  # type: ignore[union-attr]
        editor.add(
            Notification(person_id=mia_id, kind="test", subject="Lee Leader says hi", body="")
        )
        editor.flush()

        def erase() -> None:
            erase_person(eraser, lee, actor=ada)  # type: ignore[arg-type]
            eraser.commit()

        thread = _in_thread(erase, errors)
        thread.join(1.0)
        waited = thread.is_alive()
        editor.commit()
        thread.join(30)
    finally:
        eraser.rollback()
        eraser.close()
        editor.close()

    db.expire_all()
    assert waited and errors == []
    assert db.scalar(select(Person.name).where(Person.id == lee_id)) == FORMER
    assert db.scalar(select(Notification.subject)) == f"{FORMER} says hi"
    assert db.scalar(select(func.count()).select_from(Notification)) == 1
