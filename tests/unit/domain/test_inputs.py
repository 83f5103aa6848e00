"""Input rules: cédulas, roll rows, subject files, order fields, exit-control directives."""

from __future__ import annotations

from datetime import date

import pytest

from muster.domain.directive import validate_directive
from muster.domain.errors import DuplicateSubjectError, InvalidInputError
from muster.domain.kinds import Category, OrderKind
from muster.domain.national_id import InvalidNationalIdError, normalize_national_id
from muster.domain.orders import OrderContent, check_order_fields, parse_subject_lines
from muster.domain.roll_import import ROLL_COLUMNS, RollFileError, check_header, check_roll_rows
from muster.reference_data import load_reference


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("V-12.345.678", "V-12345678"),
        ("V12345678", "V-12345678"),
        ("v 12345678", "V-12345678"),
        ("12.345.678", "V-12345678"),
        ("12345678", "V-12345678"),
        ("E-84123456", "E-84123456"),
        ("V-06586325", "V-6586325"),
        (" V-6.586.325 ", "V-6586325"),
        ("E84.123.456", "E-84123456"),
    ],
)
def test_cedula_forms(text: str, expected: str) -> None:
    assert normalize_national_id(text) == expected


@pytest.mark.parametrize("text", ["", "J-12345678", "V-12A45678", "V-0", "V-1234567890", "12,345"])
def test_not_a_cedula(text: str) -> None:
    with pytest.raises(InvalidNationalIdError, match="expected a cédula"):
        normalize_national_id(text)


def test_cedula_without_letter_can_be_refused() -> None:
    with pytest.raises(InvalidNationalIdError, match="letter V or E is missing"):
        normalize_national_id("12345678", default_letter=None)


GOOD = [
    "GNB-1",
    "V-15.874.895",
    "José  Gregorio",
    "GONZÁLEZ PÉREZ",
    "1988-03-14",
    "m",
    "gnb",
    "SARGENTO PRIMERO",
    "Active",
    "Destacamento 211",
]
POS = {c: i for i, c in enumerate(ROLL_COLUMNS)}


def test_roll_row_is_canonicalised() -> None:
    (row,) = check_roll_rows([GOOD], POS, load_reference(), source="r.csv")
    assert row == (
        "GNB-1",
        "V-15874895",
        "José Gregorio",
        "GONZÁLEZ PÉREZ",
        "1988-03-14",
        "M",
        "GNB",
        "Sargento Primero",
        "active",
        "Destacamento 211",
    )


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("national_id", "15874895", "letter V or E is missing"),
        ("birth_date", "14/03/1988", "an ISO date"),
        ("birth_date", "1850-01-01", "a date between"),
        ("sex", "X", "M or F"),
        ("component", "FAN", "one of EB, AB, AMB, GNB, MB"),
        ("rank", "Almirante", "a rank of GNB"),
        ("category", "retired", "one of active, reserve, retired_reserve"),
        ("given_names", "  ", "at least one name"),
        ("serial_number", "", "a serial number"),
    ],
)
def test_each_bad_value_is_named(column: str, value: str, expected: str) -> None:
    bad = list(GOOD)
    bad[POS["serial_number"]], bad[POS["national_id"]] = "GNB-9", "V-99"
    bad[POS[column]] = value
    with pytest.raises(RollFileError) as err:
        check_roll_rows([GOOD, bad], POS, load_reference(), source="r.csv")
    problem = err.value.problems[0]
    assert (problem.row, problem.column) == (3, column)
    assert expected in problem.expected
    assert "r.csv: 1 problem(s), nothing imported" in str(err.value)


def test_rank_aliases_and_accents() -> None:
    ref = load_reference()
    assert ref.find_rank("EB", "soldada").name_es == "Soldado"  # type: ignore[union-attr]
    assert ref.find_rank("EB", "CAPITAN").name_es == "Capitán"  # type: ignore[union-attr]
    assert ref.find_rank("GNB", "g/b").name_es == "General de Brigada"  # type: ignore[union-attr]
    assert ref.find_rank("AB", "Capitán") is None or ref.find_rank("AB", "Capitán") is not None


def test_every_problem_is_collected_including_duplicates() -> None:
    second = list(GOOD)
    second[POS["serial_number"]] = "GNB-2"
    third = list(GOOD)
    third[POS["national_id"]] = "V-1"
    with pytest.raises(RollFileError) as err:
        check_roll_rows(
            [GOOD, second, third], POS, load_reference(), source="r.csv", on_roll_serials={"GNB-2"}
        )
    texts = [str(p) for p in err.value.problems]
    assert texts == [
        "row 3, column serial_number: 'GNB-2': unique; a person on the roll holds or held it",
        "row 3, column national_id: 'V-15874895': unique; row 2 has it too",
        "row 4, column serial_number: 'GNB-1': unique; row 2 has it too",
    ]


def test_header_columns_by_name_extra_ignored_missing_named() -> None:
    header = ["\ufeffunit", "extra", *[c for c in ROLL_COLUMNS if c != "unit"]]
    assert check_header(header, "r.csv")["unit"] == 0
    with pytest.raises(InvalidInputError, match=r"lacks column.*category"):
        check_header([c for c in ROLL_COLUMNS if c != "category"], "r.csv")


def test_subject_lines_tolerate_bom_crlf_blanks_and_refuse_duplicates() -> None:
    assert parse_subject_lines("\ufeffGNB-1\r\n\r\n V-12.345.678 \r\n", "s") == [
        "GNB-1",
        "V-12.345.678",
    ]
    with pytest.raises(DuplicateSubjectError, match="line 3: '12345678': repeats line 1"):
        parse_subject_lines("V-12.345.678\nGNB-1\n12345678\n", "s.txt")
    with pytest.raises(InvalidInputError, match="no subjects"):
        parse_subject_lines("\n\n", "s.txt")


def content(kind: OrderKind, **kw: object) -> OrderContent:
    return OrderContent(
        registry="r",
        kind=kind,
        number="N-1",
        authority="A",
        signed_on=date(2018, 1, 1),
        effective=date(2018, 1, 1),
        **kw,
    )  # type: ignore[arg-type]


def test_order_fields_fit_the_kind() -> None:
    with pytest.raises(InvalidInputError, match="needs category") as needs:
        check_order_fields(content(OrderKind.CATEGORY_CHANGE))
    assert needs.value.fields == ["subjects", "category"]
    with pytest.raises(InvalidInputError, match="takes no category") as takes:
        check_order_fields(content(OrderKind.EXIT_CONTROL, rules={}, category=Category.RESERVE))
    assert takes.value.fields == ["category"]
    with pytest.raises(InvalidInputError, match="valid_until is before valid_from") as dates:
        check_order_fields(
            content(
                OrderKind.TRAVEL_AUTHORIZATION,
                valid_from=date(2019, 2, 1),
                valid_until=date(2019, 1, 1),
            )
        )
    assert dates.value.fields == ["subjects", "valid_until", "valid_from"]


def test_order_content_round_trips_through_json() -> None:
    c = content(OrderKind.AMENDMENT, changes={"surnames": "B"}, previous={"surnames": "A"})
    assert OrderContent.from_json(c.to_json()) == c


def test_directive_problems_are_named_by_path() -> None:
    with pytest.raises(InvalidInputError) as err:
        validate_directive(
            {
                "version": 3,
                "rules": [
                    {"id": "a", "when": {"status": ["gone"], "colour": ["red"]}, "outcome": "deny"},
                    {"id": "a", "outcome": "maybe", "when": {"reinstated": "yes"}},
                ],
            },
            "rules.json",
        )
    text = str(err.value)
    for fragment in (
        "$.version: expected 1 or 2, found 3",
        "$.rules[0].when.status: 'gone'",
        "$.rules[0].when.colour: unknown condition",
        "$.rules[1].id: 'a' is used twice",
        "$.rules[1].outcome",
        "$.rules[1].when.reinstated: expected true or false",
    ):
        assert fragment in text
    ok = {
        "version": 1,
        "rules": [{"id": "x", "when": {"direction": ["exit"]}, "outcome": "refer", "reason": "R"}],
    }
    assert validate_directive(ok, "r") == ok


def test_a_row_with_more_or_fewer_fields_than_the_header_is_refused() -> None:
    spilled = [*GOOD[:-1], "Destacamento 200", " Zona 3"]  # an unquoted comma in `unit`
    spilled[POS["serial_number"]], spilled[POS["national_id"]] = "GNB-2", "V-2"
    short = GOOD[:-1]
    short[POS["serial_number"]], short[POS["national_id"]] = "GNB-3", "V-3"
    with pytest.raises(RollFileError) as err:
        check_roll_rows(
            [GOOD, spilled, short], POS, load_reference(), source="r.csv", header_width=10
        )
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "(row)"), (4, "(row)")]
    assert err.value.problems[0].expected == (
        "11 fields, the header has 10 (a value with a comma must be in double quotes)"
    )
    assert "Destacamento 200, Zona 3" in err.value.problems[0].value
    assert err.value.problems[1].expected.startswith("9 fields, the header has 10")
    # a header with a column Muster ignores: its rows are as wide as the header
    (row,) = check_roll_rows([[*GOOD, "x"]], POS, load_reference(), source="r", header_width=11)
    assert row[-1] == "Destacamento 211"


@pytest.mark.parametrize("reason", [None, "", "   ", 7])
def test_a_rule_without_a_reason_is_refused_by_name(reason: object) -> None:
    rule: dict[str, object] = {"id": "absent", "when": {"status": ["absent"]}, "outcome": "deny"}
    if reason is not None:
        rule["reason"] = reason
    with pytest.raises(InvalidInputError) as err:
        validate_directive({"version": 1, "rules": [rule]}, "rules.json")
    assert "rules.json" in str(err.value)
    assert "$.rules[0].reason: rule 'absent' has no reason" in str(err.value)


def test_version_2_adds_the_document_condition_and_version_1_stays_valid() -> None:
    rule = {
        "id": "papers",
        "when": {"document": ["expired", "unknown_code"]},
        "outcome": "refer",
        "reason": "Documento vencido",
    }
    v2 = {"version": 2, "rules": [rule]}
    assert validate_directive(v2, "r") == v2
    with pytest.raises(
        InvalidInputError,
        match=r"\$\.rules\[0\]\.when\.document: a condition of "
        r"version 2 \(the directive says version 1\)",
    ):
        validate_directive({"version": 1, "rules": [rule]}, "r")
    bad = {**rule, "when": {"document": ["torn"]}}
    with pytest.raises(InvalidInputError, match="'torn' is not one of expired, unknown_code"):
        validate_directive({"version": 2, "rules": [bad]}, "r")
