"""What the people API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from connectwell.core.ids import Id
from connectwell.core.text import clean_text, name_cleaner

if TYPE_CHECKING:
    from connectwell.people.models import Person

Interest = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    AfterValidator(name_cleaner(40)),
]


def _time_as_text(value: object) -> object:
    """A time of day comes as text ("09:00"), never as a number of seconds."""
    if not isinstance(value, str | dt.time):
        raise ValueError("give a time of day as HH:MM")
    return value


def _local(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError("give a local time of day, without an offset")
    return value


# A time of day where the person is: "09:00", "17:30:00". JSON Schema's "time" format is
# RFC 3339's, with an offset, which working hours do not have: the schema says so instead.
LocalTime = Annotated[
    dt.time,
    BeforeValidator(_time_as_text),
    AfterValidator(_local),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "description": "A local time of day, without an offset",
            "examples": ["09:00:00"],
        }
    ),
]


def _never_null(schema: dict[str, Any]) -> None:
    """The schema of an optional field that may be left out but not sent as null."""
    schema.pop("default", None)
    branches = [branch for branch in schema.pop("anyOf", []) if branch != {"type": "null"}]
    if len(branches) == 1:
        schema.update(branches[0])


class ProfileUpdate(BaseModel):
    """What a person writes about themselves."""

    model_config = ConfigDict(extra="forbid")

    # Each field may be left out (then it is kept as it is) but is never null.
    bio: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, max_length=1000),
            AfterValidator(clean_text),
        ]
        | None
    ) = Field(default=None, json_schema_extra=_never_null)
    interests: Annotated[list[Interest], Field(max_length=15)] | None = Field(
        default=None, json_schema_extra=_never_null
    )
    work_start: LocalTime | None = Field(default=None, json_schema_extra=_never_null)
    work_end: LocalTime | None = Field(default=None, json_schema_extra=_never_null)

    @field_validator("bio", "interests", "work_start", "work_end", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("leave it out to keep it as it is; it cannot be null")
        return value

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

    person_ids: Annotated[list[Id], Field(max_length=50)]


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
    work_start: LocalTime
    work_end: LocalTime
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
