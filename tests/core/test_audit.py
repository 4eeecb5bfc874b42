"""core/audit.py: the one helper every admin action records through, and the reader."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
from pathlib import Path

from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from connectwell.core import audit
from connectwell.core.audit import AuditEntry
from connectwell.core.db import make_engine
from connectwell.core.db.migrate import alembic_config
from connectwell.people.models import Person
from connectwell.shoutouts.models import ShoutOut
from tests.conftest import Cast


class Colour(enum.Enum):
    red = "red"


def test_it_keeps_only_the_fields_that_changed_as_before_and_after() -> None:
    before = {"name": "Coffee", "weekday": 1, "teams": {2, 1}, "starts_on": dt.date(2026, 1, 5)}
    after = {"name": "Coffee", "weekday": 3, "teams": {1, 2}, "starts_on": dt.date(2026, 2, 2)}

    assert audit.changes(before, after) == {
        "weekday": [1, 3],
        "starts_on": ["2026-01-05", "2026-02-02"],
    }


def test_it_reads_something_new_as_none_before_and_something_gone_as_none_after() -> None:
    assert audit.changes({}, {"name": "Kindness", "colour": Colour.red}) == {
        "name": [None, "Kindness"],
        "colour": [None, "red"],
    }
    assert audit.changes({"leads": ["a@example.org"]}, None) == {"leads": [["a@example.org"], None]}
    assert audit.changes({"x": 1}, {"x": 1}) == {}


def test_it_never_keeps_a_secret_in_changes() -> None:
    before = {"password_hash": "old", "token": "cw_old", "token_hash": "h1", "secret": "s"}
    after = {"password_hash": "new", "token": "cw_new", "token_hash": "h2", "secret": "t"}
    after |= {"api_key": "k", "name": "HR sync"}

    assert audit.changes(before, after) == {"name": [None, "HR sync"]}
    assert all(audit.is_secret(field) for field in before)


def test_it_drops_a_secret_even_when_a_caller_writes_changes_by_hand(
    db: Session, cast: Cast
) -> None:
    changes = {"password": ["a", "b"], "new_token": [None, "cw_x"], "name": ["A", "B"]}
    entry = audit.record(db, cast.admin, "token.create", "api_token", 7, "HR", changes=changes)

    assert entry.changes == {"name": ["A", "B"]}


def test_it_records_who_by_person_by_id_or_as_the_system(db: Session, cast: Cast) -> None:
    by_person = audit.record(db, cast.admin, "value.add", "value", 1, "Kindness")
    by_id = audit.record(db, cast.lead.id, "digest.schedule", "team", cast.platform.id, "Platform")
    by_system = audit.record(db, None, "roster.import", "roster", None, "demo roster")
    db.commit()

    stored = db.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.actor_id, e.actor_label) for e in stored] == [
        (cast.admin.id, "Ada Admin"),
        (cast.lead.id, "Lee Lead"),
        (None, "system"),
    ]
    assert [e.id for e in stored] == [by_person.id, by_id.id, by_system.id]
    assert stored[0].created_at.tzinfo is not None and stored[0].changes == {}


def test_it_reads_newest_first_filtered_by_action_and_person_a_page_at_a_time(
    db: Session, cast: Cast
) -> None:
    for n in range(5):
        audit.record(db, cast.admin, "value.add", "value", n, f"Value {n}")
    audit.record(db, cast.lead, "digest.schedule", "team", cast.platform.id, "Platform")
    db.commit()

    newest = audit.entries(db, limit=3)
    older = audit.entries(db, before_id=newest[-1].id, limit=3)

    assert [e.target_label for e in newest] == ["Platform", "Value 4", "Value 3"]
    assert [e.target_label for e in older] == ["Value 2", "Value 1", "Value 0"]
    assert [e.actor_id for e in audit.entries(db, actor_id=cast.lead.id)] == [cast.lead.id]
    assert len(audit.entries(db, action="value.add")) == 5
    assert audit.actors(db) == [(cast.admin.id, "Ada Admin"), (cast.lead.id, "Lee Lead")]


def test_it_describes_changes_in_plain_words(db: Session, cast: Cast) -> None:
    entry = audit.record(
        db,
        cast.admin,
        "team.leads",
        "team",
        cast.platform.id,
        "Platform",
        changes=audit.changes({"leads": {"b", "a"}, "weekday": 1}, {"leads": set(), "weekday": 2}),
    )
    new = audit.record(db, cast.admin, "value.add", "value", 1, "Kindness",
                       changes=audit.changes({}, {"name": "Kindness"}))  # fmt: skip

    assert audit.describe_changes(entry) == "leads: a, b → (none); weekday: 1 → 2"
    assert audit.describe_changes(new) == "name: Kindness"
    assert entry.action_words == "set a team's leads"


def test_every_action_has_plain_words() -> None:
    assert all(words and words[0].islower() for words in audit.ACTIONS.values())


def test_the_csv_escapes_a_formula_in_any_cell_and_names_the_columns(
    db: Session, cast: Cast
) -> None:
    cast.admin.name = "=HYPERLINK(1)"
    db.flush()
    audit.record(db, cast.admin, "value.add", "value", 1, "=cmd|' /C calc'!A0",
                 changes=audit.changes({}, {"name": "+1"}), reason="@SUM(1)")  # fmt: skip
    db.commit()

    text = audit.export_csv(db)
    [row] = list(csv.DictReader(io.StringIO(text)))

    assert list(row) == list(audit.CSV_COLUMNS)
    assert row["target"] == "'=cmd|' /C calc'!A0"
    assert row["who"] == "'=HYPERLINK(1)" and row["reason"] == "'@SUM(1)"
    assert row["action"] == "added a value" and row["changes"] == '{"name": [null, "+1"]}'
    assert row["when_utc"].startswith(str(dt.datetime.now(dt.UTC).year))


def test_every_action_on_the_filter_is_one_the_code_writes() -> None:
    source = Path(audit.__file__).parents[1]
    code = "\n".join(
        path.read_text() for path in source.rglob("*.py") if path != Path(audit.__file__)
    )
    assert [action for action in audit.ACTIONS if f'"{action}"' not in code] == []


def test_the_csv_streams_every_entry_a_batch_at_a_time_with_no_cap(db: Session, cast: Cast) -> None:
    for n in range(25):
        audit.record(db, cast.admin, "value.add", "value", n, f"Value {n}")
    db.commit()

    chunks = list(audit.csv_lines(db, batch=10))

    assert len(chunks) == 1 + 3  # the header, then 10 + 10 + 5 rows
    rows = list(csv.DictReader(io.StringIO("".join(chunks))))
    assert [row["target"] for row in rows] == [f"Value {n}" for n in reversed(range(25))]
    assert "".join(chunks) == audit.export_csv(db)


def test_the_migration_keeps_the_hides_recorded_before_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007_insights")
    with Session(engine) as session:
        admin = Person(email="ada@example.org", name="Ada Admin", role="admin")
        sender = Person(email="lee@example.org", name="Lee Lead")
        session.add_all([admin, sender])
        session.flush()
        shoutout = ShoutOut(sender_id=sender.id, message="Oops, my salary is 90k",
                            message_hash="0" * 64, pathway="trust")  # fmt: skip
        session.add(shoutout)
        session.flush()
        for actor, when in [(admin.id, "2026-11-01 10:00:00"), (None, "2026-11-02 10:00:00")]:
            session.execute(
                text(
                    "INSERT INTO audit_log (actor_id, action, target_type, target_id, reason,"
                    " created_at) VALUES (:actor, 'hide', 'shoutout', :target, 'Sent twice',"
                    " :when)"
                ),
                {"actor": actor, "target": shoutout.id, "when": when},
            )
        shoutout_id = shoutout.id
        session.commit()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0008_audit")

    with Session(engine) as session:
        [by_gone_admin, entry] = audit.entries(session)
        label = f"shout-out {shoutout_id} from Lee Lead"
        assert (entry.action, entry.actor_label, entry.target_label, entry.reason) == (
            "shoutout.hide", "Ada Admin", label, "Sent twice",
        )  # fmt: skip
        assert entry.changes == {} and entry.action_words == "hid a shout-out"
        assert (by_gone_admin.actor_id, by_gone_admin.actor_label) == (None, "a former admin")
        assert by_gone_admin.target_label == label
        assert "salary" not in audit.export_csv(session)
