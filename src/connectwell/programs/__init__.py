"""Connection programmes: recurring pairings and groups across teams, onboarding buddies,
intros with calendar invites, "did you meet?" follow-ups and micro check-ins."""
