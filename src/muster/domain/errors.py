"""Errors of the registry's rules: each names the objects involved and says what was expected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

from muster.errors import MusterError


class RefusedError(MusterError):
    """Raised when the registry refuses a request by its rules; nothing is written."""


class InvalidInputError(MusterError):
    """Raised when input (a file, a field, an option) is malformed; nothing is written."""


class VerificationError(MusterError):
    """Raised when the ledger or a projection fails verification."""


class NotFoundError(MusterError):
    """Raised when a person, order or authority asked for does not exist."""


class TransitionRefusedError(RefusedError):
    """Raised when an order would move a person's status in a way the rules forbid."""

    def __init__(self, kind: str, who: str, status: str, allowed: tuple[str, ...], on: str) -> None:
        self.kind, self.who, self.status, self.allowed = kind, who, status, allowed
        super().__init__(
            f"{kind} refused for {who}: status on {on} is {status!r}, "
            f"but {kind} applies only to {' or '.join(repr(a) for a in allowed)}"
        )


class OrderOutOfScopeError(RefusedError):
    """Raised when an authority signs an order kind or component outside its scope."""


class OrderNumberTakenError(RefusedError):
    """Raised when an order number is already used in this registry."""

    def __init__(self, number: str) -> None:
        self.number = number
        super().__init__(
            f"order number {number!r} is already recorded in this registry; "
            "order numbers are unique regardless of case: choose another"
        )


class SignatureError(RefusedError):
    """Raised when an order's signature does not verify, or its key is unknown or revoked."""


@dataclass(frozen=True, slots=True)
class SubjectProblem:
    """One refused subject of an order: its line in the subjects file, the text, why."""

    line: int | None
    ref: str
    problem: str

    def __str__(self) -> str:
        where = "" if self.line is None else f"line {self.line}: "
        return f"{where}{self.ref!r}: {self.problem}"


class _SubjectsError(MusterError):
    """Lists every refused subject (a summary of at most `shown` of them in the message)."""

    def __init__(
        self, message: str, problems: Sequence[SubjectProblem] = (), source: str | None = None
    ) -> None:
        self.problems, self.source = list(problems), source
        super().__init__(message)

    @classmethod
    def listing(cls, source: str, problems: Sequence[SubjectProblem], shown: int = 50) -> Self:
        lines = [str(p) for p in problems[:shown]]
        if len(problems) > shown:
            lines.append(f"… and {len(problems) - shown} more (use --json for the full list)")
        return cls(
            f"{source}: {len(problems)} subject(s) refused, nothing recorded:\n  "
            + "\n  ".join(lines),
            problems,
            source,
        )


class UnknownSubjectError(_SubjectsError, RefusedError):
    """Raised when an order names a subject that is not on the roll (the problems list every
    refused subject, duplicates included)."""


class DuplicateSubjectError(_SubjectsError, InvalidInputError):
    """Raised when a subject list names the same person twice."""


class SubjectsRefusedError(RefusedError):
    """Raised when an order's rules refuse some of its subjects: every one is named (the
    message shows the first `shown`; `problems` holds them all)."""

    def __init__(self, number: str, problems: list[str], shown: int = 50) -> None:
        self.number, self.problems = number, list(problems)
        lines = self.problems[:shown]
        if len(self.problems) > shown:
            lines.append(f"… and {len(self.problems) - shown} more (use --json for the full list)")
        super().__init__(
            f"order {number} refused for {len(self.problems)} subject(s), nothing recorded:\n  "
            + "\n  ".join(lines)
        )


class AmbiguousOrderNumberError(RefusedError):
    """Raised when one order is needed and a number names several: orders recorded before
    numbers were folded whose numbers differ only in case."""

    def __init__(self, number: str, held: list[tuple[str, int]]) -> None:
        self.number, self.held = number, held
        named = ", ".join(f"{n} (ledger entry {seq})" for n, seq in held)
        super().__init__(
            f"order number {number!r} names {len(held)} orders whose numbers differ only "
            f"in case: {named}; they were recorded before order numbers were unique "
            "regardless of case, and a number cannot tell them apart"
        )


class AmbiguousSubjectError(RefusedError):
    """Raised when a serial number names several people: serial numbers enlisted before they
    were folded that differ only in case."""
