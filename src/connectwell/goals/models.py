"""Team goals, the contributions that move them, and the celebration when one is reached."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connectwell.core.db import Base, utcnow
from connectwell.people.models import Person, Team


class Status(enum.StrEnum):
    open = "open"
    reached = "reached"


class Goal(Base):
    """A team's shared goal: what done looks like and, optionally, a number to reach."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    done_looks_like: Mapped[str] = mapped_column(Text, default="")
    target: Mapped[float | None]  # e.g. 20 (help sessions); None: done when the team says so
    unit: Mapped[str] = mapped_column(String(40), default="")
    progress: Mapped[float] = mapped_column(default=0.0)
    due_on: Mapped[dt.date | None]
    status: Mapped[str] = mapped_column(String(12), default=Status.open.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reached_at: Mapped[dt.datetime | None]

    team: Mapped[Team] = relationship()
    contributions: Mapped[list[Contribution]] = relationship(
        back_populates="goal", cascade="all, delete-orphan", order_by="Contribution.id"
    )
    celebration: Mapped[Celebration | None] = relationship(
        back_populates="goal", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("target is null or target > 0", name="target"),
        CheckConstraint("progress >= 0", name="progress"),
        CheckConstraint("status in ('open', 'reached')", name="status"),
        Index("ix_goals_team_status", "team_id", "status", "id"),
    )

    @property
    def is_reached(self) -> bool:
        return self.status == Status.reached.value

    @property
    def percent(self) -> int | None:
        """How far along, 0-100, for a goal with a target."""
        if self.target is None:
            return None
        return min(100, int(100 * self.progress / self.target))


class Contribution(Base):
    """Someone moved a goal: how much (0 for a step without a number), a note, when."""

    __tablename__ = "goal_contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    amount: Mapped[float] = mapped_column(default=0.0)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="contributions")
    person: Mapped[Person | None] = relationship()

    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount"),
        Index("ix_goal_contributions_goal_id", "goal_id", "id"),
        Index("ix_goal_contributions_person_id", "person_id"),
    )


class Celebration(Base):
    """The team's post when a goal is reached; one per goal (the unique key guards races)."""

    __tablename__ = "goal_celebrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="celebration")

    __table_args__ = (Index("ix_goal_celebrations_team_created", "team_id", "created_at"),)
