"""People and teams: the roster, profiles, pauses, and who leads which team."""
