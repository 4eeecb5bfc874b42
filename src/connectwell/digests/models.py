"""When each team's digest goes out, who opted out, and which digests were sent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from connectwell.core.db import Base, utcnow

DEFAULT_WEEKDAY = 4  # Friday (Monday is 0)
DEFAULT_HOUR = 15


class DigestSetting(Base):
    """A team's digest day and local hour. A team without a row uses its nearest parent's,
    else Friday 15:00."""

    __tablename__ = "digest_settings"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    weekday: Mapped[int] = mapped_column(default=DEFAULT_WEEKDAY)
    local_hour: Mapped[int] = mapped_column(default=DEFAULT_HOUR)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint("weekday between 0 and 6", name="weekday"),
        CheckConstraint("local_hour between 0 and 23", name="local_hour"),
    )


class DigestOptOut(Base):
    """A person who unsubscribed from the digest (a row) until they resubscribe (no row)."""

    __tablename__ = "digest_opt_outs"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DigestDelivery(Base):
    """A digest sent to a person for a week. The unique (person, week) key makes it once,
    however many workers race for it."""

    __tablename__ = "digest_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    week_of: Mapped[dt.date]  # the Monday of the person's local week
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    shoutouts: Mapped[int] = mapped_column(default=0)
    connections: Mapped[int] = mapped_column(default=0)
    celebrations: Mapped[int] = mapped_column(default=0)
    prompt_only: Mapped[bool] = mapped_column(default=False)  # an empty week: the gentle prompt

    __table_args__ = (
        UniqueConstraint("person_id", "week_of", name="uq_digest_deliveries_person_week"),
    )
