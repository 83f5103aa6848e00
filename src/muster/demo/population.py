"""A synthetic population of service members: no real person's data, realistic repetition.

Deterministic for a seed (only `random.Random(seed)` is used). Names repeat as Venezuelan
names do: a few dozen surnames cover about a third of people, many people share their exact
full name with someone else, and a share of given names are invented in the Venezuelan style.
Serial numbers are `<component>-<7 digits>` (no public source gives a military serial
format; the cédula is the de-facto identifier).
"""

from __future__ import annotations

import csv
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from muster.demo import names_data as nd
from muster.domain.reference import Rank
from muster.domain.roll_import import ROLL_COLUMNS
from muster.reference_data import load_reference

COMPONENT_SHARES = {"EB": 30, "GNB": 28, "AB": 12, "AMB": 10, "MB": 20}  # assumption
CATEGORY_SHARES = {"active": 75, "reserve": 17, "retired_reserve": 8}  # assumption
RANK_CLASS_SHARES = {"enlisted": 55.0, "NCO": 31.0, "officer": 13.95, "general": 0.05}
ON = date(2018, 12, 31)
UNITS = {
    "EB": ("Batallón de Infantería {n}", "Brigada Blindada {n}", "Batallón de Ingenieros {n}"),
    "GNB": ("Destacamento {n} — Comando de Zona {z}", "Comando de Zona {z}",
            "Destacamento de Fronteras {n}"),
    "AB": ("Batallón de Infantería de Marina {n}", "Fragata F-{n}", "Base Naval {z}"),
    "AMB": ("Grupo Aéreo {n}", "Escuadrón {n}", "Base Aérea {z}"),
    "MB": ("Batallón de Milicia {n}", "Agrupación de Milicia {z}"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    """One member of the synthetic roll, as a roll file row holds them."""

    serial_number: str
    national_id: str
    given_names: str
    surnames: str
    birth_date: date
    sex: str
    component: str
    rank: str
    category: str
    unit: str

    def as_row(self) -> list[str]:
        """The person as a roll file row, in the roll import's column order."""
        return [
            self.serial_number,
            self.national_id,
            self.given_names,
            self.surnames,
            self.birth_date.isoformat(),
            self.sex,
            self.component,
            self.rank,
            self.category,
            self.unit,
        ]


def _rare_surnames(count: int) -> list[str]:
    """Invented rare surnames with Spanish shapes, the same every time."""
    rng = random.Random(1811)
    onsets = ("B", "C", "D", "G", "L", "M", "N", "P", "R", "S", "T", "V", "Z", "CH", "BR", "GR")
    vowels = ("A", "E", "I", "O", "U")
    endings = ("EZ", "ERO", "ANO", "ADA", "ILLO", "ETA", "ONA", "AL", "IS", "ÍN", "ÚA", "AZ")
    names: set[str] = set()
    while len(names) < count:
        syllables = "".join(
            rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.randint(1, 2))
        )
        names.add(syllables + rng.choice(endings))
    return sorted(names)


def _surname_table() -> tuple[list[str], list[float]]:
    top = list(nd.TOP_SURNAMES)
    tail = [s for s in dict.fromkeys(nd.TAIL_SURNAMES) if s not in top]
    rare = _rare_surnames(4000)
    parts = []
    for names, share, skew, shift in (
        (top, 34.0, 0.55, 1),
        (tail, 40.0, 0.9, 8),
        (rare, 26.0, 0.4, 1),
    ):
        raw = [1 / (i + shift) ** skew for i in range(len(names))]
        total = sum(raw)
        parts.append((names, [share * w / total for w in raw]))
    names = [n for ns, _ in parts for n in ns]
    weights = [w for _, ws in parts for w in ws]
    return names, list(itertools.accumulate(weights))


SURNAMES, SURNAME_CUM = _surname_table()
_MALE = ([n for n, _ in nd.MALE_GIVEN], list(itertools.accumulate(w for _, w in nd.MALE_GIVEN)))
_FEMALE = (
    [n for n, _ in nd.FEMALE_GIVEN],
    list(itertools.accumulate(w for _, w in nd.FEMALE_GIVEN)),
)


def _pick(rng: random.Random, table: tuple[list[str], Sequence[float]]) -> str:
    return rng.choices(table[0], cum_weights=table[1])[0]


def invented_given_name(rng: random.Random, sex: str) -> str:
    """A given name made up in the Venezuelan style (Yusmary, Wuilmer, Leomaris…)."""
    tails = nd.INVENTED_TAILS_F if sex == "F" else nd.INVENTED_TAILS_M
    return rng.choice(nd.INVENTED_HEADS) + rng.choice(tails)


def draw_given_names(rng: random.Random, sex: str) -> str:
    table = _FEMALE if sex == "F" else _MALE
    first = invented_given_name(rng, sex) if rng.random() < 0.12 else _pick(rng, table)
    if rng.random() < 0.5:
        second = _pick(rng, table)
        if second != first and first != "DEL CARMEN":
            return f"{first} {second}"
    return "MARÍA DEL CARMEN" if first == "DEL CARMEN" else first


def draw_surnames(rng: random.Random, sex: str, age: int) -> str:
    paternal = rng.choices(SURNAMES, cum_weights=SURNAME_CUM)[0]
    if rng.random() < 0.05:
        return paternal
    maternal = rng.choices(SURNAMES, cum_weights=SURNAME_CUM)[0]
    while maternal == paternal:
        maternal = rng.choices(SURNAMES, cum_weights=SURNAME_CUM)[0]
    if sex == "F" and age >= 28 and rng.random() < 0.08:
        return f"{paternal} DE {maternal}"  # a married woman using her husband's surname
    return f"{paternal} {maternal}"


def draw_birth_date(rng: random.Random) -> date:
    """Ages 18–60 on 2018-12-31, more young than old."""
    age_days = int((18 + 42 * rng.random() ** 1.7) * 365.25)
    return ON - timedelta(days=age_days)


def draw_identity(rng: random.Random) -> tuple[str, str, str, date]:
    """Given names, surnames, sex and birth date of one synthetic person."""
    sex = "F" if rng.random() < 0.22 else "M"
    born = draw_birth_date(rng)
    return draw_given_names(rng, sex), draw_surnames(rng, sex, ON.year - born.year), sex, born


def draw_national_id(rng: random.Random, birth_date: date) -> str:
    """A cédula number plausible for the birth year (older people have lower numbers)."""
    if rng.random() < 0.01:
        return f"E-{rng.randint(80_000_000, 85_999_999)}"
    centre = 4_000_000 + (birth_date.year - 1958) * 560_000
    return f"V-{max(1_000_000, int(rng.gauss(centre, 900_000)))}"


def _rank_tables() -> dict[str, tuple[list[str], list[float]]]:
    tables = {}
    reference = load_reference()
    for code in COMPONENT_SHARES:
        ranks: list[Rank] = sorted(
            (r for r in reference.ranks.values() if r.component == code),
            key=lambda r: r.grade_order,
        )
        names, weights = [], []
        for rank_class in ("enlisted", "NCO", "officer"):
            members = [r for r in ranks if r.rank_class == rank_class]
            regular = [
                r for r in members if "General" not in r.name_es and "Almirante" not in r.name_es
            ]
            flags = [r for r in members if r not in regular]
            share = RANK_CLASS_SHARES[rank_class]
            raw = [0.8**i for i in range(len(regular))]
            names += [r.name_es for r in regular]
            weights += [share * w / sum(raw) for w in raw]
            names += [r.name_es for r in flags]
            weights += [RANK_CLASS_SHARES["general"] / max(1, len(flags))] * len(flags)
        tables[code] = (names, list(itertools.accumulate(weights)))
    return tables


def generate_roll(size: int, seed: int) -> list[SyntheticPerson]:
    """`size` synthetic members with unique serial numbers and cédulas."""
    rng = random.Random(seed)
    components = rng.choices(
        list(COMPONENT_SHARES), weights=list(COMPONENT_SHARES.values()), k=size
    )
    ranks = _rank_tables()
    serial_next = {c: rng.randint(100_000, 900_000) for c in COMPONENT_SHARES}
    used_ids: set[str] = set()
    people = []
    for comp in components:
        given, surnames, sex, born = draw_identity(rng)
        nid = draw_national_id(rng, born)
        while nid in used_ids:
            nid = draw_national_id(rng, born)
        used_ids.add(nid)
        serial_next[comp] += rng.randint(1, 3)
        age = ON.year - born.year
        category = _category(rng, age)
        unit = rng.choice(UNITS[comp]).format(n=rng.randint(11, 999), z=rng.randint(11, 99))
        people.append(
            SyntheticPerson(
                f"{comp}-{serial_next[comp]:07d}",
                nid,
                given,
                surnames,
                born,
                sex,
                comp,
                _pick(rng, ranks[comp]),
                category,
                unit,
            )
        )
    return people


def _category(rng: random.Random, age: int) -> str:
    if age >= 45 and rng.random() < 0.35:
        return "retired_reserve"
    return rng.choices(list(CATEGORY_SHARES), weights=list(CATEGORY_SHARES.values()))[0]


def write_roll_csv(path: Path, people: Sequence[SyntheticPerson]) -> None:
    """A roll file (UTF-8 CSV with the roll import's header)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(ROLL_COLUMNS)
        writer.writerows(p.as_row() for p in people)
