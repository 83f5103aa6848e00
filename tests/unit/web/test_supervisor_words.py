"""A decision's reasons in the supervisor's words: each code picks its message, filled from
what the reason names; a reason without words is shown as recorded."""

from __future__ import annotations

import pytest

from muster.web.i18n import Formats
from muster.web.pages.supervisor import why_referred, worded_reasons
from muster.web.session import Viewer


def viewer(language: str) -> Viewer:
    return Viewer(None, None, language, "token")


REASONS = [
    {"code": "match:possible", "text": "surnames agree; no birth date to compare"},
    {
        "code": "identity:uncertain",
        "text": "identity uncertain: refer to secondary inspection (never denied on a possible "
        "match; the candidate would be deny)",
        "outcome": "deny",
    },
    {"code": "rule:deny", "text": "Ausente sin permiso", "directive": "D-1", "rule": "absent"},
    {
        "code": "authorization:valid",
        "text": "travel authorization valid 2019-01-10 to 2019-02-10",
        "authorization": "AV-7",
        "valid_from": "2019-01-10",
        "valid_until": "2019-02-10",
    },
    {"code": "document:expired", "text": "document expired", "field": "expiry_date"},
    {"code": "something:new", "text": "as the registry says it"},
]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "es",
            [
                "Identidad: coincidencia posible, incierta.",
                "Identidad incierta: remitido a inspección secundaria; nunca se deniega por una "
                "coincidencia posible (la persona del registro sería: Denegado).",
                "Directiva D-1, regla «absent»: Denegado.",
                "Autorización de viaje AV-7, válida del 10 ene 2019 al 10 feb 2019.",
                "El documento está vencido (fecha de vencimiento).",
                "as the registry says it",
            ],
        ),
        (
            "en",
            [
                "Identity: possible match, uncertain.",
                "Identity uncertain: referred to secondary inspection, never denied on a "
                "possible match (the person on the roll would be: Deny).",
                "Directive D-1, rule “absent”: Deny.",
                "Travel authorization AV-7, valid from Jan 10, 2019 to Feb 10, 2019.",
                "The document has expired (expiry date).",
                "as the registry says it",
            ],
        ),
    ],
)
def test_each_reason_in_the_viewers_words(language: str, expected: list[str]) -> None:
    worded = worded_reasons(viewer(language), REASONS)
    assert [w.words for w in worded] == expected
    assert worded[2].said == "Ausente sin permiso"  # the directive's own words kept beside


def test_the_words_come_from_the_reasons_fields_never_from_its_english_text() -> None:
    """The same reasons with their English text reworded: the words do not change."""
    reworded = [{**r, "text": "reworded"} if r["code"] != "rule:deny" else r for r in REASONS]
    same = [w.words for w in worded_reasons(viewer("en"), reworded)]
    assert same[:5] == [w.words for w in worded_reasons(viewer("en"), REASONS)][:5]


def test_why_referred_names_the_referring_reasons_not_the_match() -> None:
    worded = worded_reasons(viewer("en"), REASONS)
    assert [w.code for w in why_referred(worded)] == ["identity:uncertain", "document:expired"]


def test_times_are_written_in_the_registrys_zone_as_the_language_writes_them() -> None:
    assert Formats("es", "America/Caracas").time("2019-03-15T16:05:09Z") == "12:05:09"
    assert Formats("en", "America/Caracas").time("2019-03-16T01:30:00+00:00") == "9:30:00\u202fPM"
    assert Formats("es", "UTC").time("2019-03-15T16:05:09Z") == "16:05:09"
    assert Formats("en", "America/Caracas").time(None) == ""
