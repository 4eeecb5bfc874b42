"""Shout-outs: appreciation between colleagues and teams (respectful engagement and task
enabling), hard to game, with no individual leaderboard by design."""
