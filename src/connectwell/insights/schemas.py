"""The insight figures as typed models: what a publication stores, and what pages, the API
and the CSV export read.

A published figure is what was shown. :func:`construct_figure`, :func:`interval_figure` and
:func:`share_figure` turn computed statistics into stored figures, rounded as every view
shows them (means, standard deviations and intervals to 2 decimals, shares to whole percent,
alpha to 2 decimals): the page, the API and the CSV read the same stored numbers, so none of
them gives away more precision than another. The field types round too, so a figure that
reaches the database by another road is stored as shown all the same.

:data:`PUBLISHED` checks a payload on the way into ``published_figures`` and on the way out:
an unknown key or a figure that does not fit is refused.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
    field_serializer,
)

from connectwell.stats import ConstructScore

#: Shown when alpha is not shown (a hidden group, or fewer than 30 complete cases).
NO_RELIABILITY = "not enough answers to judge reliability"


def _as_shown(value: float, info: ValidationInfo) -> float:
    """Round a figure as it is published; a figure read back from the store (validated with
    :data:`READ_BACK` as context) was rounded when it was written and is taken as it is."""
    if info.context is READ_BACK:
        return value
    return two_decimals(value)


#: The validation context of figures read back from the store (see :func:`read_published`).
READ_BACK: dict[str, bool] = {"read_back": True}


def two_decimals(value: float) -> float:
    """A figure as shown: 2 decimals, halves away from zero (3.845 -> 3.85).

    A stored figure is read back through this too: one already at 2 decimals (its shortest
    repr has at most two after the point) is returned as it is, without the Decimal work, so
    reading a page of published figures stays cheap.

    >>> two_decimals(3.845), two_decimals(-0.125), two_decimals(3.85), two_decimals(4.0)
    (3.85, -0.13, 3.85, 4.0)
    """
    value = float(value)
    text = repr(value)
    point = text.find(".")
    if "e" not in text and (point < 0 or len(text) - point - 1 <= 2):
        return value
    return float(Decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def whole_percent(value: float) -> int:
    """A share as shown: a whole percent, halves up (49.5 -> 50)."""
    return math.floor(float(value) + 0.5)


Figure = Annotated[float, AfterValidator(_as_shown)]
Percent = Annotated[int, Field(ge=0, le=100)]


class _Stored(BaseModel):
    """Stored figures: an unknown key is an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class GroupFigure(_Stored):
    """One group of a breakdown (a tenure band, a location); ``None`` figures: hidden."""

    label: str
    n: int | None
    mean: Figure | None
    ci_low: Figure | None = None
    ci_high: Figure | None = None


class ComparedTeam(_Stored):
    """One shown child team in a :class:`TeamComparison`."""

    scope: str = Field(description='The team\'s scope, "team:<id>"')
    name: str = Field(description="The team's name when published")
    n: int = Field(description="Respondents in the team and the teams nested under it")
    raw_mean: Figure = Field(description="The team's own mean, equal to its published mean")
    mean: Figure | None = Field(
        description="Shrunken mean: pulled towards the overall mean in proportion to how "
        "little the team's answers say; None where the model could not be fitted"
    )
    ci_low: Figure | None = Field(description="95% interval of the shrunken mean, low end")
    ci_high: Figure | None = Field(description="95% interval of the shrunken mean, high end")


class TeamComparison(_Stored):
    """How the shown teams directly below a scope compare on one construct of a round: a
    random-intercept model of the respondents' construct scores within those teams only.

    Every figure here is a function of the shown teams' own counts, sums and sums of squares,
    so it reveals nothing about a group the gate did not show.
    """

    icc1: Figure | None = Field(
        description="ICC(1): share of the differences in answers that lies between teams "
        "(Bliese 2000); None: see icc_reason"
    )
    icc2: Figure | None = Field(
        description="ICC(2): how reliably the teams' means can be told apart, 0 to 1; under "
        "0.7, treat differences with care (Bliese 2000)"
    )
    icc_reason: str | None = Field(default=None, description="Why an ICC is not given")
    groups: int = Field(description="Teams compared")
    n: int = Field(description="Respondents in the teams compared")
    grand_mean: Figure | None = Field(description="The model's overall mean")
    method: Literal["mixedlm", "anova"] | None = Field(
        description='"mixedlm": REML fit of the random-intercept model; "anova": the fit did '
        "not converge, variances from the one-way ANOVA"
    )
    reason: str | None = Field(default=None, description="The model's note, if any")
    teams: list[ComparedTeam] = Field(description="The shown teams below, in tree order")


class ConstructFigure(_Stored):
    """A construct's published score over one group of a round's responses."""

    n: int = Field(description="Respondents")
    mean: Figure = Field(description="Mean score, 1 to 5, 2 decimals")
    sd: Figure | None = Field(description="Standard deviation of the respondents' scores")
    ci_low: Figure | None = Field(description="95% interval of the mean, low end")
    ci_high: Figure | None = Field(description="95% interval of the mean, high end")
    favourable_pct: Percent = Field(
        description="Share of answers that are favourable, whole percent: 4-5, or 1-2 for a "
        "construct where lower is better"
    )
    favourable_low: Percent | None = Field(description="95% interval of the share, low end")
    favourable_high: Percent | None = Field(description="95% interval of the share, high end")
    alpha: Figure | None = Field(
        description="Cronbach's alpha; only with at least 30 complete cases"
    )
    alpha_low: Figure | None = Field(description="95% interval of alpha (Feldt 1987)")
    alpha_high: Figure | None
    alpha_n: int | None = Field(description="Complete cases alpha was computed from")
    reliability: str = Field(description="Alpha in words, or why it is not shown")
    tenure: list[GroupFigure] = Field(default_factory=list)
    location: list[GroupFigure] = Field(default_factory=list)
    teams: TeamComparison | None = Field(
        default=None,
        description="How the shown teams directly below compare (shrunken means, ICC(1), "
        "ICC(2)); None where fewer than two teams below are shown",
    )


class PulseRoundFigures(_Stored):
    """One scope's figures of a published pulse round."""

    kind: Literal["pulse_round"] = "pulse_round"
    name: str = Field(description="The scope's name when published")
    constructs: dict[str, ConstructFigure] = Field(description="By construct key")
    comments: list[str] = Field(description="Shown only from ten up, in alphabetical order")


class MeanFigure(_Stored):
    """A mean of taps, 1 to 5, with its 95% interval."""

    mean: Figure
    ci_low: Figure | None
    ci_high: Figure | None


class CheckInRoundFigures(_Stored):
    """One scope's figures of a programme round's published micro check-ins."""

    kind: Literal["check_in_round"] = "check_in_round"
    name: str
    n: int | None = Field(description="Check-ins; None: hidden here")
    positive_regard: MeanFigure | None
    mutuality: MeanFigure | None
    vitality: MeanFigure | None
    met_n: int | None = Field(description="People who said whether they met; None: hidden")
    met_pct: Percent | None = Field(description="Share who met, whole percent")
    met_low: Percent | None
    met_high: Percent | None


Published = Annotated[PulseRoundFigures | CheckInRoundFigures, Field(discriminator="kind")]
PUBLISHED: TypeAdapter[PulseRoundFigures | CheckInRoundFigures] = TypeAdapter(Published)


def read_published(payload: Any) -> PulseRoundFigures | CheckInRoundFigures:
    """A stored payload, checked against the schema as it is read (an unknown key or a wrong
    type is refused), its figures taken as rounded when they were published."""
    return PUBLISHED.validate_python(payload, context=READ_BACK)


def stored(payload: PulseRoundFigures | CheckInRoundFigures) -> dict[str, Any]:
    """The JSON a ``published_figures`` row holds, checked once more on the way in."""
    data = payload.model_dump(mode="json")
    PUBLISHED.validate_python(data)
    return data


# --- from statistics to figures as shown: the one place that rounds ------------------------


def interval_figure(mean: float, low: float | None, high: float | None) -> MeanFigure:
    return MeanFigure(mean=mean, ci_low=low, ci_high=high)


def share_figure(share: float, low: float, high: float) -> tuple[int, int, int]:
    """A share and its interval (fractions 0..1) as whole percents."""
    return whole_percent(100 * share), whole_percent(100 * low), whole_percent(100 * high)


def construct_figure(
    score: ConstructScore,
    *,
    floor: int | None = None,
    tenure: list[GroupFigure] | None = None,
    location: list[GroupFigure] | None = None,
) -> ConstructFigure:
    """A construct's score as published: rounded as shown, alpha only when it is meaningful.

    Call it only for a group that passed the anonymity gate; alpha is kept only when
    :attr:`~connectwell.stats.Reliability.enough` (at least 30 complete cases), with its
    Feldt interval; otherwise the figure says :data:`NO_RELIABILITY`. Alpha is computed over
    the complete cases, a subgroup the gate did not see: with ``floor``, alpha (and its count)
    is kept only when the people left out (``n`` minus the complete cases) are none or at
    least the floor, so ``n - alpha_n`` never tells that one or two people skipped a statement.
    """
    assert score.mean is not None and score.favourable_pct is not None
    reliability = score.reliability
    skipped = score.n - reliability.n
    shown = (
        reliability.enough
        and reliability.alpha is not None
        and (floor is None or skipped == 0 or skipped >= floor)
    )
    favourable_low = favourable_high = None
    if score.favourable_low is not None and score.favourable_high is not None:
        favourable_low = whole_percent(score.favourable_low)
        favourable_high = whole_percent(score.favourable_high)
    alpha = reliability.alpha if shown else None
    return ConstructFigure(
        n=score.n,
        mean=score.mean,
        sd=score.sd,
        ci_low=score.ci_low,
        ci_high=score.ci_high,
        favourable_pct=whole_percent(score.favourable_pct),
        favourable_low=favourable_low,
        favourable_high=favourable_high,
        alpha=alpha,
        alpha_low=reliability.ci_low if shown else None,
        alpha_high=reliability.ci_high if shown else None,
        alpha_n=reliability.n if shown else None,
        reliability=(
            f"alpha {two_decimals(alpha):.2f} from {reliability.n} complete answers"
            if alpha is not None
            else NO_RELIABILITY
        ),
        tenure=tenure or [],
        location=location or [],
    )


# --- the connection network, recomputed each night ----------------------------------------


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


class NetworkSnapshot(_Stored):
    """A scope's network figures as the nightly job stores them."""

    network: OrgNetwork | TeamNetwork | None


# --- the read model: what pages, the API and the CSV show ---------------------------------


class RoundRef(BaseModel):
    """Which published round a figure comes from."""

    kind: Literal["pulse_round", "check_in_round"]
    round_id: int
    name: str = Field(description="The pulse's or the programme's name")
    opens_on: dt.date = Field(description="The day the round opened (a programme round's day)")
    closes_on: dt.date = Field(description="The last day answers were taken")
    published_at: dt.datetime

    @field_serializer("published_at")
    def _published_at(self, moment: dt.datetime) -> str:
        return moment.isoformat()


class TrendPoint(BaseModel):
    """A construct's published mean in one round; hidden (``n`` None) where the gate said so."""

    round: RoundRef
    n: int | None
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    sd: float | None = Field(default=None, description="Standard deviation, as published")


class Change(BaseModel):
    """Between the last two published points: a change only where it is clear."""

    direction: Literal["higher", "lower"] | None = Field(
        description="None: no clear change (or too few published points to say)"
    )
    words: str
    difference: float | None = Field(default=None, description="Later mean minus earlier")
    ci_low: float | None = Field(default=None, description="95% interval of the difference")
    ci_high: float | None = Field(default=None, description="95% interval of the difference")
    mdc: float | None = Field(
        default=None, description="Minimum detectable change: smaller differences are noise"
    )


class ConstructOut(BaseModel):
    """A construct in a scope: the latest published round that asked it, and its trend."""

    name: str
    lower_is_better: bool
    round: RoundRef = Field(description="The latest published round that asked it")
    figure: ConstructFigure | None = Field(description="None: hidden in that round")
    trend: list[TrendPoint] = Field(description="Every published round that asked it, oldest first")
    change: Change


class CheckInPoint(BaseModel):
    """A programme round's published check-in figures; ``figures`` None: hidden here."""

    round: RoundRef
    figures: CheckInRoundFigures | None


class WeakestOut(BaseModel):
    """The pathway that stands out as lowest, only when it clearly does."""

    pathway: str | None
    words: str


class PracticeOut(BaseModel):
    """Something to try for a weak pathway, tied to a feature of the app, with its evidence."""

    title: str
    why: str
    link: str
    evidence: str = Field(
        description="Who found what, and when: 'Grant & Gino (2010) found in four experiments ...'"
    )


class InsightsOut(BaseModel):
    """/api/v1/insights: a scope's published figures, as the page shows them."""

    name: str
    scope: str = Field(description='"org" or "team:<id>"')
    constructs: dict[str, ConstructOut] = Field(description="By construct key, in bank order")
    comments: list[str] = Field(description="The latest published round's shown comments")
    comments_round: RoundRef | None
    check_ins: list[CheckInPoint] = Field(description="Published programme rounds, oldest first")
    weakest: WeakestOut
    what_to_try: list[PracticeOut]
