"""What the programmes API and forms read and write."""

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
from connectwell.programs.models import Audience, Cadence, Kind, TeamMix


class ProgramSettings(BaseModel):
    """What an admin may change on a programme at any time; changes apply from the next round
    (a round already made keeps its groups)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
        AfterValidator(name_cleaner(120)),
    ]
    description: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=2000),
        AfterValidator(clean_text),
    ] = ""
    audience: Audience = Audience.everyone
    team_ids: Annotated[list[Id], Field(max_length=200)] = []
    cadence: Cadence = Cadence.biweekly
    weekday: Annotated[int, Field(ge=0, le=6, description="Monday is 0")] = 0
    local_hour: Annotated[int, Field(ge=0, le=23, description="Intros go out at this hour")] = 9
    group_size: Annotated[int, Field(ge=2, le=5)] = 2
    no_repeat_weeks: Annotated[int, Field(ge=0, le=260)] = 26
    team_mix: TeamMix = TeamMix.across
    mix_levels: Annotated[
        bool, Field(description="Prefer people at different levels of the reporting line")
    ] = False
    mix_locations: Annotated[bool, Field(description="Prefer people in different places")] = False
    match_interests: Annotated[bool, Field(description="Prefer people with shared interests")] = (
        False
    )
    min_overlap_hours: Annotated[float, Field(ge=0, le=8)] = 1.0
    followup_days: Annotated[int, Field(ge=1, le=14)] = 4

    @model_validator(mode="after")
    def _audience(self) -> ProgramSettings:
        if self.audience == Audience.teams and not self.team_ids:
            raise ValueError("team_ids: choose at least one team for a teams audience")
        return self


def size_problem(kind: Kind | str, group_size: int) -> str | None:
    """Why ``group_size`` does not suit a programme of ``kind``, in plain words, or None."""
    if kind == Kind.coffee and group_size != 2:
        return "coffee pairs have a group size of 2"
    if kind == Kind.groups and group_size < 3:
        return "small groups have 3 to 5 people"
    return None


class ProgramIn(ProgramSettings):
    """A programme as an admin sets it up: its settings, its kind and its first day."""

    kind: Kind = Kind.coffee
    starts_on: dt.date

    @model_validator(mode="after")
    def _consistent(self) -> ProgramIn:
        if problem := size_problem(self.kind, self.group_size):
            raise ValueError(f"group_size: {problem}")
        return self


class ProgramOut(BaseModel):
    id: int
    name: str
    description: str
    kind: str
    audience: str
    team_ids: list[int]
    cadence: str
    weekday: int
    local_hour: int
    group_size: int
    no_repeat_weeks: int
    team_mix: str
    mix_levels: bool
    mix_locations: bool
    match_interests: bool
    min_overlap_hours: float
    followup_days: int
    starts_on: dt.date
    is_active: bool
    next_round_on: dt.date | None


class MembershipOut(BaseModel):
    program_id: int
    taking_part: bool
    joined: bool
    skip_round_on: dt.date | None
    paused_until: dt.date | None
    buddy_capacity: int


class Answer(BaseModel):
    """The "did you meet?" answer, with the 3-tap micro check-in when you met."""

    model_config = ConfigDict(extra="forbid")

    met: bool
    positive_regard: Annotated[int, Field(ge=1, le=5)] | None = None
    mutuality: Annotated[int, Field(ge=1, le=5)] | None = None
    vitality: Annotated[int, Field(ge=1, le=5)] | None = None
    private_note: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=2000),
        AfterValidator(clean_text),
    ] = ""

    @model_validator(mode="after")
    def _scores_all_or_none(self) -> Answer:
        scores = (self.positive_regard, self.mutuality, self.vitality)
        given = [score is not None for score in scores]
        if any(given) and not all(given):
            raise ValueError("check-in: answer all three (positive regard, mutuality, vitality)")
        if any(given) and not self.met:
            raise ValueError("check-in: only after a meeting that happened")
        return self


class GroupOut(BaseModel):
    id: int
    program_id: int
    program: str
    round_on: dt.date
    slot_start: dt.datetime
    slot_end: dt.datetime
    shared_hours: bool
    starter: str
    others: list[dict[str, object]]
    met: bool | None
    answered: bool
