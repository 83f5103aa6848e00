"""The synthetic population: deterministic, valid against the reference, names that repeat."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from muster.demo import names_data
from muster.demo.population import generate_roll, write_roll_csv
from muster.domain.national_id import normalize_national_id
from muster.domain.roll_import import ROLL_COLUMNS, check_header, check_roll_rows
from muster.reference_data import load_reference


def test_deterministic_for_a_seed() -> None:
    assert generate_roll(500, 7) == generate_roll(500, 7)
    assert generate_roll(500, 7) != generate_roll(500, 8)


def test_unique_identifiers_and_valid_values(tmp_path: Path) -> None:
    people = generate_roll(5_000, 1)
    assert len({p.serial_number for p in people}) == len(people)
    assert len({p.national_id for p in people}) == len(people)
    assert all(normalize_national_id(p.national_id) == p.national_id for p in people)
    path = tmp_path / "roll.csv"
    write_roll_csv(path, people)
    import csv

    with path.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == ROLL_COLUMNS
    checked = check_roll_rows(
        rows[1:], check_header(rows[0], "roll.csv"), load_reference(), source="roll.csv"
    )
    assert len(checked) == len(people)  # every row passes the import's own checks


def test_names_repeat_like_venezuelan_names() -> None:
    people = generate_roll(50_000, 2018)
    top = set(names_data.TOP_SURNAMES)
    share = sum(p.surnames.split()[0] in top for p in people) / len(people)
    assert 0.25 <= share <= 0.40  # 32% of voters bore one of 40 surnames
    full = Counter((p.given_names, p.surnames) for p in people)
    repeated = sum(n for n in full.values() if n > 1) / len(people)
    assert repeated > 0.005
    components = Counter(p.component for p in people)
    assert set(components) == {"EB", "AB", "AMB", "GNB", "MB"}
    assert any(p.surnames.count(" DE ") for p in people)  # married women's "DE <husband>"
