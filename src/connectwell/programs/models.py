"""Programmes, their participants' choices, rounds, groups and micro check-ins."""

from __future__ import annotations

import datetime as dt
import enum
from uuid import uuid4

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connectwell.core.db import Base, utcnow
from connectwell.people.models import Person


class Kind(enum.StrEnum):
    coffee = "coffee"  # pairs (a group of three when the count is odd)
    groups = "groups"  # small groups of 3 to 5
    buddies = "buddies"  # onboarding buddies for new hires


class Audience(enum.StrEnum):
    everyone = "everyone"
    teams = "teams"  # the chosen teams and the teams nested under them
    opt_in = "opt_in"


class Cadence(enum.StrEnum):
    weekly = "weekly"
    biweekly = "biweekly"
    monthly = "monthly"


class TeamMix(enum.StrEnum):
    across = "across"
    within = "within"
    any = "any"


class Program(Base):
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default=Kind.coffee.value)
    audience: Mapped[str] = mapped_column(String(16), default=Audience.everyone.value)
    cadence: Mapped[str] = mapped_column(String(16), default=Cadence.biweekly.value)
    weekday: Mapped[int] = mapped_column(default=0)  # Monday is 0
    local_hour: Mapped[int] = mapped_column(default=9)  # intros go out at this local hour
    group_size: Mapped[int] = mapped_column(default=2)
    no_repeat_weeks: Mapped[int] = mapped_column(default=26)
    team_mix: Mapped[str] = mapped_column(String(8), default=TeamMix.across.value)
    # The pairing library's preferences (matching.Rules): different levels (how far down the
    # reporting line), different locations, shared interests.
    mix_levels: Mapped[bool] = mapped_column(default=False)
    mix_locations: Mapped[bool] = mapped_column(default=False)
    match_interests: Mapped[bool] = mapped_column(default=False)
    min_overlap_hours: Mapped[float] = mapped_column(default=1.0)
    followup_days: Mapped[int] = mapped_column(default=4)
    starts_on: Mapped[dt.date]
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    teams: Mapped[list[ProgramTeam]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("group_size between 2 and 5", name="group_size"),
        CheckConstraint("weekday between 0 and 6", name="weekday"),
        CheckConstraint("local_hour between 0 and 23", name="local_hour"),
    )


class ProgramTeam(Base):
    """A team in the audience of a ``teams`` programme."""

    __tablename__ = "program_teams"

    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )


class Membership(Base):
    """A person's choices in one programme: joined (opt-in), left, skipping, paused, buddying."""

    __tablename__ = "program_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    joined: Mapped[bool] = mapped_column(default=True)  # False: left the programme
    skip_round_on: Mapped[dt.date | None]  # skip the round of this date
    paused_until: Mapped[dt.date | None]
    ignored_in_a_row: Mapped[int] = mapped_column(default=0)
    buddy_capacity: Mapped[int] = mapped_column(default=0)  # buddies: new hires at once
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("program_id", "person_id", name="uq_program_memberships"),)


class NeverPair(Base):
    """A private "never pair me with" entry. Only its owner sees it."""

    __tablename__ = "never_pairs"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    other_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    other: Mapped[Person] = relationship(foreign_keys=[other_id])


#: How many days after a round its micro check-ins are taken.
CHECK_IN_DAYS = 21


class Round(Base):
    """One round of a programme. The unique (programme, date) is the claim: it runs once."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    round_on: Mapped[dt.date]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    participants: Mapped[int] = mapped_column(default=0)
    weight: Mapped[int] = mapped_column(default=0)
    certified_ratio: Mapped[float | None]
    repeats: Mapped[int] = mapped_column(default=0)
    same_team_pairs: Mapped[int] = mapped_column(default=0)
    pairs_without_shared_hours: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float] = mapped_column(default=0.0)
    # When the round's sealed check-ins were opened and stored (after check_ins_close_on).
    check_ins_counted_at: Mapped[dt.datetime | None]

    program: Mapped[Program] = relationship()
    groups: Mapped[list[Group]] = relationship(back_populates="round", cascade="all, delete-orphan")
    buddy_shortages: Mapped[list[BuddyShortage]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("program_id", "round_on", name="uq_rounds_program_day"),)

    @property
    def check_ins_close_on(self) -> dt.date:
        """The last day a micro check-in for this round is taken; its figures are published
        after it."""
        return self.round_on + dt.timedelta(days=CHECK_IN_DAYS)


class BuddyShortage(Base):
    """A new hire left without a buddy in a buddies round: not enough volunteer seats (or
    nobody allowed). The admin's programme page lists the latest round's."""

    __tablename__ = "buddy_shortages"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    person: Mapped[Person] = relationship()


class Group(Base):
    """People introduced to each other in a round, with the proposed 30-minute slot."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)  # the invite's stable UID
    sequence: Mapped[int] = mapped_column(default=0)  # the invite's SEQUENCE
    slot_start: Mapped[dt.datetime]
    slot_end: Mapped[dt.datetime]
    shared_hours: Mapped[bool] = mapped_column(default=True)
    starter: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[Round] = relationship(back_populates="groups")
    members: Mapped[list[GroupMember]] = relationship(  # in the order they joined the group
        back_populates="group", cascade="all, delete-orphan", order_by="GroupMember.id"
    )


class GroupMember(Base):
    """A person in a group: their intro, their follow-up and their own answer."""

    __tablename__ = "group_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    intro_sent_at: Mapped[dt.datetime | None]
    followup_sent_at: Mapped[dt.datetime | None]
    met: Mapped[bool | None]
    answered_at: Mapped[dt.datetime | None]
    private_note: Mapped[str] = mapped_column(Text, default="")

    group: Mapped[Group] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()

    __table_args__ = (
        UniqueConstraint("group_id", "person_id", name="uq_group_members"),
        Index("ix_group_members_person_id", "person_id"),
    )


class CheckIn(Base):
    """A micro check-in: three taps, one per HQC element, 1-5.

    Stored without the person or the group: only the programme and the round, so a score can
    never be traced back to who gave it. Whether someone answered lives on GroupMember.
    """

    __tablename__ = "check_ins"

    # A random key, not a counter: the order of rows must not follow the order of answers.
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid4().hex)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    # The team the person was in: what team insights count it towards (shown only as totals
    # above the anonymity floor).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    positive_regard: Mapped[int]
    mutuality: Mapped[int]
    vitality: Mapped[int]

    __table_args__ = (
        CheckConstraint("positive_regard between 1 and 5", name="positive_regard"),
        CheckConstraint("mutuality between 1 and 5", name="mutuality"),
        CheckConstraint("vitality between 1 and 5", name="vitality"),
    )
