"""Muster: the roll of an armed force, signed orders, a verifiable ledger, exit control."""

__version__ = "0.1.0"
