"""What the goals API and forms read and write."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from connectwell.core.ids import Id
from connectwell.core.text import clean_text, name_cleaner

MAX_NUMBER = 1_000_000_000


class GoalIn(BaseModel):
    """A goal as a team sets it."""

    model_config = ConfigDict(extra="forbid")

    team_id: Id
    title: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
        AfterValidator(name_cleaner(120)),
    ]
    done_looks_like: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
        AfterValidator(clean_text),
    ] = Field(description="What done looks like, in the team's words")
    target: Annotated[float, Field(gt=0, le=MAX_NUMBER)] | None = Field(
        default=None, description="A number to reach, e.g. 20 (help sessions); optional"
    )
    unit: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=40),
        AfterValidator(clean_text),
    ] = ""
    due_on: dt.date | None = None

    @model_validator(mode="after")
    def _unit_needs_target(self) -> GoalIn:
        if self.unit and self.target is None:
            raise ValueError("unit: a unit goes with a numeric target")
        return self


class ProgressIn(BaseModel):
    """A contribution: how much (for a numeric goal), a note, or that the goal is done."""

    model_config = ConfigDict(extra="forbid")

    amount: Annotated[float, Field(ge=0, le=MAX_NUMBER)] = 0
    note: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=500),
        AfterValidator(clean_text),
    ] = ""
    done: bool = Field(default=False, description="Mark the goal reached (the team says so)")

    @model_validator(mode="after")
    def _something(self) -> ProgressIn:
        if self.amount == 0 and not self.note and not self.done:
            raise ValueError("amount: record an amount, a note, or that the goal is done")
        return self


class ContributionOut(BaseModel):
    id: int
    person_id: int | None
    person: str
    amount: float
    note: str
    created_at: dt.datetime


class CelebrationOut(BaseModel):
    id: int
    goal_id: int
    team_id: int
    text: str
    created_at: dt.datetime


class GoalOut(BaseModel):
    id: int
    team_id: int
    team: str
    title: str
    done_looks_like: str
    target: float | None
    unit: str
    progress: float
    percent: int | None
    due_on: dt.date | None
    status: str
    created_at: dt.datetime
    reached_at: dt.datetime | None
    contributors: list[str]
    celebration: CelebrationOut | None


class GoalDetailOut(GoalOut):
    contributions: list[ContributionOut]
