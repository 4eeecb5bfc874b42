"""Shout-outs, their recipients and reactions, the organisation's values, the daily quota."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connectwell.core.db import Base, utcnow
from connectwell.people.models import Person, Team


class Pathway(enum.StrEnum):
    respect = "respect"  # respectful engagement
    enabling = "enabling"  # task enabling
    trust = "trust"  # trusting
    play = "play"


class Visibility(enum.StrEnum):
    everyone = "everyone"
    teams = "teams"  # the recipients' teams
    private = "private"  # sender and recipients only


REACTIONS = ("thanks", "🎉", "🙌", "💡", "❤️", "😄")


class Value(Base):
    """One of the organisation's values, which a shout-out may name."""

    __tablename__ = "org_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(default=True)


class ShoutOut(Base):
    __tablename__ = "shoutouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text)
    message_hash: Mapped[str] = mapped_column(String(64))
    pathway: Mapped[str] = mapped_column(String(12))
    value_id: Mapped[int | None] = mapped_column(ForeignKey("org_values.id", ondelete="SET NULL"))
    visibility: Mapped[str] = mapped_column(String(12), default=Visibility.everyone.value)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[dt.datetime | None]

    sender: Mapped[Person] = relationship(foreign_keys=[sender_id])
    value: Mapped[Value | None] = relationship()
    # In the order they were named (without an order, PostgreSQL may answer another).
    recipients: Mapped[list[Recipient]] = relationship(
        back_populates="shoutout", cascade="all, delete-orphan", order_by="Recipient.id"
    )
    reactions: Mapped[list[Reaction]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("length(message) between 1 and 500", name="message_length"),
        CheckConstraint("pathway in ('respect', 'enabling', 'trust', 'play')", name="pathway"),
        CheckConstraint("visibility in ('everyone', 'teams', 'private')", name="visibility"),
        # The feed walks this index newest first; the sender's index serves quotas and breadth.
        Index("ix_shoutouts_feed", "hidden_at", "visibility", "id"),
        Index("ix_shoutouts_sender_created", "sender_id", "created_at"),
        Index("uq_shoutouts_sender_hash", "sender_id", "message_hash", unique=True),
        Index("ix_shoutouts_pathway_id", "pathway", "id"),
        Index("ix_shoutouts_value_id", "value_id", "id"),
    )


class Recipient(Base):
    """A person or a whole team a shout-out is for (exactly one of the two)."""

    __tablename__ = "shoutout_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    shoutout_id: Mapped[int] = mapped_column(ForeignKey("shoutouts.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    # The team the recipient was in (for a person) or is (for a team) when it was given:
    # what "the recipients' teams" visibility and the team filters look at.
    recipient_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL")
    )

    shoutout: Mapped[ShoutOut] = relationship(back_populates="recipients")
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])

    __table_args__ = (
        CheckConstraint("(person_id is null) <> (team_id is null)", name="person_or_team"),
        Index("ix_shoutout_recipients_shoutout", "shoutout_id"),
        Index("ix_shoutout_recipients_person", "person_id", "shoutout_id"),
        Index("ix_shoutout_recipients_team", "recipient_team_id", "shoutout_id"),
    )


class Reaction(Base):
    """A "+1 thanks" or an emoji from someone who may see the shout-out; once each."""

    __tablename__ = "shoutout_reactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    shoutout_id: Mapped[int] = mapped_column(ForeignKey("shoutouts.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("shoutout_id", "person_id", "kind", name="uq_shoutout_reactions"),
    )


class DailyCount(Base):
    """How many shout-outs a person gave on a (UTC) day: the quota, raced safely."""

    __tablename__ = "shoutout_daily_counts"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[dt.date] = mapped_column(primary_key=True)
    given: Mapped[int] = mapped_column(default=0)
