"""What one compared field says: typed values the verdict is decided on, and text to read.

The scorer and the verdict decide on `Evidence.field` and `Evidence.kind` only; `label` and
`how` are the reason an officer reads, so rewording a reason never changes a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Field(StrEnum):
    """The field a piece of evidence compares."""

    GIVEN_NAME = "given name"  # the traveler's first given name (or two words read as one)
    SECOND_GIVEN_NAME = "second given name"
    GIVEN_NAMES = "given names"  # none shown
    SURNAME = "surname"  # one surname, or a surname not shown
    SURNAMES = "surnames"  # the surnames together (what a family bears)
    MARRIED_NAME = "married name"
    FULL_NAME = "full name"
    NAME_FIELDS = "given names and surnames"  # written in each other's fields
    CEDULA = "cédula"
    BIRTH_DATE = "birth date"
    SEX = "sex"
    ATTRIBUTE = "attribute"  # another identifying attribute, named in the label


class Kind(StrEnum):
    """What the comparison found: a name word's agreement (`NAME`, its weight says how much),
    or a fact (the keys of `scoring.LLR`), a cap or an attribute."""

    NAME = ""
    GIVEN_AS_SECOND = "given_as_second"  # the traveler's first given name, the member's second
    SURNAME_ABSENT = "surname_absent"
    GIVEN_DIFFERS = "given_differs"
    GIVEN_UNCLEAR = "given_unclear"
    SWAP = "swap"
    FAMILY_CAP = "family_cap"
    NAME_CAP = "name_cap"
    CEDULA_EXACT = "cedula_exact"
    CEDULA_NEAR = "cedula_near"
    CEDULA_DIFFERS = "cedula_differs"
    BIRTH_EXACT = "birth_exact"
    BIRTH_SWAPPED = "birth_swapped"
    BIRTH_NEAR = "birth_near"
    BIRTH_DIFFERS = "birth_differs"
    SEX_DIFFERS = "sex_differs"
    ATTRIBUTE_AGREES = "attribute_agrees"
    ATTRIBUTE_DIFFERS = "attribute_differs"


NAME_KINDS = frozenset({Kind.NAME, Kind.GIVEN_AS_SECOND})  # a name word compared


@dataclass(frozen=True, slots=True)
class Evidence:
    """One compared field: what, how it agreed, and its contribution to the log-odds.

    `label` names the field as the officer reads it, with the value shown (`surname PÉREZ`);
    `how` says how it agreed. Both are text only.
    """

    field: Field
    label: str
    how: str
    weight: float
    kind: Kind = Kind.NAME

    def __str__(self) -> str:
        return f"{self.label} {self.how} ({self.weight:+.1f})"

    @property
    def name_agrees(self) -> bool:
        """A name word agrees (and counts for)."""
        return self.kind in NAME_KINDS and self.weight > 0
