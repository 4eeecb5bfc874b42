"""Shout-outs given through the service, for the shout-out page and API tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.core.audit import AuditEntry
from connectwell.core.config import Settings
from connectwell.core.notify import Notification
from connectwell.people.models import Person
from connectwell.shoutouts import service, values
from connectwell.shoutouts.models import Reaction, ShoutOut, Value
from connectwell.shoutouts.schemas import ShoutOutIn

HOSTILE = '<script>alert("boo")</script> <b>bold</b> " onmouseover="alert(1)'


def give(
    db: Session,
    settings: Settings,
    sender: Person,
    message: str = "Thanks for the help!",
    *,
    at: dt.datetime | None = None,
    **fields: object,
) -> ShoutOut:
    """``sender`` gives a shout-out (to ``person_ids`` and/or ``team_ids``), committed."""
    data = ShoutOutIn.model_validate(
        {"message": message, "pathway": fields.pop("pathway", "enabling"), **fields}
    )
    shoutout = service.give(db, sender, data, settings, now=at)
    db.commit()
    return shoutout


def value(db: Session, name: str = "Curiosity") -> Value:
    found = values.add_value(db, name, f"What {name.lower()} looks like here", actor=None)
    db.commit()
    return found


def stored(db: Session) -> list[ShoutOut]:
    db.expire_all()
    return list(db.scalars(select(ShoutOut).order_by(ShoutOut.id)))


def reactions(db: Session, shoutout_id: int) -> list[tuple[int, str]]:
    db.expire_all()
    rows = db.execute(
        select(Reaction.person_id, Reaction.kind).where(Reaction.shoutout_id == shoutout_id)
    )
    return sorted((person_id, kind) for person_id, kind in rows)


def notes(db: Session, person: Person) -> list[Notification]:
    db.expire_all()
    return list(
        db.scalars(
            select(Notification).where(
                Notification.person_id == person.id, Notification.kind == "shoutout"
            )
        )
    )


def audit_entries(db: Session) -> list[AuditEntry]:
    """The audit entries about shout-outs (other admin actions, such as tokens, are left out)."""
    db.expire_all()
    about = AuditEntry.target_type == "shoutout"
    return list(db.scalars(select(AuditEntry).where(about).order_by(AuditEntry.id)))
