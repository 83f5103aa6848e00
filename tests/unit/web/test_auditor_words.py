"""The ledger page words each problem of a verification by its code, in Spanish and English,
filled from its parameters, with the registry's English beneath; a code without words is
shown in that English."""

from __future__ import annotations

import re

import pytest

from muster.accounts.accounts import Account, Role
from muster.registry.findings import PARAMETERS, TEXTS, Difference, Problem, problem
from muster.web import i18n
from muster.web.pages import auditor
from muster.web.pages.auditor import VERIFY_WORDS, verify_problem
from muster.web.session import Viewer

PLACE = re.compile(r"%\((\w+)\)s")


def viewer(language: str) -> Viewer:
    return Viewer(Account("auditora", Role.AUDITOR), "t", language, "c")


def sample(code: str) -> Problem:
    """A problem of `code`, every parameter filled with a value of its kind."""
    values: dict[str, object] = {
        "kind": "order",
        "where": "table registry",
        "differences": (Difference("unit", "U-9", "Unidad 2"), Difference("rank", None, "Cabo")),
        "columns": ("serial_number", "national_id"),
        "stored": 12345,
        "expected": 12346,
        "start": "2016-01-01",
    }
    return Problem(code, {n: values.get(n, 7) for n in PARAMETERS[code]})


def test_every_code_of_verification_has_words_naming_only_its_parameters() -> None:
    assert set(VERIFY_WORDS) == set(TEXTS)
    for code, message in VERIFY_WORDS.items():
        assert set(PLACE.findall(message)) <= PARAMETERS[code] | {"columns"}, code


@pytest.mark.parametrize("code", list(TEXTS))
def test_each_problem_reads_in_spanish_and_english_with_the_registry_english_beneath(
    code: str,
) -> None:
    found = sample(code)
    spanish, english = verify_problem(viewer("es"), found), verify_problem(viewer("en"), found)
    assert english.text == i18n.translations("en").gettext(VERIFY_WORDS[code]) % {
        k: v for k, v in filled_en(found).items()
    }
    assert spanish.text != english.text
    assert spanish.detail == english.detail == str(found)
    assert spanish.code == english.code == code
    assert "%(" not in spanish.text and "%(" not in english.text


def filled_en(found: Problem) -> dict[str, object]:
    """What the English words are filled with: as `verify_problem` fills them."""
    out: dict[str, object] = {}
    for name, value in found.params.items():
        if name == "differences":
            out[name] = "; ".join(
                f"{d.field} stored {d.stored!r}, the ledger says {d.expected!r}" for d in value
            )
        elif found.code in auditor.COUNTED and isinstance(value, int):
            out[name] = f"{value:,}"
        elif name in auditor.VALUES:
            out[name] = repr(value)
        elif name == "kind":
            out[name] = "order"
        elif name == "where":
            out[name] = "The registry table"
        elif name == "columns":
            out[name] = ", ".join(value)
        else:
            out[name] = value
    return out


def test_a_roll_difference_is_worded_column_by_column_in_spanish() -> None:
    found = problem(
        "roll_person_differs",
        person=7,
        who="GNB-0000007",
        differences=(Difference("rank", "Capitán", "Teniente"), Difference("unit", "U-9", "U-7")),
    )
    shown = verify_problem(viewer("es"), found)
    assert shown.text == (
        "Persona 7 (GNB-0000007) en el registro: rank guardado 'Capitán', el libro mayor dice "
        "'Teniente'; unit guardado 'U-9', el libro mayor dice 'U-7'."
    )
    assert shown.detail == (
        "roll person 7 (GNB-0000007): rank stored 'Capitán', ledger says 'Teniente'; "
        "unit stored 'U-9', ledger says 'U-7'"
    )


def test_counts_are_written_as_the_language_writes_numbers() -> None:
    found = problem("roll_count", stored=2000001, expected=2000000)
    assert verify_problem(viewer("es"), found).text == (
        "El registro: 2.000.001 filas guardadas, el libro mayor justifica 2.000.000."
    )
    assert verify_problem(viewer("en"), found).text == (
        "The roll: 2,000,001 rows stored, the ledger accounts for 2,000,000."
    )


def test_a_code_the_page_has_no_words_for_is_shown_in_the_registry_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(VERIFY_WORDS, "entry_altered")
    found = problem("entry_altered", entry=3)
    shown = verify_problem(viewer("es"), found)
    assert shown.text == str(found) and shown.detail == ""
    plain = verify_problem(viewer("es"), "checkpoint: missing")  # an export's plain text
    assert (plain.code, plain.text, plain.detail) == ("", "checkpoint: missing", "")
