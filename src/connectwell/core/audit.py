"""The audit log: every admin action, with who, when, what and what changed. Rows are only added.

Services record in the caller's transaction, one line per action::

    audit.record(session, actor, "program.change", "program", program.id, program.name,
                 changes=audit.changes(before, audit.fields(program, PROGRAM_FIELDS)))

``actor`` is a person (anything with ``id`` and ``name``), a person's id, or ``None`` for the
system (the demo seeding, a CLI import). ``changes`` maps a field to ``[before, after]``;
:func:`changes` computes it and never keeps a secret (a password, a token's value or hash).

>>> changes({"name": "Ada", "password_hash": "x"}, {"name": "Ada L", "password_hash": "y"})
{'name': ['Ada', 'Ada L']}
>>> changes({}, {"weekday": 2, "teams": {3, 1}})
{'weekday': [None, 2], 'teams': [None, [1, 3]]}
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import JSON, ForeignKey, Index, Select, String, Text, column, select, table
from sqlalchemy.orm import Mapped, Session, mapped_column

from connectwell.core.csvfile import to_csv
from connectwell.core.db import Base, utcnow

SYSTEM = "system"
# A field whose name contains one of these is never written into ``changes``.
SECRET_WORDS = ("password", "secret", "hash", "token", "credential", "api_key")

# Each action in plain words, as the audit page shows it.
ACTIONS: dict[str, str] = {
    "token.create": "created an API token",
    "token.revoke": "revoked an API token",
    "team.leads": "set a team's leads",
    "person.role": "changed a person's role",
    "person.deactivate": "deactivated a person",
    "person.reactivate": "reactivated a person",
    "person.erase": "erased a person's personal data",
    "people.invite": "sent an invitation",
    "roster.import": "imported the roster",
    "program.create": "created a programme",
    "program.change": "changed a programme",
    "program.activate": "started a programme",
    "program.deactivate": "stopped a programme",
    "round.run": "ran a pairing round by hand",
    "pulse.create": "created a pulse",
    "pulse.open": "opened a pulse round by hand",
    "bank.construct": "added a construct to the item bank",
    "bank.item": "added an item to the item bank",
    "value.add": "added a value",
    "value.retire": "retired a value",
    "shoutout.hide": "hid a shout-out",
    "digest.schedule": "changed a team's digest day and hour",
    "insights.publish": "published closed rounds by hand",
}

CSV_COLUMNS = (
    "when_utc",
    "who",
    "action",
    "target_type",
    "target_id",
    "target",
    "changes",
    "reason",
)
# The CSV export reads this many entries at a time, so a long log never sits in memory whole.
CSV_BATCH = 1000


class HasIdAndName(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...


Actor = HasIdAndName | int | None


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200), default=SYSTEM)
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None]
    target_label: Mapped[str] = mapped_column(String(300), default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_audit_log_target", "target_type", "target_id"),
        Index("ix_audit_log_action", "action"),
        Index("ix_audit_log_actor_id", "actor_id"),
    )

    @property
    def action_words(self) -> str:
        return ACTIONS.get(self.action, self.action)


# --- writing -------------------------------------------------------------------------------


def is_secret(field: str) -> bool:
    lowered = field.lower()
    return any(word in lowered for word in SECRET_WORDS)


def _plain(value: object) -> object:
    """``value`` as JSON can keep it: dates as ISO text, enums by value, sets sorted."""
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted((_plain(item) for item in value), key=str)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def fields(obj: object, names: Iterable[str]) -> dict[str, object]:
    """The named attributes of ``obj``, to compare before and after a change."""
    return {name: getattr(obj, name) for name in names}


def changes(
    before: Mapping[str, object] | None, after: Mapping[str, object] | None
) -> dict[str, list[object]]:
    """``{field: [before, after]}`` for every field whose value differs; secrets never.

    A field missing on one side counts as ``None`` there (``before`` is empty for something
    new, ``after`` for something removed).
    """
    before, after = before or {}, after or {}
    result: dict[str, list[object]] = {}
    for field in [*before, *(key for key in after if key not in before)]:
        if is_secret(field):
            continue
        old, new = _plain(before.get(field)), _plain(after.get(field))
        if old != new:
            result[field] = [old, new]
    return result


_people = table("people", column("id"), column("name"))


def actor_id(actor: Actor) -> int | None:
    """The id of ``actor`` (None for the system)."""
    return actor if actor is None or isinstance(actor, int) else actor.id


def _actor(session: Session, actor: Actor) -> tuple[int | None, str]:
    if actor is None:
        return None, SYSTEM
    if isinstance(actor, int):
        name = session.scalar(select(_people.c.name).where(_people.c.id == actor))
        return actor, name if name is not None else f"person {actor}"
    return actor.id, actor.name


def record(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: int | None,
    target_label: str = "",
    *,
    changes: Mapping[str, Sequence[object]] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Add one entry in the caller's transaction (flushed, never committed).

    ``changes`` should come from :func:`changes`; secrets are dropped here too.
    """
    actor_id, actor_label = _actor(session, actor)
    kept = {key: [_plain(v) for v in pair] for key, pair in (changes or {}).items()}
    entry = AuditEntry(
        actor_id=actor_id,
        actor_label=actor_label[:200],
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:300],
        changes={key: pair for key, pair in kept.items() if not is_secret(key)},
        reason=reason,
    )
    session.add(entry)
    session.flush()
    return entry


# --- reading -------------------------------------------------------------------------------


def _filtered(
    statement: Select[AuditEntry],
    *,
    action: str | None = None,
    actor_id: int | None = None,
    target_type: str | None = None,
) -> Select[AuditEntry]:
    if action:
        statement = statement.where(AuditEntry.action == action)
    if actor_id is not None:
        statement = statement.where(AuditEntry.actor_id == actor_id)
    if target_type is not None:
        statement = statement.where(AuditEntry.target_type == target_type)
    return statement


def entries(
    session: Session,
    *,
    action: str | None = None,
    actor_id: int | None = None,
    target_type: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """The newest entries first, filtered; pass the last id seen as ``before_id`` for more."""
    statement = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    statement = _filtered(statement, action=action, actor_id=actor_id, target_type=target_type)
    if before_id is not None:
        statement = statement.where(AuditEntry.id < before_id)
    return list(session.scalars(statement))


def actors(session: Session) -> list[tuple[int, str]]:
    """Everyone who has an entry, as (id, name) by name: the page's "who" filter."""
    rows = session.execute(
        select(AuditEntry.actor_id, AuditEntry.actor_label)
        .where(AuditEntry.actor_id.is_not(None))
        .distinct()
    )
    latest: dict[int, str] = {}
    for actor, label in rows:
        if actor is not None:
            latest.setdefault(actor, label)
    return sorted(latest.items(), key=lambda item: (item[1].lower(), item[0]))


def describe_changes(entry: AuditEntry) -> str:
    """``field: before → after`` per field, for a page or a CSV cell."""
    return "; ".join(
        f"{field}: {_word(pair[1])}"
        if pair[0] is None
        else f"{field}: {_word(pair[0])} → {_word(pair[1])}"
        for field, pair in (entry.changes or {}).items()
    )


def _word(value: object) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "(none)"
    return str(value)


def to_rows(found: Iterable[AuditEntry]) -> list[dict[str, object]]:
    return [
        {
            "when_utc": entry.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "who": entry.actor_label,
            "action": entry.action_words,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "target": entry.target_label,
            "changes": json.dumps(entry.changes or {}, ensure_ascii=False),
            "reason": entry.reason,
        }
        for entry in found
    ]


def csv_lines(
    session: Session,
    *,
    action: str | None = None,
    actor_id: int | None = None,
    batch: int | None = None,
) -> Iterator[str]:
    """The filtered log as CSV text (newest first, formulas escaped), a batch of lines at a
    time: every entry, never a cap, read ``batch`` rows at a time (``yield_per``)."""
    size = batch or CSV_BATCH
    statement = _filtered(
        select(AuditEntry).order_by(AuditEntry.id.desc()), action=action, actor_id=actor_id
    )
    yield to_csv(CSV_COLUMNS, [])  # the header line
    found = session.scalars(statement.execution_options(yield_per=size))
    for part in found.partitions():
        yield _without_header(to_csv(CSV_COLUMNS, to_rows(part)))


def _without_header(text: str) -> str:
    """The CSV text's rows (the one writer always starts with the header)."""
    return text.split("\n", 1)[1]


def export_csv(session: Session, *, action: str | None = None, actor_id: int | None = None) -> str:
    """The filtered log as one CSV text (see :func:`csv_lines`, which streams it)."""
    return "".join(csv_lines(session, action=action, actor_id=actor_id))
