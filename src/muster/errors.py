"""The root of every error Muster reports to a person."""


class MusterError(Exception):
    """Root of every error Muster reports to a person; the message says what failed and why."""
