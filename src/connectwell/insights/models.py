"""Published insight figures and what has been shown.

- :class:`Publication`: one closed, counted round made public, once. The unique (kind,
  source_id) is the claim: racing workers publish a round once.
- :class:`PublishedFigure`: one scope's figures of a publication (the organisation, or a team
  with the teams nested under it), rounded as shown. Never updated: a database trigger
  refuses it (migration ``0012_publications``).
- :class:`LedgerEntry`: the disclosure ledger. Each group of respondents a publication showed,
  per universe (the answers of one round) and measure, so that any later figure of the same
  answers is gated against everything shown before. Never updated either.
- :class:`InsightSnapshot`: the nightly connection-network figures per scope (they describe
  who connected with whom, not answers, and are recomputed each night).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from connectwell.core.db import Base, utcnow

#: The tables no code path updates and a database trigger guards.
IMMUTABLE_TABLES = ("publications", "published_figures", "disclosure_ledger")


class Publication(Base):
    """A round's results, published once after it closed and was counted."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "pulse_round" or "check_in_round"
    source_id: Mapped[int]  # the PulseRound's or the programme Round's id
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    floor: Mapped[int]  # the anonymity floor the figures were gated with

    __table_args__ = (UniqueConstraint("kind", "source_id", name="uq_publications_kind_source"),)


class PublishedFigure(Base):
    """One scope's published figures; ``payload`` is checked by a schema in and out
    (:mod:`connectwell.insights.schemas`)."""

    __tablename__ = "published_figures"

    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), primary_key=True
    )
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)  # "org" or "team:<id>"
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_published_figures_scope", "scope"),)


class LedgerEntry(Base):
    """A group of respondents whose figure was shown: the disclosure ledger."""

    __tablename__ = "disclosure_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), index=True
    )
    universe: Mapped[str] = mapped_column(String(40))  # "pulse_round:12", "check_in_round:3"
    measure: Mapped[str] = mapped_column(String(16))  # "scores", "comments", "check_ins", "met"
    members: Mapped[list[str]] = mapped_column(JSON)  # the group's respondent ids, sorted

    __table_args__ = (Index("ix_disclosure_ledger_universe", "universe", "measure"),)


class InsightSnapshot(Base):
    __tablename__ = "insight_snapshots"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)  # "org" or "team:<id>"
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    window_start: Mapped[dt.date]
    window_end: Mapped[dt.date]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
