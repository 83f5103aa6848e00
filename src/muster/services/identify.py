"""Finding a traveler on the roll by exact identifiers, while the Venezuelan name matcher
(issue 4) is not yet wired in: a cédula, or the full name with the birth date.

It never guesses: a cédula on the roll whose name disagrees, or a full name and birth date
shared by several people, is `possible` (referred, never denied); nothing else found is
`no_match`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Connection

from muster.domain.national_id import InvalidNationalIdError, normalize_national_id
from muster.domain.reference import fold_text
from muster.store.roll_rows import as_date, name_key
from muster.store.tables import roll


@dataclass(frozen=True)
class Traveler:
    """What the traveler presents, typed or read from a document."""

    given_names: str
    surnames: str
    birth_date: date | None = None
    national_id: str | None = None
    document_number: str | None = None
    nationality: str | None = None


@dataclass(frozen=True)
class Identification:
    """Who the traveler is on the roll, how sure, and why."""

    verdict: str  # match, possible, no_match
    score: float
    person_id: int | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, object]:
        return {"verdict": self.verdict, "score": self.score, "reasons": list(self.reasons)}


def cedula_of(traveler: Traveler) -> str | None:
    """The traveler's cédula, from the typed field or a document number that is one."""
    for text in (traveler.national_id, traveler.document_number):
        if text:
            try:
                return normalize_national_id(text)
            except InvalidNationalIdError:
                continue
    return None


class ExactIdentityLookup:
    """Identifies travelers by cédula, or by full name and birth date, against the roll."""

    def identify(self, conn: Connection, traveler: Traveler) -> Identification:
        cedula = cedula_of(traveler)
        wanted = fold_text(f"{traveler.given_names} {traveler.surnames}")
        if cedula is not None:
            row = conn.execute(
                select(
                    roll.c.person_id, roll.c.given_names, roll.c.surnames, roll.c.birth_date
                ).where(roll.c.national_id == cedula)
            ).first()
            if row is not None:
                same_name = name_key(row.given_names, row.surnames) == wanted
                same_birth = traveler.birth_date in (None, as_date(row.birth_date))
                if same_name and same_birth:
                    return Identification(
                        "match",
                        0.99,
                        int(row.person_id),
                        (
                            f"cédula {cedula} on the roll",
                            "full name agrees",
                            "birth date agrees" if traveler.birth_date else "no birth date given",
                        ),
                    )
                return Identification(
                    "possible",
                    0.6,
                    int(row.person_id),
                    (
                        f"cédula {cedula} on the roll",
                        "full name differs" if not same_name else "birth date differs",
                    ),
                )
        if traveler.birth_date is None:
            return Identification(
                "no_match",
                0.0,
                None,
                ("no cédula on the roll and no birth date to compare names with",),
            )
        rows = conn.execute(
            select(roll.c.person_id).where(
                roll.c.name_key == wanted, roll.c.birth_date == traveler.birth_date
            )
        ).all()
        if len(rows) == 1:
            return Identification(
                "possible" if cedula else "match",
                0.9,
                int(rows[0][0]),
                (
                    "full name and birth date agree",
                    "no cédula to confirm" if not cedula else f"cédula {cedula} differs",
                ),
            )
        if len(rows) > 1:
            return Identification(
                "possible",
                0.5,
                int(rows[0][0]),
                (f"{len(rows)} people share this full name and birth date",),
            )
        return Identification(
            "no_match",
            0.0,
            None,
            ("no one on the roll has this cédula, or this full name and birth date",),
        )
