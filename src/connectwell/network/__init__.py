"""The connection network: who connects with whom, and how siloed the organisation is.

A pure library: it imports only the standard library, numpy and scipy, nothing of the rest of
connectwell, no database, no web. People are the integers ``0 .. n - 1`` with a team label
each; interactions (a met pairing, a shout-out, help given, an event shared) are arrays.

- :func:`build_network`: validate the arrays and compile the sparse tie matrices.
- :func:`isolation`, :func:`recent_connection_counts`: who had at most one connection lately.
- :func:`team_ties`: each team's internal and external ties, cross-team ratio, E-I index.
- :func:`team_modularity`: Newman's modularity of the team partition (silo-ness).
- :func:`reciprocity`: reciprocity of appreciation (shout-outs).
- :func:`bridging_teams`: teams whose members connect the most other teams.
- :func:`connections_of`: a person's own connections, for their own view.
- :func:`measure`: all of the above at once; :func:`verify` checks any result.
- :func:`plan_counts`, :func:`count_bands`, :func:`share_band`: counts of people with a status
  (few recorded connections) in bands that tell nobody's status; :func:`consistent_counts` and
  :func:`band_problems` check a publication by brute force.
"""

from connectwell.network.bands import (
    PARTS,
    Band,
    CountPlan,
    band_problems,
    consistent_counts,
    count_bands,
    plan_counts,
    share_band,
)
from connectwell.network.measures import (
    Bridging,
    Isolation,
    Modularity,
    NetworkMeasures,
    PersonConnections,
    Reciprocity,
    TeamTies,
    bridging_teams,
    connections_of,
    isolation,
    measure,
    recent_connection_counts,
    reciprocity,
    team_modularity,
    team_ties,
)
from connectwell.network.model import (
    HALF_LIFE_DAYS,
    KINDS,
    WINDOW_DAYS,
    Network,
    NetworkInputError,
    Ties,
    build_network,
)
from connectwell.network.verify import InvalidMeasuresError, Report, verify

__all__ = [
    "HALF_LIFE_DAYS",
    "KINDS",
    "PARTS",
    "WINDOW_DAYS",
    "Band",
    "Bridging",
    "CountPlan",
    "InvalidMeasuresError",
    "Isolation",
    "Modularity",
    "Network",
    "NetworkInputError",
    "NetworkMeasures",
    "PersonConnections",
    "Reciprocity",
    "Report",
    "TeamTies",
    "Ties",
    "band_problems",
    "bridging_teams",
    "build_network",
    "connections_of",
    "consistent_counts",
    "count_bands",
    "isolation",
    "measure",
    "plan_counts",
    "recent_connection_counts",
    "reciprocity",
    "share_band",
    "team_modularity",
    "team_ties",
    "verify",
]
