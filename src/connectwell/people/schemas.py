"""What the people API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from connectwell.core.text import clean_text, name_cleaner

if TYPE_CHECKING:
    from connectwell.people.models import Person

Interest = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    AfterValidator(name_cleaner(40)),
]


class ProfileUpdate(BaseModel):
    """What a person writes about themselves."""

    model_config = ConfigDict(extra="forbid")

    bio: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, max_length=1000),
            AfterValidator(clean_text),
        ]
        | None
    ) = None
    interests: Annotated[list[Interest], Field(max_length=15)] | None = None
    work_start: dt.time | None = Field(default=None, description="Local time, e.g. 09:00")
    work_end: dt.time | None = Field(default=None, description="Local time, e.g. 17:00")

    @model_validator(mode="after")
    def _hours_make_sense(self) -> ProfileUpdate:
        start, end = self.work_start, self.work_end
        # "field: message": forms file the message under the field; people read the message.
        if start is None and end is not None:
            raise ValueError("work_start: Enter the start of your working hours too.")
        if end is None and start is not None:
            raise ValueError("work_end: Enter the end of your working hours too.")
        if start is not None and start == end:
            raise ValueError("work_end: The end of your working hours must differ from the start.")
        return self

    @field_validator("interests")
    @classmethod
    def _no_semicolons(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            for item in value:
                if ";" in item:
                    raise ValueError("an interest may not contain ';'")
            value = list(dict.fromkeys(value))
        return value


class PauseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    until: dt.date
    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=200),
        AfterValidator(clean_text),
    ] = ""


class TeamOut(BaseModel):
    id: int
    name: str
    path: str
    parent_id: int | None
    members: int
    lead_ids: list[int]


class LeadsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_ids: Annotated[list[int], Field(max_length=50)]


class PersonOut(BaseModel):
    """What any colleague may see."""

    id: int
    name: str
    email: str
    title: str
    team_id: int | None
    team: str | None
    manager_id: int | None
    timezone: str
    location: str
    work_start: dt.time
    work_end: dt.time
    bio: str
    interests: list[str]
    paused: bool


class PersonPrivateOut(PersonOut):
    """What the person themselves and admins see."""

    role: str
    is_lead: bool
    start_date: dt.date | None
    paused_until: dt.date | None
    pause_reason: str
    active: bool


class PeoplePage(BaseModel):
    items: list[PersonOut]
    next_after: int | None = Field(
        description="Pass as `after` to get the next page; null on the last page."
    )


class PersonRef(BaseModel):
    """A person as others see them named: the one place a person's display name is made."""

    id: int
    name: str

    @classmethod
    def of(cls, person: Person) -> PersonRef:
        return cls(id=person.id, name=person.name)
