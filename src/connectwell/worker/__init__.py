"""Scheduled work: one explicit list of jobs (jobs.py), run by runner.py."""
