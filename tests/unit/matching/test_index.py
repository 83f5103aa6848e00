"""The index follows the roll without a rebuild, saves without pickle, checks its digest."""

from __future__ import annotations

from pathlib import Path

import pytest

from muster.errors import MusterError
from muster.matching import Matcher, Member, Traveler, Verdict
from muster.matching.records import Member as M

ROLL = [
    M("1", "EB-0000001", "PEDRO JOSÉ", "MARCANO SUCRE", "1980-01-02", "V-9000001", "M"),
    M("2", "GNB-0000002", "YUSMARY", "ARGÜELLO ZAMBRANO", "1990-11-07", "V-18000111", "F"),
]


def test_enlistment_amendment_and_strike_off_without_rebuild() -> None:
    matcher = Matcher.from_members(ROLL)
    newcomer = M("3", "AB-0000003", "WILMER", "GONZÁLEZ PÉREZ", "1992-08-30", "V-20000111", "M")
    assert (
        matcher.match(Traveler("WILMER", "GONZALEZ PEREZ", "1992-08-30")).verdict
        is Verdict.NO_MATCH
    )
    matcher.add(newcomer)
    assert (
        matcher.match(Traveler("WILMER", "GONZALEZ PEREZ", "1992-08-30")).serial_number
        == "AB-0000003"
    )
    married = M("2", "GNB-0000002", "YUSMARY", "ARGÜELLO DE ROJAS", "1990-11-07", "V-18000111", "F")
    matcher.update(married)
    assert (
        matcher.match(Traveler("YUSMARY", "ARGUELLO DE ROJAS", "1990-11-07")).verdict
        is Verdict.MATCH
    )
    struck = Member.from_roll_row(
        {"serial_number": "", "given_names": "PEDRO JOSÉ", "surnames": "MARCANO SUCRE",
         "birth_date": "1980-01-02", "national_id": "V-9000001", "sex": "M"},
        key="1", former_serials="EB-0000000;EB-0000001",
    )  # fmt: skip
    matcher.update(struck)
    result = matcher.match(Traveler("PEDRO", "MARCANO", "02/01/1980"))
    assert (result.verdict, result.serial_number) == (Verdict.MATCH, "EB-0000001")
    assert len(matcher.index) == 3


def test_saved_index_loads_with_same_answers_and_refuses_tampering(tmp_path: Path) -> None:
    matcher = Matcher.from_members(ROLL)
    matcher.add(M("3", "AB-0000003", "WILMER", "GONZÁLEZ PÉREZ", "1992-08-30", "V-20000111", "M"))
    path = tmp_path / "roll.npz"
    matcher.save(path)
    loaded = Matcher.load(path)
    for t in (Traveler("WILMER", "GONZALEZ", "1992-08-30"), Traveler("IUSMARY", "ARGUELLO", "")):
        assert loaded.match(t) == matcher.match(t)
    data = bytearray(path.read_bytes())
    data[-10] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(MusterError, match="digest"):
        Matcher.load(path)


def test_pure_modules_import_only_stdlib_and_domain() -> None:
    import ast
    import sys

    src = Path(__file__).resolve().parents[3] / "src" / "muster" / "matching"
    for module in ("normalize", "words", "scoring", "verdict", "keys", "records"):
        tree = ast.parse((src / f"{module}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                top = node.module.split(".")[0]
                assert (
                    top in sys.stdlib_module_names
                    or top == "__future__"
                    or node.module.startswith(("muster.matching", "muster.domain", "muster.errors"))
                ), f"{module} imports {node.module}"
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] in sys.stdlib_module_names for a in node.names)
