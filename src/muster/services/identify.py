"""Finding a traveler on the roll by exact identifiers, while the Venezuelan name matcher
(issue 4) is not yet wired in: a cédula, or the full name with the birth date.

It never guesses: a cédula on the roll whose name disagrees, or a full name and birth date
shared by several people, is `possible` (referred, never denied); nothing else found is
`no_match`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from muster.domain.national_id import InvalidNationalIdError, normalize_national_id
from muster.domain.reference import fold_text
from muster.names.normalize import parse_name
from muster.names.score import Identity, NameFrequencies, hard_disagreement, score
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
    from_mrz: bool = False  # the name was read from a machine-readable zone


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


class ScoredLookup:
    """Candidates by cédula and by birth date (as written, or day and month swapped), each
    scored with name frequencies learnt from the roll; the best one decides the verdict."""

    def __init__(self, frequencies: NameFrequencies) -> None:
        self.frequencies = frequencies

    @classmethod
    def from_roll(cls, conn: Connection) -> ScoredLookup:
        """Learn name frequencies from everyone on the roll."""
        table = NameFrequencies()
        for given, surnames in conn.execute(select(roll.c.given_names, roll.c.surnames)):
            table.add(parse_name(given, surnames))
        return cls(table)

    def identify(self, conn: Connection, traveler: Traveler) -> Identification:
        cedula = cedula_of(traveler)
        conditions = []
        if cedula is not None:
            conditions.append(roll.c.national_id == cedula)
        born = traveler.birth_date
        if born is not None:
            days = {born}
            if born.day <= 12 and born.day != born.month:
                days.add(born.replace(month=born.day, day=born.month))
            conditions.append(roll.c.birth_date.in_(days))
        if not conditions:
            return Identification(
                "no_match",
                0.0,
                None,
                ("neither a cédula nor a birth date to look the traveler up by",),
            )
        rows = conn.execute(
            select(
                roll.c.person_id,
                roll.c.given_names,
                roll.c.surnames,
                roll.c.birth_date,
                roll.c.national_id,
                roll.c.sex,
            ).where(or_(*conditions))
        ).all()
        me = Identity(
            parse_name(traveler.given_names, traveler.surnames, mrz=traveler.from_mrz), born, cedula
        )
        ranked = sorted(
            (
                (
                    score(
                        me,
                        Identity(
                            parse_name(r.given_names, r.surnames),
                            as_date(r.birth_date),
                            r.national_id,
                            r.sex,
                        ),
                        self.frequencies,
                    ),
                    int(r.person_id),
                )
                for r in rows
            ),
            key=lambda pair: (-pair[0].score, pair[1]),
        )
        if not ranked or ranked[0][0].verdict == "no_match":
            return Identification(
                "no_match",
                ranked[0][0].score if ranked else 0.0,
                None,
                ("no one on the roll is close enough",),
            )
        best, pid = ranked[0]
        reasons = [str(f) for f in best.features]
        verdict = best.verdict
        runner = ranked[1][0] if len(ranked) > 1 else None
        # A runner-up who differs in cédula or first given name is another person, not a
        # doubt about this one; only a genuine alternative makes the verdict uncertain.
        if (
            runner is not None
            and runner.verdict != "no_match"
            and not any(hard_disagreement(f) for f in runner.features)
        ):
            verdict = "possible"
            reasons.append(f"runner-up person {ranked[1][1]} scores {runner.score:.2f}")
        return Identification(verdict, best.score, pid, tuple(reasons))
