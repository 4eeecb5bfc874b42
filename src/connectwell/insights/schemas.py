"""The insight figures of a scope, as the nightly computation stores them and the pages, the
API and the CSV export read them.

:func:`connectwell.insights.compute.compute` builds a :class:`ScopeInsights` per scope;
:func:`~connectwell.insights.compute.store` writes ``model_dump(mode="json")`` to the JSON
column and :func:`connectwell.insights.service.snapshot` reads it back with
``model_validate``, so a payload that does not fit is refused on the way in and on the way
out. Every figure here already passed the anonymity gate: ``n`` and ``mean`` are ``None``
where a group is hidden.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_serializer


class _Stored(BaseModel):
    """Stored figures: an unknown key is an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Score(_Stored):
    """A construct's score over one group of responses."""

    n: int = Field(description="Respondents")
    mean: float | None = Field(description="Mean score, 1 to 5")
    ci_low: float | None = Field(description="95% interval, low end (None for one respondent)")
    ci_high: float | None = Field(description="95% interval, high end")
    favourable_pct: float | None = Field(
        description="Share of answers in the top two options, 0 to 100 (as answered: for a "
        "construct where lower is better, the page turns it around)"
    )
    alpha: float | None = Field(description="Cronbach's alpha on the latest pulse's items")
    alpha_n: int = Field(description="Respondents alpha was computed from")


class TrendPoint(_Stored):
    """The construct's mean in one pulse; hidden (``None``) where the gate says so."""

    period: dt.date = Field(description="The day the pulse opened")
    n: int | None
    mean: float | None


class GroupFigure(_Stored):
    """One group of a breakdown (a tenure band, a location); hidden as a trend point is."""

    label: str
    n: int | None
    mean: float | None


class ConstructInsights(Score):
    """A construct's score with its trend and its breakdowns by tenure and location."""

    trend: list[TrendPoint]
    tenure: list[GroupFigure]
    location: list[GroupFigure]


class CheckIns(_Stored):
    """The micro check-ins after pairings: how many, and the mean of each element's taps."""

    n: int
    positive_regard: float
    mutuality: float
    vitality: float


_FEW = (
    "People with few recorded connections (at most one other person in the period: a pairing "
    "meeting, or a shout-out sent or received), at least this many; a band, never an exact "
    "count. None where no band may be shown"
)
_FEW_HIGH = "The same band's upper end: at most this many"
_FROM = "The period's first day (few recorded connections are counted over the period)"
_TO = "The period's last day"
_TIES = "The figures about ties count the ties from this day to the day before the period"


class OrgNetwork(_Stored):
    """The organisation's connection network (only if the organisation passes the gate)."""

    people: int = Field(description="Active people")
    few_connections_low: int | None = Field(description=_FEW)
    few_connections_high: int | None = Field(description=_FEW_HIGH)
    counted_from: dt.date = Field(description=_FROM)
    counted_to: dt.date = Field(description=_TO)
    ties_from: dt.date = Field(description=_TIES)
    modularity: float | None = Field(description="Modularity of teams, -0.5 to 1")
    reciprocity: float | None = Field(description="Share of appreciation returned, 0 to 1")
    bridging_teams: list[str] = Field(
        description="The most bridging teams, by name (only teams the gate shows)"
    )


class TeamNetwork(_Stored):
    """A team's place in the connection network (only teams the gate shows, as sets of people)."""

    people: int = Field(description="Active people in the team and its sub-teams")
    few_connections_low: int | None = Field(description=_FEW)
    few_connections_high: int | None = Field(description=_FEW_HIGH)
    counted_from: dt.date = Field(description=_FROM)
    counted_to: dt.date = Field(description=_TO)
    ties_from: dt.date = Field(description=_TIES)
    cross_team_ratio: float | None = Field(
        description="Share of the team's members' ties that reach other teams, 0 to 1"
    )
    ei_index: float | None = Field(description="E-I index, -1 all inside to 1 all across")
    other_teams: int = Field(description="Other teams its members have ties with")


class ScopeInsights(_Stored):
    """Everything computed for one scope (the organisation, or a team with its subteams)."""

    name: str
    since: dt.date
    until: dt.date
    constructs: dict[str, ConstructInsights] = Field(description="By construct key")
    check_ins: CheckIns | None
    floor_hidden: list[str] = Field(description="Constructs hidden here by the gate")
    network: OrgNetwork | TeamNetwork | None
    comments: list[str] = Field(description="Shown only from ten up, in alphabetical order")
    seconds: float = Field(default=0.0, description="How long the whole computation took")


class Snapshot(ScopeInsights):
    """A stored scope, as read: the figures and when they were computed."""

    computed_at: dt.datetime

    @field_serializer("computed_at")
    def _computed_at(self, moment: dt.datetime) -> str:
        return moment.isoformat()  # "+00:00", as the API has always said


class PracticeOut(BaseModel):
    """Something to try for a weak pathway, tied to a feature of the app, with its evidence."""

    title: str
    why: str
    link: str
    evidence: str = Field(
        description="Who found what, and when: 'Grant & Gino (2010) found in four experiments ...'"
    )


class InsightsOut(BaseModel):
    """/api/v1/insights: a scope's stored figures and what to try next."""

    name: str
    since: dt.date
    until: dt.date
    computed_at: dt.datetime
    constructs: dict[str, ConstructInsights] = Field(description="By construct key")
    check_ins: CheckIns | None
    weakest_pathway: str | None = Field(description="The pathway construct scoring lowest")
    what_to_try: list[PracticeOut]

    @field_serializer("computed_at")
    def _computed_at(self, moment: dt.datetime) -> str:
        return moment.isoformat()
