"""Verification's problems as data: every one a code of the table, with the parameters its
text names, its English text the words `muster verify` has always printed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from muster.registry import findings
from muster.registry.findings import PARAMETERS, TEXTS, Difference, Problem, problem
from muster.registry.verify import MAX_PROBLEMS, VerifyReport

REGISTRY = Path(findings.__file__).parent
# The modules whose problems `verify_registry` reports, and the names they add besides a
# `problem(…)` made on the spot (a problem made by a function that returns one).
CHECKERS = {"verify.py": {"untrusted"}, "replay.py": set(), "trust.py": set()}
COMPARED = ("authority", "authority_key", "order")  # `verify.compare_rows`' codes begin so


def added(path: Path) -> list[ast.expr]:
    """What every `report.add(…)` of a module adds."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.args[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "add"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "report"
    ]


def made(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "problem"
    ]


@pytest.mark.parametrize("module", list(CHECKERS))
def test_verification_adds_only_coded_problems(module: str) -> None:
    """No text goes into the report but through a code: an f-string added fails here."""
    for arg in added(REGISTRY / module):
        is_problem = (
            isinstance(arg, ast.Call)
            and isinstance(arg.func, ast.Name)
            and arg.func.id == "problem"
        )
        named = isinstance(arg, ast.Name) and arg.id in CHECKERS[module]
        assert is_problem or named, f"{module}:{arg.lineno} adds {ast.unparse(arg)}"


def test_every_code_used_is_in_the_table_and_every_code_of_the_table_is_used() -> None:
    used: set[str] = {"more_problems"}  # the report's own (VerifyReport.add)
    for module in CHECKERS:
        for call in made(REGISTRY / module):
            code = call.args[0]
            if isinstance(code, ast.Constant):
                assert code.value in TEXTS, f"{module}:{call.lineno}: no code {code.value!r}"
                used.add(code.value)
            else:  # compare_rows: f"{what}_…" for each table it compares
                assert isinstance(code, ast.JoinedStr), ast.unparse(code)
                suffix = code.values[-1]
                assert isinstance(suffix, ast.Constant)
                used |= {f"{what}{suffix.value}" for what in COMPARED}
    assert used == set(TEXTS)


def test_each_code_names_the_parameters_its_text_fills() -> None:
    for code, text in TEXTS.items():
        assert PARAMETERS[code] == findings.places(text)
        sample = {name: 1 for name in PARAMETERS[code]}
        if "kind" in sample:
            sample["kind"] = "order"
        assert str(Problem(code, sample))  # every place filled


def test_a_problem_without_a_code_of_the_table_or_its_parameters_is_refused() -> None:
    with pytest.raises(ValueError, match="no verification problem has the code 'made_up'"):
        problem("made_up", entry=1)
    with pytest.raises(
        ValueError, match=r"entry_altered names \['entry'\], not \['entry', 'order'\]"
    ):
        problem("entry_altered", entry=1, order="X")
    with pytest.raises(ValueError, match=r"entry_altered names \['entry'\], not \[\]"):
        problem("entry_altered")


@pytest.mark.parametrize(
    ("found", "said"),
    [
        (
            problem("entry_altered", entry=7),
            "ledger entry 7: its data does not match its stored leaf hash (the entry was altered)",
        ),
        (
            problem("entry_incomplete", entry=3, kind="order", error="KeyError('order')"),
            "ledger entry 3: an order entry that cannot be read (KeyError('order'))",
        ),
        (
            problem("entry_incomplete", entry=3, kind="key-added", error="KeyError('x')"),
            "ledger entry 3: a key-added entry that cannot be read (KeyError('x'))",
        ),
        (
            problem("entry_type_differs", entry=2, stored="order", found="key-added"),
            "ledger entry 2: stored type 'order' but the entry says 'key-added'",
        ),
        (
            problem(
                "authority_key_differs",
                key="ab12",
                field="revoked_seq",
                stored=None,
                expected=9,
            ),
            "authority key ab12: revoked_seq stored None, ledger says 9",
        ),
        (
            problem(
                "roll_person_differs",
                person=4,
                who="GNB-0000004",
                differences=(
                    Difference("rank", "Capitán", "Teniente"),
                    Difference("sex", "X", "M"),
                ),
            ),
            "roll person 4 (GNB-0000004): rank stored 'Capitán', ledger says 'Teniente'; "
            "sex stored 'X', ledger says 'M'",
        ),
        (
            problem("enlistment_columns", order="ENL-1", columns=("a", "b")),
            "order ENL-1: its table's columns are not ('a', 'b')",
        ),
        (
            problem("order_out_of_scope", entry=6, order="X-1", error="authority CG may not"),
            "ledger entry 6 (order X-1): authority CG may not",
        ),
    ],
)
def test_a_problem_reads_in_english_as_verify_always_said_it(found: Problem, said: str) -> None:
    assert str(found) == said


def test_past_the_cap_one_coded_problem_says_more_were_not_listed() -> None:
    report = VerifyReport()
    for seq in range(MAX_PROBLEMS + 5):
        report.add(problem("entry_altered", entry=seq))
    assert len(report.problems) == MAX_PROBLEMS + 1
    assert report.problems[-1] == Problem("more_problems")
    assert report.messages[-1] == "… more problems not listed"
    assert report.to_json()["problems"] == report.messages
    assert report.messages[0].startswith("ledger entry 0: ")
