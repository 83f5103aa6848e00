"""Accounts, their roles, tokens and sessions, and the limits on logging in."""
