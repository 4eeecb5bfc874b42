"""Pairing and group formation for connection programmes: a pure library.

Participants, past groups, exclusions and rules in; groups out. It imports only the standard
library, numpy and scipy: nothing of the rest of connectwell, no database, no web.

- :func:`pair_round`: one round of pairs (or groups of 3 to 5), nobody ever dropped.
- :func:`assign_buddies`: onboarding buddies for new hires.
- :func:`verify` and :func:`verify_buddies`: check any result; every test uses them.
- :func:`run_pair`: the engine of ``connectwell pair`` on CSV files.
"""

from connectwell.matching.buddies import BuddyResult, assign_buddies, verify_buddies
from connectwell.matching.csv_io import PairSummary, read_people, run_pair
from connectwell.matching.model import (
    HistoryTable,
    InvalidResultError,
    MatchingInputError,
    Participant,
    PastGroup,
    Result,
    Rules,
)
from connectwell.matching.rounds import pair_round
from connectwell.matching.verify import Report, verify

__all__ = [
    "BuddyResult",
    "HistoryTable",
    "InvalidResultError",
    "MatchingInputError",
    "PairSummary",
    "Participant",
    "PastGroup",
    "Report",
    "Result",
    "Rules",
    "assign_buddies",
    "pair_round",
    "read_people",
    "run_pair",
    "verify",
    "verify_buddies",
]
