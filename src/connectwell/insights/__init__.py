"""Team insights: the three HQC elements, the four pathways and the team climate, as scores
that respect the anonymity rules everywhere, computed on a schedule and read by pages, the API
and the CSV export alike."""
