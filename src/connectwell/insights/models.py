"""Stored insight figures: one snapshot per scope (the organisation, or a team with the teams
nested under it), computed by the worker; every page, API call and export reads these."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from connectwell.core.db import Base, utcnow


class InsightSnapshot(Base):
    __tablename__ = "insight_snapshots"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)  # "org" or "team:<id>"
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    window_start: Mapped[dt.date]
    window_end: Mapped[dt.date]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
