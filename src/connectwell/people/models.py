"""People, teams and team leads."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connectwell.core.db import Base, utcnow


class Role(enum.StrEnum):
    """What a person may do. A lead is a member who leads one or more teams (TeamLead)."""

    member = "member"
    admin = "admin"


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    parent: Mapped[Team | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Team]] = relationship(back_populates="parent")
    leads: Mapped[list[TeamLead]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )

    __table_args__ = (
        # The same name may appear under different parents (two "Design" squads), not twice
        # under one parent. Top-level names are unique through the path check in the service.
        Index("uq_teams_parent_name", "parent_id", "name", unique=True),
    )


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    location: Mapped[str] = mapped_column(String(120), default="")
    # Local working hours: pairings need shared ones, invites fall inside them.
    work_start: Mapped[dt.time] = mapped_column(default=dt.time(9))
    work_end: Mapped[dt.time] = mapped_column(default=dt.time(17))
    start_date: Mapped[dt.date | None]
    role: Mapped[str] = mapped_column(String(16), default=Role.member.value)
    is_active: Mapped[bool] = mapped_column(default=True)
    bio: Mapped[str] = mapped_column(Text, default="")
    interests: Mapped[str] = mapped_column(Text, default="")  # semicolon-separated
    paused_until: Mapped[dt.date | None]
    pause_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    team: Mapped[Team | None] = relationship()
    manager: Mapped[Person | None] = relationship(remote_side=[id])

    __table_args__ = (
        CheckConstraint("role in ('member', 'admin')", name="role"),
        Index("ix_people_lower_name", func.lower(name)),
    )

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin.value

    @property
    def interest_list(self) -> list[str]:
        return [item.strip() for item in self.interests.split(";") if item.strip()]

    def is_paused(self, today: dt.date) -> bool:
        return self.paused_until is not None and self.paused_until >= today


class TeamLead(Base):
    """A person leads a team (and, through it, the teams nested under it)."""

    __tablename__ = "team_leads"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    team: Mapped[Team] = relationship(back_populates="leads")
    person: Mapped[Person] = relationship()
