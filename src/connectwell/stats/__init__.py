"""Scores, reliability, change, team comparisons and anonymity rules: a pure library.

Answers, published figures and sets of respondent ids in; dataclasses and decisions out. It
imports only the standard library, numpy, scipy and (for the mixed model, lazily) statsmodels:
nothing of the rest of connectwell, no database, no web.

- :func:`score_constructs`, :func:`score_construct`: mean with a 95% t interval (never zero
  width), favourable % with its Wilson interval, n and Cronbach's alpha of each construct.
- :func:`mean_interval`, :func:`wilson_interval`: the intervals (:mod:`.intervals`).
- :func:`cronbach_alpha`, :func:`feldt_interval`, :class:`Reliability`: alpha with Feldt's
  interval, shown from :data:`MIN_ALPHA_CASES` complete cases (:mod:`.reliability`).
- :func:`respondent_scores`, :func:`reverse_code`, :func:`trend`.
- :class:`GroupSummary`, :func:`compare_rounds`, :func:`clearly_lowest`: change between closed
  rounds and the clearly lowest figure, or none (:mod:`.change`).
- :func:`team_agreement`, :func:`shrunken_team_means`, :func:`verify_shrinkage`: ICC(1),
  ICC(2) and shrunken team means (:mod:`.multilevel`).
- :class:`AnonymityPolicy`, :func:`may_show_score`, :func:`may_show_comments`,
  :func:`may_show_distribution`: the floors (5, never below 3; 10 for comments).
- :class:`Disclosure` and :func:`allowed_breakdowns`: what may be shown without anyone being
  found by subtracting one view from others.
- :func:`verify_disclosure` (set algebra) and :func:`verify_no_isolation` (linear algebra):
  independent checks of any set of shown groups; every test uses them.
- :func:`coarsen_attributes`: an answer's (team, tenure band, location), generalised until at
  least the floor of the round's audience share it; :func:`verify_coarsening` checks it.
"""

from connectwell.stats.anonymity import (
    MIN_FLOOR,
    AnonymityPolicy,
    Disclosure,
    Problem,
    allowed_breakdowns,
    may_show_comments,
    may_show_distribution,
    may_show_score,
    verify_disclosure,
)
from connectwell.stats.change import (
    DEFAULT_RELIABILITY,
    Change,
    GroupSummary,
    clearly_lowest,
    compare_rounds,
    minimum_detectable_change,
)
from connectwell.stats.coarsen import Attributes, coarsen_attributes, shared_by, verify_coarsening
from connectwell.stats.errors import StatsInputError
from connectwell.stats.intervals import MIN_SPREAD, mean_interval, wilson_interval
from connectwell.stats.isolation import verify_no_isolation
from connectwell.stats.multilevel import (
    ShrunkenMeans,
    TeamAgreement,
    TeamMean,
    shrunken_team_means,
    team_agreement,
    verify_shrinkage,
)
from connectwell.stats.reliability import (
    MIN_ALPHA_CASES,
    Reliability,
    cronbach_alpha,
    feldt_interval,
)
from connectwell.stats.scores import (
    ConstructScore,
    Item,
    TrendPoint,
    respondent_scores,
    reverse_code,
    score_construct,
    score_constructs,
    trend,
)

__all__ = [
    "DEFAULT_RELIABILITY",
    "MIN_ALPHA_CASES",
    "MIN_FLOOR",
    "MIN_SPREAD",
    "AnonymityPolicy",
    "Attributes",
    "Change",
    "ConstructScore",
    "Disclosure",
    "GroupSummary",
    "Item",
    "Problem",
    "Reliability",
    "ShrunkenMeans",
    "StatsInputError",
    "TeamAgreement",
    "TeamMean",
    "TrendPoint",
    "allowed_breakdowns",
    "clearly_lowest",
    "coarsen_attributes",
    "compare_rounds",
    "cronbach_alpha",
    "feldt_interval",
    "may_show_comments",
    "may_show_distribution",
    "may_show_score",
    "mean_interval",
    "minimum_detectable_change",
    "respondent_scores",
    "reverse_code",
    "score_construct",
    "score_constructs",
    "shared_by",
    "shrunken_team_means",
    "team_agreement",
    "trend",
    "verify_coarsening",
    "verify_disclosure",
    "verify_no_isolation",
    "verify_shrinkage",
    "wilson_interval",
]
