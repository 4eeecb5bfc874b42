"""Accounts: passwords, sign-in sessions, API tokens, invitations and password resets."""
