"""Constructs, items, pulses and their rounds; anonymous responses; who has answered."""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connectwell.core.db import Base, utcnow


def _random_id() -> str:
    return uuid4().hex


class Construct(Base):
    __tablename__ = "constructs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    family: Mapped[str] = mapped_column(String(16), default="custom")
    description: Mapped[str] = mapped_column(Text, default="")
    builtin: Mapped[bool] = mapped_column(default=False)

    items: Mapped[list[Item]] = relationship(back_populates="construct", order_by="Item.id")


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    construct_id: Mapped[int] = mapped_column(ForeignKey("constructs.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(300))
    reverse_coded: Mapped[bool] = mapped_column(default=False)
    builtin: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)

    construct: Mapped[Construct] = relationship(back_populates="items")


class Pulse(Base):
    """A recurring pulse for an audience."""

    __tablename__ = "pulses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    audience: Mapped[str] = mapped_column(String(16), default="everyone")  # or "teams"
    team_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    cadence: Mapped[str] = mapped_column(String(16), default="biweekly")
    weekday: Mapped[int] = mapped_column(default=1)
    local_hour: Mapped[int] = mapped_column(default=10)
    starts_on: Mapped[dt.date]
    reminder_after_days: Mapped[int] = mapped_column(default=2)
    open_days: Mapped[int] = mapped_column(default=7)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("weekday between 0 and 6", name="weekday"),
        CheckConstraint("local_hour between 0 and 23", name="local_hour"),
    )


class PulseRound(Base):
    """One asking of a pulse: at most five items. The unique (pulse, day) is the claim."""

    __tablename__ = "pulse_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    pulse_id: Mapped[int] = mapped_column(ForeignKey("pulses.id", ondelete="CASCADE"))
    opens_on: Mapped[dt.date]
    closes_on: Mapped[dt.date]
    sequence: Mapped[int]  # the pulse's n-th round: drives the rotation through the bank
    item_ids: Mapped[list[int]] = mapped_column(JSON)
    invited: Mapped[int] = mapped_column(default=0)
    # When the round's sealed answers were opened and stored as responses (after it closed);
    # None while it is open. Results are published only from counted rounds.
    counted_at: Mapped[dt.datetime | None]

    pulse: Mapped[Pulse] = relationship()

    __table_args__ = (UniqueConstraint("pulse_id", "opens_on", name="uq_pulse_rounds_day"),)


class Participation(Base):
    """That a person was invited to a round and whether they answered. Kept apart from the
    answers, and used only to stop a second answer and to send the one reminder."""

    __tablename__ = "pulse_participation"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("pulse_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    invited_at: Mapped[dt.datetime | None]
    reminded_at: Mapped[dt.datetime | None]
    answered: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (Index("ix_pulse_participation_person", "person_id"),)


class Response(Base):
    """One anonymous response: no person, no time, a random key, and the groups it counts in."""

    __tablename__ = "pulse_responses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("pulse_rounds.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    tenure_band: Mapped[str] = mapped_column(String(16), default="")
    location: Mapped[str] = mapped_column(String(120), default="")
    comment: Mapped[str] = mapped_column(Text, default="")

    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (Index("ix_pulse_responses_team_round", "team_id", "round_id"),)


class Answer(Base):
    __tablename__ = "pulse_answers"

    response_id: Mapped[str] = mapped_column(
        ForeignKey("pulse_responses.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[int]

    __table_args__ = (
        CheckConstraint("value between 1 and 5", name="value"),
        Index("ix_pulse_answers_item", "item_id"),
    )
