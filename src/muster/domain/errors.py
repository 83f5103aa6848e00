"""Errors of the registry's rules: each names the objects involved and says what was expected."""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self

from muster.errors import MusterError


class RefusedError(MusterError):
    """Raised when the registry refuses a request by its rules; nothing is written."""


FieldNamer = Callable[[str], str]


def field_path(path: str) -> str:
    """A field as the registry names it: its path in the request (`subjects`,
    `changes.birth_date`, `limit`), which is also its JSON name in the API."""
    return path


class _Wording(string.Formatter):
    """Fills a message's field places with each field as its reader knows it, and its other
    places with the parameters (never parsed themselves: a value may hold braces)."""

    def __init__(self, fields: Mapping[str, str], name: FieldNamer) -> None:
        super().__init__()
        self.fields, self.name = fields, name

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if field_name in self.fields:  # a path such as `changes.sex`, taken whole
            return self.name(self.fields[field_name]), field_name
        return kwargs[field_name], field_name


def literal(text: str) -> str:
    """Text put into a message template as it is (its braces are not places to fill)."""
    return text.replace("{", "{{").replace("}", "}}")


class InvalidInputError(MusterError):
    """Raised when input (a file, a field, an option) is malformed; nothing is written.

    A message about fields of a request is a template naming them in braces: `fields` are
    their paths (`"{limit} {value}: expected a positive number"` with `fields=("limit",)`,
    `value=0`), or a place's name and the path it stands for (`"{field}: unknown field"`
    with `fields={"field": "changes.rank"}`). The registry's own wording names each field by
    its path (`field_path`); `worded` lets the CLI name it by its option (`--limit`, `--set
    rank`) and the API by its JSON field. `params` fill the other places.
    """

    def __init__(
        self, message: str, *, fields: Sequence[str] | Mapping[str, str] = (), **params: Any
    ) -> None:
        self.template, self.params = message, params
        self.places = dict(fields) if isinstance(fields, Mapping) else {f: f for f in fields}
        super().__init__(self.worded())

    @property
    def fields(self) -> list[str]:
        """The paths of the fields the message names, in its order."""
        return list(dict.fromkeys(self.places.values()))

    def worded(self, name: FieldNamer = field_path) -> str:
        """The message, each field named by `name`."""
        if not self.places and not self.params:
            return self.template
        return _Wording(self.places, name).format(self.template, **self.params)


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


class DraftClosedError(RefusedError):
    """Raised when a draft withdrawn or declined is signed, withdrawn or declined (409): a
    closed draft stays as it was closed."""

    def __init__(
        self, draft_id: str, closed_as: str, closed_by: str, closed_at: str | None = None
    ) -> None:
        self.draft_id, self.closed_as, self.closed_by = draft_id, closed_as, closed_by
        self.closed_at = closed_at
        super().__init__(
            f"draft {draft_id} was {closed_as} by {closed_by}: it is no longer signed or closed"
        )


class DraftNotYoursError(RefusedError):
    """Raised when an account closes a draft it may not (403): only whoever drafted it
    withdraws it, and only the authority it awaits declines it."""


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

    def __init__(
        self,
        number: str,
        problems: list[str],
        shown: int = 50,
        causes: Sequence[tuple[str, RefusedError]] = (),
    ) -> None:
        # causes: each refused subject's reference with the rule's own error, for a reader
        # that words them in another language
        self.number, self.problems, self.causes = number, list(problems), list(causes)
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
