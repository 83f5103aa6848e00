"""What the matcher reads: a traveler as presented and a member as the roll holds them.

Raw text in, `Identity` out; odd values (no sex, an ID without its letter, an unreadable date)
become missing and are named in `notes`, never an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from muster.matching.normalize import (
    attribute_value,
    cedula_from_document,
    parse_birth_date,
    parse_name,
    parse_national_id,
    parse_sex,
)
from muster.matching.scoring import Identity


def attributes_of(attributes: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Other identifying attributes as compared: (name, `attribute_value`) sorted by name,
    names stripped, blank values left out."""
    found = ((name.strip(), attribute_value(value)) for name, value in attributes.items())
    return tuple(sorted((name, value) for name, value in found if name and value))


@dataclass(frozen=True, slots=True)
class Traveler:
    """A traveler as presented at the post; every field but the names may be blank.

    `attributes`: other identifying attributes the traveler's document or record carries (a
    place of birth, an address, a postcode), by name; compared with the member's under the
    same name when both are given (docs/matching.md). `document_number_field`: where the
    document number was read (a zone's personal number, a typed field), named in the reasons
    when it is the cédula.
    """

    given_names: str
    surnames: str
    birth_date: str = ""
    national_id: str = ""
    document_number: str = ""
    sex: str = ""
    traveler_id: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict, hash=False)
    document_number_field: str = "document number"

    def identity(self) -> tuple[Identity, tuple[str, ...]]:
        """The traveler as an identity to compare, and notes on the values that were ignored."""
        notes: list[str] = []
        born = parse_birth_date(self.birth_date)
        nid = parse_national_id(self.national_id)
        sex = parse_sex(self.sex)
        national_id = nid.value
        if national_id is None and self.document_number.strip():
            national_id = cedula_from_document(self.document_number)
        for note in (born.note, nid.note, sex.note):
            if note:
                notes.append(note)
        if not (self.given_names.strip() or self.surnames.strip()):
            notes.append("no name given")
        name = parse_name(self.given_names, self.surnames)
        identity = Identity(
            name,
            born.value,
            national_id,
            sex.value,
            attributes_of(self.attributes),
            self.document_number_field,
        )
        return identity, tuple(notes)


def last_serial(serial: str | None, former_serials: str | None) -> str:
    """The serial number a member is named by: their own, or (struck off) the last they held
    (`former_serials` is `;`-separated, oldest first)."""
    serial = (serial or "").strip()
    if serial:
        return serial
    held = [s.strip() for s in (former_serials or "").split(";") if s.strip()]
    return held[-1] if held else ""


@dataclass(frozen=True, slots=True)
class Member:
    """A person who is or was on the roll, named by the serial number they last held.

    `key` identifies the person across amendments (the registry's person id; the serial number
    when the roll is a file). `attributes`: other identifying attributes the roll holds for
    them (a place of birth, an address), by name, as on `Traveler`.
    """

    key: str
    serial_number: str
    given_names: str
    surnames: str
    birth_date: str = ""
    national_id: str = ""
    sex: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict, hash=False)

    @classmethod
    def from_roll_row(
        cls, row: dict[str, str], key: str | None = None, former_serials: str = ""
    ) -> Member:
        """A member from a roll row; a struck-off member (no serial) by their last former one."""
        serial = last_serial(row.get("serial_number"), former_serials)
        return cls(
            key or serial,
            serial,
            row.get("given_names") or "",
            row.get("surnames") or "",
            (row.get("birth_date") or "").strip(),
            (row.get("national_id") or "").strip(),
            (row.get("sex") or "").strip(),
        )

    def identity(self) -> Identity:
        """The member as an identity to compare."""
        return Identity(
            parse_name(self.given_names, self.surnames),
            parse_birth_date(self.birth_date).value,
            parse_national_id(self.national_id).value,
            parse_sex(self.sex).value,
            attributes_of(self.attributes),
        )
