"""What the shout-out API and forms read and write."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from connectwell.core.ids import Id
from connectwell.core.text import clean_text, name_cleaner
from connectwell.shoutouts.models import Pathway, Visibility


class ShoutOutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
        AfterValidator(clean_text),
    ]
    pathway: Pathway
    value_id: Id | None = None
    visibility: Visibility = Visibility.everyone
    person_ids: Annotated[list[Id], Field(max_length=20)] = []
    team_ids: Annotated[list[Id], Field(max_length=5)] = []

    @field_validator("message", mode="before")
    @classmethod
    def _line_breaks(cls, value: object) -> object:
        """A browser sends a textarea's line breaks as CRLF: store (and count) them as one."""
        return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value

    @model_validator(mode="after")
    def _someone(self) -> ShoutOutIn:
        if not self.person_ids and not self.team_ids:
            raise ValueError("recipients: name at least one person or team")
        return self


class FeedFilter(BaseModel):
    """What the feed may be narrowed to; all optional."""

    team_id: int | None = None
    pathway: Pathway | None = None
    value_id: Id | None = None
    person_id: int | None = None


TEAM_FALLBACK = "a team"  # a team recipient whose team is gone: the one fallback


class FeedRecipient(BaseModel):
    """A person or a whole team a shout-out is for, with the name to show."""

    person_id: int | None
    team_id: int | None
    name: str = Field(description="The person's name, or the team's (a team's gone: 'a team')")

    @property
    def is_team(self) -> bool:
        return self.person_id is None


class FeedItem(BaseModel):
    """A shout-out as anyone who may see it sees it: the feed page, the API and the digest
    all show this (built by :func:`connectwell.shoutouts.service.feed_items`)."""

    id: int
    sender_id: int
    sender: str = Field(description="The sender's display name")
    recipients: list[FeedRecipient]
    pathway: str = Field(description="The pathway's key: respect, enabling, trust or play")
    pathway_name: str = Field(description="The pathway as people read it")
    value: str | None = Field(description="The organisation's value it names, if any")
    message: str = Field(description="Plain text, exactly as written: show it as text")
    visibility: str
    created_at: dt.datetime
    thanks: int = Field(description="How many +1 thanks")
    reactions: dict[str, int] = Field(description="Emoji reactions and their counts")


class FeedPage(BaseModel):
    items: list[FeedItem]
    next_cursor: int | None = Field(description="Pass as `before` for the next page.")


class ReactionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="'thanks' for +1, or one of the allowed emoji")


class HideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=3, max_length=500),
        AfterValidator(clean_text),
    ]


class Breadth(BaseModel):
    """A person's own appreciation breadth this quarter (no ranks, no comparisons)."""

    since: dt.date
    appreciated_people: int
    appreciated_teams: int
    appreciated_by_people: int
    appreciated_by_teams: int


class TeamAppreciation(BaseModel):
    """A team's counts for its lead: given, received, across teams; a nudge, never names."""

    team_id: int
    since: dt.date
    given: int
    received: int
    given_across_teams: int
    received_from_other_teams: int
    members: int
    not_appreciated_in_30_days: int


class HiddenOut(BaseModel):
    id: int
    hidden_at: dt.datetime


class ValueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=60),
        AfterValidator(name_cleaner(60)),
    ]
    description: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=1000),
        AfterValidator(clean_text),
    ] = ""


class ValueOut(BaseModel):
    id: int
    name: str
    description: str
    is_active: bool
