"""The officer's screen words each reason by its code and names the field of each failed check
of a zone, in Spanish and English; the shift comes from the cookie only when it fits."""

from __future__ import annotations

from datetime import date

import pytest

from muster.accounts.accounts import Account, Role
from muster.documents import mrz
from muster.documents.mrz import MrzError, clean_lines, parse_mrz
from muster.documents.mrz_build import make_td3
from muster.screening.decision import DocumentCheckError, Screening, read_document
from muster.web.i18n import Formats
from muster.web.pages.officer import ZONE_WORDS, Shift, reason_shown, shift_of, zone_problem
from muster.web.session import Viewer

DAY = date(2019, 3, 15)


def viewer(language: str) -> Viewer:
    return Viewer(Account("oficial", Role.OFFICER, ("SBOL",)), "t", language, "c")


def zone() -> list[str]:
    return make_td3(
        surnames="González Pérez",
        given_names="José Gregorio",
        number="123456789",
        birth=date(1990, 1, 2),
        sex="M",
        expiry=date(2025, 1, 1),
    )


def shown(language: str, reason: dict[str, str]) -> str:
    r = reason_shown(viewer(language), Formats(language), reason, DAY)
    return f"{r.about}: {r.text}"


def test_a_rule_keeps_the_directive_s_own_words() -> None:
    reason = {
        "code": "rule:deny",
        "text": "Ausente sin permiso: no puede salir del país",
        "directive": "SAIME-DG-2018-0113",
        "rule": "absent",
    }
    assert shown("en", reason) == (
        "Directive SAIME-DG-2018-0113: Ausente sin permiso: no puede salir del país"
    )
    assert shown("es", reason).startswith("Directiva SAIME-DG-2018-0113: Ausente sin permiso")


@pytest.mark.parametrize(
    ("reason", "en", "es"),
    [
        (
            {"code": "match:match", "text": "cédula exact"},
            "Identified on the roll.",
            "Identificado",
        ),
        ({"code": "identity:not_on_roll", "text": "…"}, "Not a person on the roll", "No es una"),
        ({"code": "identity:uncertain", "text": "…"}, "never denied", "nunca se deniega"),
        ({"code": "policy:none", "text": "…"}, "No exit-control directive", "Ninguna directiva"),
        (
            {"code": "authorization:missing", "text": "…"},
            "None valid on Mar 15, 2019.",
            "15 mar 2019",
        ),
        (
            {"code": "default:clear", "text": "…", "directive": "D-1"},
            "its default is “clear”",
            "«libre»",
        ),
        (
            {"code": "document:expired", "text": "…", "field": "expiry_date"},
            "The document has expired (expiry date).",
            "(fecha de vencimiento)",
        ),
        (
            {"code": "document:unknown_code", "text": "…", "field": "nationality"},
            "Unknown country code (nationality).",
            "(nacionalidad)",
        ),
    ],
)
def test_each_reason_is_worded_by_its_code(reason: dict[str, str], en: str, es: str) -> None:
    assert en in shown("en", reason)
    assert es in shown("es", reason)


def test_a_valid_authorization_shows_its_window_in_the_language() -> None:
    reason = {
        "code": "authorization:valid",
        "text": "…",
        "authorization": "CG-GNB-AV-2019-0001",
        "valid_from": "2019-03-01",
        "valid_until": "2019-04-30",
    }
    assert shown("en", reason) == (
        "Travel authorization: Order CG-GNB-AV-2019-0001, valid from Mar 1, 2019 to Apr 30, 2019."
    )
    assert "del 1 mar 2019 al 30 abr 2019" in shown("es", reason)
    without = {k: v for k, v in reason.items() if not k.startswith("valid_")}  # older crossings
    assert shown("en", without) == "Travel authorization: Order CG-GNB-AV-2019-0001 is valid today."


def test_no_valid_authorization_names_the_day_of_the_decision() -> None:
    reason = {"code": "authorization:missing", "text": "…", "day": "2019-03-01"}
    assert shown("en", reason) == "Travel authorization: None valid on Mar 1, 2019."


def test_an_unknown_code_is_shown_as_the_registry_words_it() -> None:
    assert shown("es", {"code": "new:thing", "text": "as written"}) == "new:thing: as written"


def broken(position: int) -> list[str]:
    lines = zone()
    line2 = lines[1]
    digit = str((int(line2[position]) + 1) % 10)
    return [lines[0], line2[:position] + digit + line2[position + 1 :]]


@pytest.mark.parametrize(
    ("position", "en", "es"),
    [
        (9, "Document number: the check digit is wrong", "Número de documento: el dígito"),
        (19, "Birth date: the check digit is wrong", "Fecha de nacimiento: el dígito"),
        (27, "Expiry date: the check digit is wrong", "Fecha de vencimiento: el dígito"),
    ],
)
def test_a_failed_check_names_its_field(position: int, en: str, es: str) -> None:
    problems = parse_mrz(broken(position), DAY).problems
    assert any(en in zone_problem(viewer("en"), p) for p in problems), problems
    assert any(es in zone_problem(viewer("es"), p) for p in problems), problems


def test_a_line_of_the_wrong_length_is_named() -> None:
    lines = zone()
    with pytest.raises(MrzError) as refused:
        clean_lines([lines[0], lines[1][:-1]])
    assert zone_problem(viewer("en"), refused.value.problem) == (
        "Line 2: 43 characters read, 44 expected."
    )
    assert zone_problem(viewer("es"), refused.value.problem).startswith("Línea 2: 43")


def test_a_zone_of_the_wrong_shape_says_what_was_read() -> None:
    with pytest.raises(MrzError) as refused:
        clean_lines(zone()[:1])
    assert zone_problem(viewer("en"), refused.value.problem) == (
        "1 line(s) of 44 characters read: a zone has 2 lines of 44 (passport) or 36, or 3 "
        "lines of 30 (identity card)."
    )


def test_every_code_of_a_zone_problem_has_its_words() -> None:
    """A check added to the zone reader needs its words on the officer's screen: the page
    chooses them by code, never by reading the English text."""
    assert set(ZONE_WORDS) == set(mrz._TEXTS)
    for code in mrz._TEXTS:
        problem = mrz.ZoneProblem(code, "birth date", "7", "3", 2, (44, 43))
        assert zone_problem(viewer("en"), problem) != str(problem)
        assert zone_problem(viewer("es"), problem) != zone_problem(viewer("en"), problem)


def test_a_zone_that_fails_carries_its_problems() -> None:
    request = Screening(post="SBOL", direction="exit", mrz=broken(19))
    with pytest.raises(DocumentCheckError) as refused:
        read_document(request, DAY)
    found = [(p.code, p.field) for p in refused.value.problems]
    assert found == [("check_digit", "birth date"), ("check_digit", "composite")]
    assert "birth date check digit" in str(refused.value)  # the API's detail, as before


def test_the_shift_comes_from_the_cookie_only_when_it_fits_the_account() -> None:
    one = Account("oficial", Role.OFFICER, ("SBOL",))
    two = Account("oficial2", Role.OFFICER, ("SBOL", "FPSA"))
    assert shift_of(one, None) == Shift("SBOL", "exit")  # one post: chosen; exit first
    assert shift_of(one, "FPSA.entry") == Shift("SBOL", "entry")
    assert shift_of(two, None) == Shift(None, "exit")  # two posts: to be chosen
    assert shift_of(two, "FPSA.entry") == Shift("FPSA", "entry")
    assert shift_of(two, "FPSA.sideways") == Shift("FPSA", "exit")
