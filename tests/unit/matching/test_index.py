"""The index follows the roll without a rebuild, saves without pickle, checks its digest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from muster.errors import MusterError
from muster.matching import Matcher, Member, NameFrequencies, Traveler, Verdict
from muster.matching.columns import RollColumns
from muster.matching.hashes import ROW_BITS, key_hash
from muster.matching.index import CandidateIndex
from muster.matching.index_file import VERSION, IndexFileError
from muster.matching.keys import member_keys
from muster.matching.records import Member as M
from muster.matching.words import edit_distance

ROLL = [
    M("1", "EB-0000001", "PEDRO JOSÉ", "MARCANO SUCRE", "1980-01-02", "V-9000001", "M"),
    M("2", "GNB-0000002", "YUSMARY", "ARGÜELLO ZAMBRANO", "1990-11-07", "V-18000111", "F"),
]


def test_enlistment_amendment_and_strike_off_without_rebuild() -> None:
    """One method, `add`, files an enlistment and an amendment alike (the same key replaces)."""
    matcher = Matcher.from_members(ROLL)
    assert not hasattr(matcher, "update") and not hasattr(matcher.index, "update")
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
    matcher.add(married)
    assert (
        matcher.match(Traveler("YUSMARY", "ARGUELLO DE ROJAS", "1990-11-07")).verdict
        is Verdict.MATCH
    )
    struck = Member.from_roll_row(
        {"serial_number": "", "given_names": "PEDRO JOSÉ", "surnames": "MARCANO SUCRE",
         "birth_date": "1980-01-02", "national_id": "V-9000001", "sex": "M"},
        key="1", former_serials="EB-0000000;EB-0000001",
    )  # fmt: skip
    matcher.add(struck)
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
    for module in ("normalize", "words", "near", "evidence", "frequencies", "scoring", "verdict",
                   "keys", "records"):  # fmt: skip
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


ODD_ROLL = [
    *ROLL,
    M("4", "AB-0000004", "MARÍA DEL CARMEN", "DE LA CRUZ DE LOS SANTOS DE PÉREZ", "1975-05-06",
      "V-7000004", "F"),
    M("5", "AB-0000005", "JOSÉ", "GONZÁLEZ", "", "12345", ""),
    M("6", "AB-0000006", "ANA<MARIA", "PEREZ<GOMEZ", "19850304", "E-8000006", "F"),
    M("7", "AB-0000007", "WUILMER", "QUINTERO-DELACRUZ", "07/05/1966", "V 20.000.007", "M"),
    M("8", "AB-0000008", "", "", "", "", "X"),
]  # fmt: skip


def _filed_under(index: CandidateIndex, row: int) -> set[int]:
    sizes = np.diff(index.table.starts)
    keys = np.repeat(index.table.bucket_keys, sizes)
    return {int(k) for k in keys[index.table.ids == row]}


def test_members_are_filed_under_exactly_their_keys() -> None:
    index = CandidateIndex.build(ODD_ROLL)
    for row in range(len(ODD_ROLL)):
        wanted = {key_hash(k) >> ROW_BITS for k in member_keys(index.identity(row))}
        assert _filed_under(index, row) == wanted, ODD_ROLL[row]


def test_members_read_from_columns_are_parsed_as_their_rows() -> None:
    members = [*ODD_ROLL, *_synthetic_members(300)]
    index = CandidateIndex.build(members)
    assert list(index.members) == members
    for row, m in enumerate(members):
        assert index.identity(row) == m.identity(), m


def _synthetic_members(size: int) -> list[Member]:
    from muster.demo.population import generate_roll
    from muster.demo.travelers import as_member

    return [as_member(p) for p in generate_roll(size, 5)]


def test_a_later_row_with_the_same_key_replaces_the_earlier() -> None:
    older = M("1", "EB-0000001", "PEDRO", "MARCANO", "1980-01-02", "V-9000001", "M")
    index = CandidateIndex.build([older, *ROLL])
    assert len(index) == 2 and index.member(0) == ROLL[0]
    assert index.freq.people == 2


def test_frequencies_learnt_from_columns_equal_those_counted_member_by_member() -> None:
    members = [*ODD_ROLL, *_synthetic_members(300)]
    index = CandidateIndex.build(members)
    counted = NameFrequencies.of(m.identity().name for m in members)
    assert index.freq == counted


def test_saved_index_round_trip_with_overlay_and_later_additions(tmp_path: Path) -> None:
    matcher = Matcher.from_members(ODD_ROLL)
    matcher.add(M("9", "MB-0000009", "YORMAN", "RIVAS TOVAR", "2000-02-02", "V-30000009", "M"))
    matcher.add(M("6", "AB-0000066", "ANA MARÍA", "PÉREZ GÓMEZ", "1985-03-04", "E-8000006", "F"))
    path = tmp_path / "roll.npz"
    matcher.save(path)
    loaded = Matcher.load(path)
    assert list(loaded.index.members) == list(matcher.index.members)
    assert loaded.index.freq == matcher.index.freq
    travelers = [
        Traveler("YORMAN", "RIVAS", "2000-02-02"),
        Traveler("ANA", "PEREZ GOMEZ", "04/03/1985"),
        Traveler("WILMER", "QUINTERO DE LA CRUZ", "1966-05-07"),
        Traveler("MARIA", "DE LA CRUZ", "1975-05-06"),
    ]
    for t in travelers:
        assert loaded.match(t) == matcher.match(t)
    assert loaded.match(travelers[1]).serial_number == "AB-0000066"
    loaded.add(M("10", "MB-0000010", "DAYANA", "SUCRE", "2001-01-01", "V-30000010", "F"))
    loaded.save(path)
    again = Matcher.load(path)
    assert again.match(Traveler("DAIANA", "SUCRE", "2001-01-01")).serial_number == "MB-0000010"
    assert len(again.index) == len(ODD_ROLL) + 2


def test_index_of_another_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roll.npz"
    Matcher.from_members(ROLL).save(path)
    manifest = path.with_suffix(".json")
    text = manifest.read_text()
    assert f'"version": {VERSION}' in text
    manifest.write_text(text.replace(f'"version": {VERSION}', f'"version": {VERSION - 1}'))
    with pytest.raises(IndexFileError, match="not a Muster match index of this version"):
        Matcher.load(path)
    manifest.unlink()
    with pytest.raises(IndexFileError, match=r"its manifest .*roll\.json is missing"):
        Matcher.load(path)
    with pytest.raises(IndexFileError, match=r"other\.npz: no such file"):
        Matcher.load(tmp_path / "other.npz")


def _born_the_same_day(
    prefix: str, born: str, first_cedula: int, given: tuple[str, ...], surnames: tuple[str, ...]
) -> list[Member]:
    """Men born on `born` under every given name with every surname, cédulas in a row."""
    names = [(g, s) for g in given for s in surnames]
    return [
        M(f"{prefix}{i}", f"{prefix}-{i}", g, s, born, f"V-{first_cedula + i}", "M")
        for i, (g, s) in enumerate(names)
    ]


def test_a_member_among_many_born_the_same_day_is_ranked_first_despite_typos() -> None:
    born = "1966-05-07"
    others = _born_the_same_day(
        "N", born, 4000000,
        ("JUAN", "JUAN CARLOS", "PEDRO", "LUIS", "JOSÉ", "CARLOS", "JESÚS", "ANDRÉS"),
        ("GONZÁLEZ PÉREZ", "RODRÍGUEZ GARCÍA", "HERNÁNDEZ LÓPEZ", "DÍAZ SUÁREZ",
         "MORALES ROJAS", "TORRES FLORES", "RAMÍREZ CASTILLO", "ARZOLA MÁRQUEZ"),
    )  # fmt: skip
    member = M("T", "EB-0000077", "JUAN", "ARZAL MARTÍNEZ", born, "V-4999999", "M")
    index = CandidateIndex.build([*others, member])
    traveler, _ = Traveler("JUAN", "AZAL MATÍNEZ", "07/05/1966").identity()
    assert index.serial(index.candidates(traveler, 3)[0]) == "EB-0000077"
    swapped, _ = Traveler("JUAN", "MARTINEZARZAL", "1966-05-07").identity()
    assert index.serial(index.candidates(swapped, 3)[0]) == "EB-0000077"


def _osa(a: str, b: str) -> int:
    """Optimal string alignment distance, the plain way."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(
                d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


@settings(max_examples=400, deadline=None)
@given(st.text("ABEILNORSZ", max_size=9), st.text("ABEILNORSZ", max_size=9), st.integers(1, 4))
def test_edit_distance_shortcuts_give_the_capped_distance(a: str, b: str, limit: int) -> None:
    assert edit_distance(a, b, limit) == min(_osa(a, b), limit)


def test_index_built_in_two_processes_is_the_one_built_in_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import muster.matching.filing as filing

    monkeypatch.setattr(filing, "PARALLEL_FROM", 0)
    members = [*ODD_ROLL, *_synthetic_members(300)]
    columns = [RollColumns(), RollColumns()]
    for c in columns:
        for m in members:
            c.add_member(m)
    one = CandidateIndex.from_columns(columns[0], workers=1)
    two = CandidateIndex.from_columns(columns[1], workers=3)
    for name in ("bucket_keys", "starts", "ids"):
        assert np.array_equal(getattr(one.table, name), getattr(two.table, name)), name
    for name in ("given_bloom", "surname_bloom"):
        assert np.array_equal(getattr(one.columns, name), getattr(two.columns, name)), name
    assert one.freq == two.freq
    assert one.columns.surnames_parsed == two.columns.surnames_parsed
    assert [two.identity(r) for r in range(len(two))] == [m.identity() for m in members]


def test_strangers_far_below_the_best_are_not_compared_but_a_sibling_is() -> None:
    born = "1979-09-30"
    strangers = _born_the_same_day(
        "S", born, 5000000,
        ("PEDRO", "LUIS", "CARLOS", "JESÚS"),
        ("GONZÁLEZ PÉREZ", "RODRÍGUEZ GARCÍA", "DÍAZ SUÁREZ", "MORALES ROJAS"),
    )  # fmt: skip
    member = M("X", "EB-0000100", "YOSMAR ALEXIS", "QUINTERO ZAMBRANO", born, "V-15999999", "M")
    sibling = M("Y", "EB-0000101", "JHONNY", "QUINTERO ZAMBRANO", born, "V-16000000", "M")
    index = CandidateIndex.build([*strangers, member, sibling])
    traveler, _ = Traveler("YOSMAR ALEXIS", "QUINTERO ZAMBRANO", born, "V-15999999").identity()
    found = [index.serial(r) for r in index.candidates(traveler, 10)]
    assert found == ["EB-0000100", "EB-0000101"]
    alone, _ = Traveler("YOSMAR", "QUINTERO", born).identity()  # no cédula: strangers stay
    assert len(index.candidates(alone, 10)) == 10


_SAVE_A_ROLL = """
import hashlib, sys
from pathlib import Path
from muster.demo.population import generate_roll
from muster.demo.travelers import as_member
from muster.matching import Matcher, Member
members = [as_member(p) for p in generate_roll(300, 11)]
members.append(Member("A", "AB-1", "ANA MARÍA JOSÉ", "PÉREZ GÓMEZ", "1985-03-04", "E-8000006",
               "F", {"postcode": "1010", "place_of_birth": "El Callao", "street": "7"}))
matcher = Matcher.from_members(members)
matcher.add(Member("B", "AB-2", "LUIS ÁNGEL", "RIVAS", "2000-02-02", "V-30000009", "M",
                   {"height": "170", "eyes": "brown", "postcode": "2020"}))
path = Path(sys.argv[1])
matcher.save(path)
print(hashlib.sha256(path.read_bytes()).hexdigest())
"""


def test_the_same_roll_saves_the_same_bytes_in_processes_of_any_hash_seed(
    tmp_path: Path,
) -> None:
    """Sets of words and of attribute names iterate in another order under another
    PYTHONHASHSEED: the file must not show it (its frequency tables are written sorted)."""
    import os
    import subprocess
    import sys

    digests = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        path = tmp_path / f"roll-{seed}.npz"
        done = subprocess.run(
            [sys.executable, "-c", _SAVE_A_ROLL, str(path)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        digests.add(done.stdout.strip())
    assert len(digests) == 1, digests


def test_the_same_roll_saves_the_same_bytes_at_any_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib
    import time

    matcher = Matcher.from_members(ODD_ROLL)
    digests = []
    for when in (0.0, 86_400.0 * 365):
        real = time.time
        monkeypatch.setattr(time, "time", lambda when=when, real=real: real() + when)
        path = tmp_path / f"roll-{len(digests)}.npz"
        matcher.save(path)
        digests.append(hashlib.sha256(path.read_bytes()).hexdigest())
        monkeypatch.undo()
    loaded = Matcher.load(tmp_path / "roll-0.npz")
    loaded.save(tmp_path / "again.npz")  # loaded and saved again: the same bytes
    digests.append(hashlib.sha256((tmp_path / "again.npz").read_bytes()).hexdigest())
    assert len(set(digests)) == 1, digests
    manifest = orjson.loads((tmp_path / "roll-1.json").read_bytes())
    assert manifest["sha256"] == digests[0]
