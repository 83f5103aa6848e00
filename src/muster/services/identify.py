"""Finding a traveler on the roll: candidates by cédula and birth date, scored by name.

The candidates are the people with the traveler's cédula or birth date (as written, or with
day and month swapped); each is scored with `muster.names.score` and name frequencies learnt
from the roll. Looking travelers up by name alone (no cédula, no birth date) needs the name
index of the matching work, not here yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from muster.domain.national_id import InvalidNationalIdError, normalize_national_id
from muster.names.normalize import parse_name
from muster.names.score import Identity, NameFrequencies, hard_disagreement, score
from muster.store.roll_rows import as_date
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
