"""What the pulse API and forms read and write."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

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

Score = Annotated[int, Field(ge=1, le=5)]


class PulseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
        AfterValidator(name_cleaner(120)),
    ]
    audience: Literal["everyone", "teams"] = "everyone"
    team_ids: Annotated[list[Id], Field(max_length=200)] = []
    cadence: Literal["weekly", "biweekly", "monthly"] = "biweekly"
    weekday: Annotated[int, Field(ge=0, le=6)] = 1
    local_hour: Annotated[int, Field(ge=0, le=23)] = 10
    starts_on: dt.date
    reminder_after_days: Annotated[int, Field(ge=1, le=6)] = 2
    open_days: Annotated[int, Field(ge=2, le=14)] = 7

    @model_validator(mode="after")
    def _teams(self) -> PulseIn:
        if self.audience == "teams" and not self.team_ids:
            raise ValueError("team_ids: choose at least one team for a teams audience")
        if self.reminder_after_days >= self.open_days:
            raise ValueError("reminder_after_days: the reminder must come before the pulse closes")
        return self


class ConstructIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
        AfterValidator(name_cleaner(80)),
    ]
    description: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=1000),
        AfterValidator(clean_text),
    ] = ""


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    construct_id: int
    text: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=5, max_length=300),
        AfterValidator(clean_text),
    ]
    reverse_coded: bool = False


class PulseAnswer(BaseModel):
    """Answers by item id, 1-5 (skipped items may be left out), and an optional comment."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[Id, Score | None]
    comment: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=2000),
        AfterValidator(clean_text),
    ] = ""
