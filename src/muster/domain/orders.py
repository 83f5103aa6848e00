"""Orders: what an authority signs, in a form that maps one-to-one onto canonical JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from muster.domain.errors import (
    DuplicateSubjectError,
    InvalidInputError,
    SubjectProblem,
    literal,
)
from muster.domain.kinds import AMENDABLE_FIELDS, Category, OrderKind
from muster.domain.national_id import InvalidNationalIdError, normalize_national_id
from muster.errors import with_article

ORDER_FORMAT = 1  # version of the signed order shape; a new shape gets an upcaster


@dataclass(frozen=True, slots=True)
class SubjectDigest:
    """A subject list included in an order by its size and SHA-256 digest."""

    count: int
    sha256: str


@dataclass(frozen=True, slots=True)
class OrderContent:
    """The content of an order exactly as signed: every field is in the canonical bytes."""

    registry: str
    kind: OrderKind
    number: str
    authority: str
    signed_on: date
    effective: date
    grounds: str = ""
    subjects: SubjectDigest | None = None
    category: Category | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    revokes: str | None = None
    rules: Mapping[str, Any] | None = None
    changes: Mapping[str, str] = field(default_factory=dict)
    previous: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON object whose RFC 8785 form is signed."""
        obj: dict[str, Any] = {
            "muster_order": ORDER_FORMAT,
            "registry": self.registry,
            "kind": self.kind.value,
            "number": self.number,
            "authority": self.authority,
            "signed_on": self.signed_on.isoformat(),
            "effective": self.effective.isoformat(),
            "grounds": self.grounds,
        }
        if self.subjects is not None:
            obj["subjects"] = {"count": self.subjects.count, "sha256": self.subjects.sha256}
        if self.category is not None:
            obj["category"] = self.category.value
        if self.valid_from is not None:
            obj["valid_from"] = self.valid_from.isoformat()
        if self.valid_until is not None:
            obj["valid_until"] = self.valid_until.isoformat()
        if self.revokes is not None:
            obj["revokes"] = self.revokes
        if self.rules is not None:
            obj["rules"] = dict(self.rules)
        if self.changes:
            obj["changes"] = dict(self.changes)
            obj["previous"] = dict(self.previous)
        return obj

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> OrderContent:
        """Read back a signed order's JSON object; raises on an unknown shape."""
        version = obj.get("muster_order")
        if version != ORDER_FORMAT:
            raise InvalidInputError(f"unknown order format version {version!r}")

        def day(key: str) -> date | None:
            value = obj.get(key)
            return None if value is None else date.fromisoformat(value)

        subjects = obj.get("subjects")
        category = obj.get("category")
        return cls(
            registry=obj["registry"],
            kind=OrderKind(obj["kind"]),
            number=obj["number"],
            authority=obj["authority"],
            signed_on=date.fromisoformat(obj["signed_on"]),
            effective=date.fromisoformat(obj["effective"]),
            grounds=obj.get("grounds", ""),
            subjects=None if subjects is None else SubjectDigest(**subjects),
            category=None if category is None else Category(category),
            valid_from=day("valid_from"),
            valid_until=day("valid_until"),
            revokes=obj.get("revokes"),
            rules=obj.get("rules"),
            changes=obj.get("changes", {}),
            previous=obj.get("previous", {}),
        )


EARLIEST_ORDER_DATE = date(1900, 1, 1)


def check_order_dates(number: str, signed_on: date, effective: date, recorded_on: date) -> None:
    """Refuses an order signed after the day it is recorded, or dated before 1900; an
    effective date after the recording day is allowed (the order is scheduled)."""
    problems = []
    for name, day in (("signed_on", signed_on), ("effective", effective)):
        if day < EARLIEST_ORDER_DATE:
            problems.append(
                f"{name} {day.isoformat()} is before {EARLIEST_ORDER_DATE.isoformat()}: "
                "expected a date from 1900 on"
            )
    if signed_on > recorded_on:
        problems.append(
            f"signed_on {signed_on.isoformat()} is after {recorded_on.isoformat()}, the day it "
            "is recorded: an order cannot be signed in the future (a later effective date is "
            "allowed, and schedules it)"
        )
    if problems:
        raise InvalidInputError(f"order {number!r} refused: " + "; ".join(problems))


def check_order_fields(content: OrderContent) -> None:
    """Refuses an order whose fields do not fit its kind, naming every problem (and every
    field involved, for the CLI and API to word)."""
    kind, problems, fields = content.kind, [], []
    if not content.number.strip() or content.number != content.number.strip():
        problems.append("the order number must be non-empty text without surrounding spaces")
    if content.effective < content.signed_on and kind is OrderKind.EXIT_CONTROL:
        problems.append("an exit-control directive cannot take effect before it is signed")
    wants = {
        "subjects": kind.has_subjects,
        "category": kind is OrderKind.CATEGORY_CHANGE,
        "valid_from": kind is OrderKind.TRAVEL_AUTHORIZATION,
        "valid_until": kind is OrderKind.TRAVEL_AUTHORIZATION,
        "revokes": kind is OrderKind.REVOCATION,
        "rules": kind is OrderKind.EXIT_CONTROL,
        "changes": kind is OrderKind.AMENDMENT,
    }
    for name, wanted in wants.items():
        value = getattr(content, name)
        present = bool(value) if name == "changes" else value is not None
        if wanted != present:
            verb = "needs" if wanted else "takes no"
            problems.append(f"{with_article(kind.value)} order {verb} {{{name}}}")
            fields.append(name)
    if content.valid_from and content.valid_until and content.valid_until < content.valid_from:
        problems.append("{valid_until} is before {valid_from}")
        fields.extend(("valid_until", "valid_from"))
    for name in content.changes:
        if name not in AMENDABLE_FIELDS:
            problems.append(
                literal(f"field {name!r} cannot be amended; expected one of ")
                + ", ".join(AMENDABLE_FIELDS)
            )
    if problems:
        raise InvalidInputError(
            "order {number!r} refused: " + "; ".join(problems),
            fields=list(dict.fromkeys(fields)),
            number=content.number,
        )


def parse_subject_lines(text: str, source: str) -> list[str]:
    """Subject references from a file's text: one serial number or cédula per line.

    A byte-order mark, CRLF line ends and blank lines are tolerated; the same person named
    twice (in any cédula form) is refused.
    """
    refs: list[str] = []
    seen: dict[str, int] = {}
    duplicates = []
    for line_no, ref in subject_lines(text, source):
        key = subject_key(ref)
        if key in seen:
            duplicates.append(SubjectProblem(line_no, ref, f"repeats line {seen[key]}"))
            continue
        seen[key] = line_no
        refs.append(ref)
    if duplicates:
        raise DuplicateSubjectError.listing(source, duplicates)
    return refs


def subject_lines(text: str, source: str) -> list[tuple[int, str]]:
    """Each non-blank line of a subjects file with its number (a byte-order mark and CRLF line
    ends tolerated); refused if there is none."""
    found = [
        (line_no, raw.strip())
        for line_no, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1)
        if raw.strip()
    ]
    if not found:
        raise InvalidInputError(
            f"{source}: no subjects (expected one serial number or cédula per line)"
        )
    return found


def subject_key(ref: str) -> str:
    """How a subject reference is compared: a cédula in canonical form, else the text."""
    try:
        return normalize_national_id(ref)
    except InvalidNationalIdError:
        return ref.strip()
