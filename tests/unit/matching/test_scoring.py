"""Scoring and verdicts as a table of named cases (traveler, member, expected verdict)."""

from __future__ import annotations

import zlib
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from muster.matching import Matcher, Member, Traveler, Verdict
from muster.matching.frequencies import NameFrequencies
from muster.matching.normalize import fold, parse_name
from muster.matching.scoring import Identity, compare
from muster.matching.words import compare_words


def member(serial: str, given: str, surnames: str, born: str = "1985-03-04",
           nid: str = "", sex: str = "M") -> Member:  # fmt: skip
    """One roll member in one line."""
    return Member(
        serial,
        serial,
        given,
        surnames,
        born,
        nid or f"V-{zlib.crc32(serial.encode()) % 10**8}",
        sex,
    )


FILLER = [
    member(f"F-{i}", g, s, f"19{60 + i % 30}-0{1 + i % 9}-1{i % 9}")
    for i, (g, s) in enumerate(
        (g, s)
        for g in ("JOSÉ", "LUIS", "CARLOS", "JUAN", "MARÍA", "ANA", "PEDRO", "JESÚS")
        for s in ("GONZÁLEZ RODRÍGUEZ", "PÉREZ GONZÁLEZ", "RODRÍGUEZ PÉREZ", "HERNÁNDEZ GARCÍA",
                  "GARCÍA LÓPEZ", "MARTÍNEZ DÍAZ", "LÓPEZ HERNÁNDEZ")
    )
]  # fmt: skip
TARGET = member("EB-1", "JOSÉ GREGORIO", "DE LA CRUZ ÑÁÑEZ", "1985-03-04", "V-12345678")
ARGUELLO = member("EB-2", "YUSMARY", "ARGÜELLO ZAMBRANO", "1990-11-07", "V-18000111", "F")
MARRIED = member("EB-3", "CARMEN", "PÉREZ DE GONZÁLEZ", "1970-06-21", "V-7000111", "F")
JOINT = member("EB-4", "WILMER", "GONZÁLEZ PÉREZ", "1992-08-30", "V-20000111")
MATCHER = Matcher.from_members([*FILLER, TARGET, ARGUELLO, MARRIED, JOINT])

JG, DC, D1 = "JOSE GREGORIO", "DE LA CRUZ NANEZ", "1985-03-04"
CASES = [
    # name, traveler, expected serial, expected verdict
    ("exact", Traveler("JOSÉ GREGORIO", "DE LA CRUZ ÑÁÑEZ", D1), "EB-1", "match"),
    ("accents and case", Traveler("jose gregorio", "de la cruz nanez", D1), "EB-1", "match"),
    ("Ñ as NN", Traveler(JG, "DE LA CRUZ NANNEZ", D1), "EB-1", "match"),
    ("Ü as UE", Traveler("YUSMARY", "ARGUEELLO ZAMBRANO", "1990-11-07"), "EB-2", "match"),
    ("Ü as U", Traveler("YUSMARY", "ARGUELLO ZAMBRANO", "1990-11-07"), "EB-2", "match"),
    ("MRZ with OCR 0", Traveler("J0SE<GREGORIO", "DE<LA<CRUZ<NANEZ", "850304"), "EB-1", "match"),
    ("MRZ cut", Traveler("JOSE<GREG", "DE<LA<CRUZ<NANEZ", "850304"), "EB-1", "match"),
    ("no name", Traveler("", "", D1), "EB-1", "possible"),
    ("particle joined", Traveler(JG, "DELACRUZ NANEZ", D1), "EB-1", "match"),
    ("particle half joined", Traveler(JG, "DELA CRUZ NANEZ", D1), "EB-1", "match"),
    ("particle dropped", Traveler(JG, "CRUZ NANEZ", D1), "EB-1", "match"),
    ("surnames hyphen", Traveler("WILMER", "GONZALEZ-PEREZ", "1992-08-30"), "EB-4", "match"),
    ("surnames joined", Traveler("WILMER", "GONZALEZPEREZ", "1992-08-30"), "EB-4", "match"),
    ("surnames swapped", Traveler("WILMER", "PEREZ GONZALEZ", "1992-08-30"), "EB-4", "match"),
    ("second surname missing", Traveler(JG, "DE LA CRUZ", D1), "EB-1", "match"),
    ("second given dropped", Traveler("JOSE", "DE LA CRUZ NANEZ", D1), "EB-1", "match"),
    ("second given initial", Traveler("JOSE G.", "DE LA CRUZ NANEZ", D1), "EB-1", "match"),
    ("married name added", Traveler("CARMEN", "PEREZ", "1970-06-21"), "EB-3", "match"),
    ("married name other", Traveler("CARMEN", "PEREZ DE ROJAS", "1970-06-21"), "EB-3", "match"),
    ("typo 1", Traveler(JG, "DE LA CRUZ NAÑES", D1), "EB-1", "match"),
    ("typo 2", Traveler("JOSE GREGORO", "DE LA CURZ NAÑEZ", D1), "EB-1", "match"),
    ("invented Y/I", Traveler("IUSMARY", "ARGÜELLO ZAMBRANO", "1990-11-07"), "EB-2", "match"),
    ("invented W/GU", Traveler("GUILMER", "GONZALEZ PEREZ", "1992-08-30"), "EB-4", "match"),
    ("doubled letter", Traveler("YUSMARYY", "ARGÜELLO ZAMBRANO", "1990-11-07"), "EB-2", "match"),
    ("cédula dotted, no date", Traveler("JOSE", "CRUZ", "", "V-12.345.678"), "EB-1", "match"),
    ("cédula bare digits", Traveler("JOSE", "CRUZ", "", "12345678"), "EB-1", "match"),
    ("cédula as document number", Traveler("JOSE", "CRUZ", "", "", "12345678"), "EB-1", "match"),
    ("birth day/month swapped", Traveler(JG, DC, "1985-04-03"), "EB-1", "match"),
    ("birth one digit", Traveler(JG, DC, "1985-03-05"), "EB-1", "possible"),
    ("name only, rare", Traveler(JG, DC), "EB-1", "possible"),
    ("namesake, own date", Traveler(JG, DC, "1979-12-30"), "", "no_match"),
    ("relative", Traveler("LUISA", "DE LA CRUZ NANEZ", "1988-01-01"), "", "no_match"),
    ("twin", Traveler("LUISA", "DE LA CRUZ NANEZ", D1), "", "no_match"),
    ("stranger", Traveler("PEDRO", "MARCANO SUCRE", "1960-01-01"), "", "no_match"),
    # a contradiction is evidence, not proof: outweighed when everything else agrees strongly
    ("first given name replaced, cédula and birth date agree",
     Traveler("PEDRO", DC, D1, "V-12345678"), "EB-1", "match"),
    ("first given name replaced, birth date only", Traveler("PEDRO", DC, D1), "", "no_match"),
    ("first given name replaced, birth date differs, cédula exact",
     Traveler("PEDRO", DC, "1979-12-30", "V-12345678"), "EB-1", "match"),
    ("full name and birth date, cédula differs", Traveler(JG, DC, D1, "V-87654321"), "EB-1",
     "match"),
    ("namesake, own date and cédula", Traveler(JG, DC, "1979-12-30", "V-87654321"), "",
     "no_match"),
    ("given names and surnames in each other's fields",
     Traveler("GONZALEZ PEREZ", "WILMER", "1992-08-30"), "EB-4", "match"),
    ("cédula with two digits swapped, birth date", Traveler(JG, DC, D1, "V-12345687"), "EB-1",
     "match"),
    ("birth date with two digits swapped, cédula", Traveler(JG, DC, "1958-03-04", "V-12345678"),
     "EB-1", "match"),
    ("birth date with two digits swapped, name only", Traveler(JG, DC, "1958-03-04"), "EB-1",
     "possible"),
    # a cédula one digit off or with two adjacent digits swapped identifies with the full name
    # (a namesake's is any other number), but not with another given name or birth date
    ("cédula with two digits swapped, name, no date", Traveler(JG, DC, "", "V-12345687"), "EB-1",
     "match"),
    ("cédula one digit off, name, no date", Traveler("JOSE", "DE LA CRUZ", "", "V-12345679"),
     "EB-1", "match"),
    ("cédula one digit off, first given name replaced", Traveler("PEDRO", DC, "", "V-12345679"),
     "EB-1", "possible"),
    ("cédula one digit off, birth date differs", Traveler(JG, DC, "1979-12-30", "V-12345679"),
     "EB-1", "possible"),
    ("cédula one digit off, surname only", Traveler("", "DE LA CRUZ NANEZ", "", "V-12345679"),
     "EB-1", "possible"),
    ("surname written in two words", Traveler("YUSMARY", "ARGÜE LLO ZAMBRANO", "1990-11-07"),
     "EB-2", "match"),
    ("given name written in two words", Traveler("YUS MARY", "ARGÜELLO ZAMBRANO", "1990-11-07"),
     "EB-2", "match"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "traveler", "serial", "verdict"), CASES, ids=[c[0] for c in CASES]
)
def test_case(case: str, traveler: Traveler, serial: str, verdict: str) -> None:
    result = MATCHER.match(traveler)
    assert (result.serial_number, result.verdict.value) == (serial, verdict), result.reasons()
    assert 0.0 <= result.score <= 1.0


@pytest.mark.parametrize(
    ("traveler", "phrase"),
    [
        (Traveler("PEDRO", DC, D1, "V-12345678"), "given name PEDRO differs from JOSE"),
        (Traveler("GONZALEZ PEREZ", "WILMER", "1992-08-30"), "written in each other's fields"),
        (Traveler(JG, DC, D1, "V-12345687"), "cédula two adjacent digits swapped"),
        (Traveler(JG, DC, "1958-03-04", "V-12345678"), "birth date two adjacent digits swapped"),
        (Traveler("YUSMARY", "ARGÜE LLO ZAMBRANO", "1990-11-07"), "written in two words"),
        (Traveler("YUS MARY", "ARGÜELLO ZAMBRANO", "1990-11-07"), "written in two words"),
        (Traveler(JG, DC, D1, "V-87654321"), "cédula differs"),
    ],
)
def test_soft_evidence_is_named(traveler: Traveler, phrase: str) -> None:
    assert phrase in MATCHER.match(traveler).reasons()


def test_score_is_consistent_with_the_verdict() -> None:
    """`match` only at 0.95 or more; `no_match` only under 0.05."""
    for _, traveler, _, _ in CASES:
        result = MATCHER.match(traveler)
        if result.verdict is Verdict.MATCH:
            assert result.score >= 0.95, result.reasons()
        if result.verdict is Verdict.NO_MATCH:
            assert result.score < 0.05, result.reasons()


def test_an_exact_cedula_rules_out_a_relative() -> None:
    """Another first given name with the member's surnames and birth date is what a brother or
    a twin shows, so the surnames are capped and the birth date weighs as a twin's; with the
    member's exact cédula the other person would be a stranger with that number by a slip (a
    relative has their own), so the surnames and the birth date count in full."""
    kin = MATCHER.match(Traveler("PEDRO", DC, D1)).best
    same = MATCHER.match(Traveler("PEDRO", DC, D1, "V-12345678")).best
    assert kin is not None and same is not None
    assert kin.serial_number == same.serial_number == "EB-1"
    kin_text, same_text = kin.explain(), same.explain()
    assert "a family bears them" in kin_text and "as a twin's would be" in kin_text
    assert "a family bears them" not in same_text and "as a twin's" not in same_text
    assert "birth date exact (+9.5)" in same_text


def test_explanation_names_how_each_field_agreed() -> None:
    result = MATCHER.match(Traveler("JOSE G.", "CRUZ NANES", "1985-04-03"))
    text = result.reasons()
    for how in ("initial", "particle differs", "sound", "day and month swapped", "(+"):
        assert how in text, text


def test_namesake_with_name_only_is_possible_never_match() -> None:
    roll = [member("A-1", "JOSÉ", "GONZÁLEZ RODRÍGUEZ", "1980-01-01"),
            member("A-2", "JOSÉ", "GONZÁLEZ RODRÍGUEZ", "1990-05-05"), *FILLER]  # fmt: skip
    result = Matcher.from_members(roll).match(Traveler("JOSE", "GONZALEZ RODRIGUEZ"))
    assert result.verdict is Verdict.POSSIBLE
    assert "runner-up" in result.reasons()


def test_rare_full_name_alone_beats_common_full_name_alone() -> None:
    roll = [
        *FILLER,
        member("R-1", "ANACLETO", "ZAKHOUR BRICEÑO"),
        member("C-1", "JOSÉ", "GONZÁLEZ RODRÍGUEZ"),
    ]
    matcher = Matcher.from_members(roll)
    rare = matcher.match(Traveler("ANACLETO", "ZAKHOUR BRICENO"))
    common = matcher.match(Traveler("JOSE", "GONZALEZ RODRIGUEZ"))
    assert rare.score > common.score
    assert rare.verdict is not Verdict.MATCH and common.verdict is not Verdict.MATCH


RENDERINGS: dict[str, Callable[[str], str]] = {
    "fold": lambda w: fold(w),
    "lower": lambda w: w.lower(),
    "enye_nn": lambda w: fold(w.replace("Ñ", "NN")),
    "mrz": lambda w: fold(w).replace(" ", "<"),
}
WORD = st.text(alphabet="ABCDEFGHIJLMNÑOPRSTUVYZÁÉÍÓÚ", min_size=3, max_size=10)


@settings(max_examples=200, deadline=None)
@given(g=WORD, s1=WORD, s2=WORD, how=st.sampled_from(sorted(RENDERINGS)))
def test_a_name_matches_itself_under_any_rendering(g: str, s1: str, s2: str, how: str) -> None:
    render = RENDERINGS[how]
    matcher = Matcher.from_members([*FILLER, member("X-1", g, f"{s1} {s2}", "1975-07-15")])
    result = matcher.match(Traveler(render(g), render(f"{s1} {s2}"), "1975-07-15"))
    assert result.serial_number == "X-1" and result.verdict is Verdict.MATCH, result.reasons()


@settings(max_examples=50, deadline=None)
@given(g=WORD, s=WORD)
def test_matching_is_deterministic(g: str, s: str) -> None:
    traveler = Traveler(g, f"{s} GONZALEZ")
    first = MATCHER.match(traveler)
    assert MATCHER.match(traveler) == first
    assert (
        Matcher.from_members([*FILLER, TARGET, ARGUELLO, MARRIED, JOINT]).match(traveler) == first
    )


def test_word_agreements() -> None:
    assert compare_words("YUSMARY", "YUSMARI").how == "sound"
    assert compare_words("WILMER", "GUILMER").how == "sound"
    assert compare_words("NANNEZ", "NANEZ").how == "spelling"
    assert compare_words("ALEJ", "ALEJANDRA", True).how == "cut"
    assert compare_words("ALEJ", "ALEJANDRA").how == "none"


def test_a_slip_weighs_by_who_else_would_show_it() -> None:
    """A typo that makes no name (PERLATA) is shown by strangers only when they bear the
    member's word and slip the same way: it weighs nearly what the word does. A typo that makes
    another common name (PERALES for PERALTA) is shown by everyone bearing that name: little."""
    names = [
        *(parse_name("JOSE", "PERALTA GIL") for _ in range(40)),
        *(parse_name("LUIS", "PERALES DIAZ") for _ in range(400)),
        *(parse_name("ANA", f"SUAREZ{i} DIAZ") for i in range(3000)),
    ]
    freq = NameFrequencies.of(names)
    roll = Identity(parse_name("JOSE", "PERALTA GIL"))

    def surname_weight(shown: str) -> tuple[str, float]:
        evidence = compare(Identity(parse_name("JOSE", f"{shown} GIL")), roll, freq).evidence
        found = {e.label: e for e in evidence}[f"surname {shown}"]
        return found.how, found.weight

    exact, slip, other = (surname_weight(w) for w in ("PERALTA", "PERLATA", "PERALES"))
    assert (exact[0], slip[0], other[0]) == ("exact", "typo", "typo")
    assert exact[1] - 0.5 < slip[1] < exact[1]
    assert other[1] < 1.0 and other[1] < slip[1] - 2


def test_an_exchange_costs_by_who_bears_the_name_as_written() -> None:
    """Fields exchanged (`GAWTHROP` as the given name, `CATHERINE` as the surname): when nobody
    on the roll bears the name as written, the exchange is the only reading and costs little;
    when many do (given name CRUZ, surname LEON: both common in those fields), it costs as much
    as the rate of exchanges says (log 0.02)."""
    names = [
        *(parse_name("CATHERINE", f"GAWTHROP{i} DIAZ") for i in range(30)),
        *(parse_name(f"ANA{i}", "GAWTHROP DIAZ") for i in range(30)),
        *(parse_name("CRUZ", f"LEON{i} DIAZ") for i in range(300)),
        *(parse_name(f"LUIS{i}", "LEON DIAZ") for i in range(300)),
        *(parse_name("LEON", f"CRUZ{i} DIAZ") for i in range(30)),
        *(parse_name(f"JOSE{i}", "CRUZ DIAZ") for i in range(30)),
        *(parse_name("ANA", f"SUAREZ{i} DIAZ") for i in range(3000)),
    ]
    freq = NameFrequencies.of(names)

    def exchange_cost(given: str, surname: str) -> float:
        member = Identity(parse_name(given, f"{surname} DIAZ"))
        traveler = Identity(parse_name(surname, f"{given} DIAZ"))
        evidence = {e.kind: e for e in compare(traveler, member, freq).evidence}
        return evidence["swap"].weight

    assert exchange_cost("CATHERINE", "GAWTHROP") > -1.0
    assert exchange_cost("LEON", "CRUZ") < -3.0
