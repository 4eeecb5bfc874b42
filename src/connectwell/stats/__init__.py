"""Scores, reliability and anonymity rules for pulses and check-ins: a pure library.

Answers and sets of respondent ids in; dataclasses and decisions out. It imports only the
standard library, numpy and scipy: nothing of the rest of connectwell, no database, no web.

- :func:`score_constructs`, :func:`score_construct`: mean with a 95% t interval, favourable %
  (per answer, after reverse-coding), n and Cronbach's alpha of each construct.
- :func:`cronbach_alpha`, :func:`respondent_scores`, :func:`reverse_code`, :func:`trend`.
- :class:`AnonymityPolicy`, :func:`may_show_score`, :func:`may_show_comments`,
  :func:`may_show_distribution`: the floors (5, never below 3; 10 for comments).
- :class:`Disclosure` and :func:`allowed_breakdowns`: what one viewer may be shown without
  anyone being found by subtracting one view from others.
- :func:`verify_disclosure`: checks any set of shown groups; every test uses it.
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
from connectwell.stats.coarsen import Attributes, coarsen_attributes, shared_by, verify_coarsening
from connectwell.stats.errors import StatsInputError
from connectwell.stats.scores import (
    MIN_ALPHA_CASES,
    MIN_SPREAD,
    ConstructScore,
    Item,
    Reliability,
    TrendPoint,
    cronbach_alpha,
    respondent_scores,
    reverse_code,
    score_construct,
    score_constructs,
    trend,
    wilson_interval,
)

__all__ = [
    "MIN_ALPHA_CASES",
    "MIN_FLOOR",
    "MIN_SPREAD",
    "AnonymityPolicy",
    "Attributes",
    "ConstructScore",
    "Disclosure",
    "Item",
    "Problem",
    "Reliability",
    "StatsInputError",
    "TrendPoint",
    "allowed_breakdowns",
    "coarsen_attributes",
    "cronbach_alpha",
    "may_show_comments",
    "may_show_distribution",
    "may_show_score",
    "respondent_scores",
    "reverse_code",
    "score_construct",
    "score_constructs",
    "shared_by",
    "trend",
    "verify_coarsening",
    "verify_disclosure",
    "wilson_interval",
]
