"""Every naming variation of Venezuelan identities the matcher claims to handle, as real pairs.

Each case is a member as the roll writes them and the same person as a border post sees them,
checked through the real `Matcher` on a roll with realistic name frequencies that also holds
the people most easily confused with them: namesakes, siblings, a twin, a father, common names.
A case fails if the matcher names the wrong person, gives the wrong verdict, or cannot say how
the names agreed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from muster.demo.population import generate_roll
from muster.demo.travelers import as_member
from muster.matching import Candidate, Matcher, Member, Traveler, Verdict
from muster.matching.evidence import NAME_KINDS
from muster.matching.normalize import fold, parse_birth_date, parse_mrz_name, parse_name
from muster.matching.words import M_CUT


def person(key: str, given: str, surnames: str, born: str, nid: str, sex: str) -> Member:
    return Member(key, key, given, surnames, born, nid, sex)


PEOPLE = [
    person("MJ", "MARÍA JOSÉ", "PEÑA DE LA CRUZ", "1987-05-14", "V-16789012", "F"),
    person("MJ2", "MARÍA JOSÉ", "PEÑA DE LA CRUZ", "1990-02-27", "V-19555123", "F"),  # namesake
    person("AK", "ANA KARINA", "PEÑA DE LA CRUZ", "1989-08-01", "V-18444555", "F"),  # sister
    person("YO", "YORMAN ALEXIS", "RIVAS MONTILLA", "1995-09-03", "V-23456789", "M"),
    person("LA", "LUIS ALBERTO", "RIVAS MONTILLA", "1995-09-03", "V-23456790", "M"),  # his twin
    person("WI", "WILMER ANTONIO", "CHACÓN GUILLÉN", "1983-12-07", "V-15321654", "M"),
    person("NU", "CARLOS EDUARDO", "NÚÑEZ ARGÜELLO", "1979-11-02", "V-14222333", "M"),
    person("CE", "CARMEN ELENA", "PÉREZ DE GONZÁLEZ", "1972-06-21", "V-9876543", "F"),
    person("RM", "ROSA MARGARITA", "SALAZAR RONDÓN", "1980-09-25", "V-13555777", "F"),
    person("MA", "MARÍA ALEJANDRA", "BETANCOURT DE LA CONCEPCIÓN", "1992-03-15", "V-20111222", "F"),
    person("MC", "MARCOS", "CASTELLANO DE LA CONCEPCIÓN", "1985-02-20", "V-17000222", "M"),
    person("DV", "JESÚS RAFAEL", "DEL VALLE DE LOS SANTOS", "1981-07-30", "V-14999888", "M"),
    person("GP", "ROSMARY", "GONZÁLEZ PÉREZ", "1993-04-11", "E-84123456", "F"),
    person("YU", "YUSMARY", "ARGÜELLO ZAMBRANO", "1990-11-07", "V-18000111", "F"),
    person("NA", "NATHALY", "MARCANO SALAZAR", "1996-01-25", "V-24777666", "F"),
    person("DA", "DAYANA", "LÓPEZ RONDÓN", "1994-10-09", "V-22333444", "F"),
    person("BE", "BELKIS", "BRICEÑO SOSA", "1977-04-04", "V-12000333", "F"),
    person("FJ", "FRANCISCO JAVIER", "ECHEVERRÍA BUSTAMANTE", "1990-10-10", "V-19000444", "M"),
    person("JB", "JESÚS", "BRICEÑO BRACHO", "1960-02-27", "V-5111222", "M"),
    person("EU", "ELENA", "URDANETA FARÍAS", "1966-08-12", "V-6333444", "F"),
]


def background() -> list[Member]:
    """Synthetic members with realistic name frequencies, none sharing a case's name or cédula."""
    taken = {m.national_id for m in PEOPLE}
    names = {(fold(m.given_names), fold(m.surnames)) for m in PEOPLE}
    return [
        as_member(p)
        for p in generate_roll(1500, 1811)
        if p.national_id not in taken and (fold(p.given_names), fold(p.surnames)) not in names
    ]


ROLL = [*background(), *PEOPLE]
MATCHER = Matcher.from_members(ROLL)


@dataclass(frozen=True)
class Case:
    """A traveler as presented, who they are (blank: nobody), the verdict and how it is told."""

    traveler: Traveler
    serial: str
    verdict: Verdict
    told: tuple[str, ...] = ()  # phrases the best candidate's evidence (or the notes) must hold


M, P, N = Verdict.MATCH, Verdict.POSSIBLE, Verdict.NO_MATCH
# The machine-readable name fields below are cut at the field's length: 39 characters in a
# passport (TD3), 31 in a TD2 document; a full TD3 line 1 is 44.
TD3_PADDED = "PENA<DE<LA<CRUZ<<MARIA<JOSE<<<<<<<<<<<<"
TD3_LINE1 = "P<VENPENA<DE<LA<CRUZ<<MARIA<JOSE<<<<<<<<<<<<"
TD3_CUT = "BETANCOURT<DE<LA<CONCEPCION<<MARIA<ALEJ"
TD2_CUT = "CASTELLANO<DE<LA<CONCEPCION<<MA"
MJ, D_MJ = ("MARIA JOSE", "PENA DE LA CRUZ"), "1987-05-14"

CASES: dict[str, Case] = {
    # accents and case
    "accents dropped, lower case": Case(
        Traveler("maria jose", "pena de la cruz", D_MJ), "MJ", M,
        ("given name MARIA exact", "given name JOSE exact", "surname PENA exact",
         "surname DE LA CRUZ exact", "birth date exact"),
    ),
    "accents kept, mixed case": Case(
        Traveler("María José", "Peña de la Cruz", D_MJ), "MJ", M, ("surname PENA exact",)
    ),
    # Ñ written N, NN or NXX; Ü written U or UE
    "Ñ as N": Case(
        Traveler("CARLOS EDUARDO", "NUNEZ ARGÜELLO", "1979-11-02"), "NU", M,
        ("surname NUNEZ exact",),
    ),
    "Ñ as NN": Case(
        Traveler("CARLOS EDUARDO", "NUNNEZ ARGÜELLO", "1979-11-02"), "NU", M,
        ("surname NUNNEZ spelling",),
    ),
    "Ñ as NXX in a zone": Case(
        Traveler("CARLOS<EDUARDO", "NUNXXEZ<ARGUEELLO", "791102"), "NU", M,
        ("surname NUNXXEZ spelling", "surname ARGUEELLO spelling"),
    ),
    "Ü as U": Case(
        Traveler("YUSMARY", "ARGUELLO ZAMBRANO", "1990-11-07"), "YU", M,
        ("surname ARGUELLO exact",),
    ),
    "Ü as UE": Case(
        Traveler("YUSMARY", "ARGUEELLO ZAMBRANO", "1990-11-07"), "YU", M,
        ("surname ARGUEELLO spelling",),
    ),
    # the machine-readable zone
    "zone name field, padded, in one field": Case(
        Traveler("", TD3_PADDED, "870514"), "MJ", M,
        ("given name MARIA exact", "given name JOSE exact", "surname DE LA CRUZ exact"),
    ),
    "zone line 1 in one field": Case(
        Traveler("", TD3_LINE1, "870514"), "MJ", M,
        ("given name MARIA exact", "surname PENA exact", "surname DE LA CRUZ exact"),
    ),
    "zone name split in two fields": Case(
        Traveler("MARIA<JOSE<<<<<<<<<<<", "PENA<DE<LA<CRUZ", "870514"), "MJ", M,
        ("given name JOSE exact", "surname DE LA CRUZ exact"),
    ),
    "zone cut in the second given name (TD3)": Case(
        Traveler("", TD3_CUT, "920315"), "MA", M,
        ("given name MARIA exact", "given name ALEJ cut", "surname DE LA CONCEPCION exact"),
    ),
    "zone cut in the first given name (TD2)": Case(
        Traveler("", TD2_CUT, "850220"), "MC", M,
        ("given name MA cut", "surname CASTELLANO exact"),
    ),
    "zone OCR 0/O and 1/I": Case(
        Traveler("MAR1A<J0SE", "PENA<DE<LA<CRUZ", "870514"), "MJ", M,
        ("given name MARIA exact", "given name JOSE exact"),
    ),
    "zone OCR 8/B and 5/S": Case(
        Traveler("8ELKIS", "8RICENO<5OSA", "770404"), "BE", M,
        ("given name BELKIS exact", "surname BRICENO exact", "surname SOSA exact"),
    ),
    # particles written apart, joined, half joined or dropped
    "DE LA joined: DELACRUZ": Case(
        Traveler("MARIA JOSE", "PENA DELACRUZ", D_MJ), "MJ", M, ("surname DE LA CRUZ exact",)
    ),
    "DE LA half joined: DELA CRUZ": Case(
        Traveler("MARIA JOSE", "PENA DELA CRUZ", D_MJ), "MJ", M, ("surname DE LA CRUZ exact",)
    ),
    "DE LA dropped: CRUZ": Case(
        Traveler("MARIA JOSE", "PENA CRUZ", D_MJ), "MJ", M,
        ("surname CRUZ exact, particle differs",),
    ),
    "DEL and DE LOS joined": Case(
        Traveler("JESUS RAFAEL", "DELVALLE DELOSSANTOS", "1981-07-30"), "DV", M,
        ("surname DELVALLE exact, particle differs", "surname DE LOS SANTOS exact"),
    ),
    "DEL and DE LOS dropped": Case(
        Traveler("JESUS RAFAEL", "VALLE SANTOS", "1981-07-30"), "DV", M,
        ("surname VALLE exact, particle differs", "surname SANTOS exact, particle differs"),
    ),
    # surnames joined by a hyphen or nothing, swapped, the second one missing
    "surnames hyphen-joined": Case(
        Traveler("WILMER ANTONIO", "CHACON-GUILLEN", "1983-12-07"), "WI", M,
        ("surname CHACON exact", "surname GUILLEN exact"),
    ),
    "surnames joined as one word": Case(
        Traveler("WILMER ANTONIO", "CHACONGUILLEN", "1983-12-07"), "WI", M,
        ("surname CHACONGUILLEN both surnames joined",),
    ),
    "surnames joined as one word, with the particle": Case(
        Traveler("MARIA JOSE", "PENADELACRUZ", D_MJ), "MJ", M,
        ("surname PENADELACRUZ both surnames joined",),
    ),
    "surnames swapped": Case(
        Traveler("WILMER ANTONIO", "GUILLEN CHACON", "1983-12-07"), "WI", M,
        ("surname GUILLEN exact, swapped", "surname CHACON exact, swapped"),
    ),
    "second surname missing": Case(
        Traveler("WILMER ANTONIO", "CHACON", "1983-12-07"), "WI", M,
        ("surname CHACON exact", "second surname not shown"),
    ),
    "maternal surname shown alone": Case(
        Traveler("WILMER ANTONIO", "GUILLEN", "1983-12-07"), "WI", M,
        ("surname GUILLEN exact, the member's second surname", "first surname not shown"),
    ),
    "second surname missing, with particle": Case(
        Traveler("JESUS RAFAEL", "DEL VALLE", "1981-07-30"), "DV", M,
        ("surname DEL VALLE exact", "second surname not shown"),
    ),
    # a second given name dropped, cut to its initial; MA. for MARÍA
    "second given name dropped": Case(
        Traveler("MARIA", MJ[1], D_MJ), "MJ", M, ("given name JOSE not shown",)
    ),
    "second given name as initial": Case(
        Traveler("MARIA J.", MJ[1], D_MJ), "MJ", M, ("given name J initial",)
    ),
    "MA. for MARÍA": Case(Traveler("MA. JOSE", MJ[1], D_MJ), "MJ", M, ("given name MARIA exact",)),
    # a married woman's DE <husband's surname>
    "married name on the roll, DE dropped": Case(
        Traveler("CARMEN ELENA", "PEREZ GONZALEZ", "1972-06-21"), "CE", M,
        ("surname GONZALEZ exact, particle differs, as married name",),
    ),
    "married name shown, not on the roll": Case(
        Traveler("ROSA MARGARITA", "SALAZAR DE MARCANO", "1980-09-25"), "RM", M,
        ("surname SALAZAR exact", "married name DE MARCANO not on the roll, ignored"),
    ),
    "married name with both maiden surnames": Case(
        Traveler("ROSA MARGARITA", "SALAZAR RONDON DE MARCANO", "1980-09-25"), "RM", M,
        ("surname RONDON exact", "married name DE MARCANO not on the roll, ignored"),
    ),
    "married name on both sides": Case(
        Traveler("CARMEN ELENA", "PEREZ DE GONZALEZ", "1972-06-21"), "CE", M,
        ("surname PEREZ exact", "married name DE GONZALEZ exact"),
    ),
    "married name on the roll, not shown": Case(
        Traveler("CARMEN ELENA", "PEREZ", "1972-06-21"), "CE", M,
        ("surname PEREZ exact", "married name DE GONZALEZ not shown"),
    ),
    # typos of one or two characters
    "typo: transposed letters": Case(
        Traveler("FRANCISCO JAVIER", "EHCEVERRIA BUSTAMANTE", "1990-10-10"), "FJ", M,
        ("surname EHCEVERRIA typo",),
    ),
    "typo: two in one surname": Case(
        Traveler("FRANCISCO JAVIER", "ECHEVERRIA BUTSAMNATE", "1990-10-10"), "FJ", M,
        ("surname BUTSAMNATE typo",),
    ),
    "typo: one in each surname": Case(
        Traveler("FRANCISCO JAVIER", "ECHEVERRIAS BUSTAMENTE", "1990-10-10"), "FJ", M,
        ("surname ECHEVERRIAS typo", "surname BUSTAMENTE typo"),
    ),
    "typo: sound-alike S for C and dropped R": Case(
        Traveler("FRANSISCO JAVIER", "ECHEVERIA BUSTAMANTE", "1990-10-10"), "FJ", M,
        ("given name FRANSISCO sound", "surname ECHEVERIA sound"),
    ),
    # invented given names: Y/I/J/LL, W/GU, silent H, doubled letters
    "invented: J for Y (JORMAN)": Case(
        Traveler("JORMAN ALEXIS", "RIVAS MONTILLA", "1995-09-03"), "YO", M,
        ("given name JORMAN sound",),
    ),
    "invented: J for Y, name only (JORMAN RIVAS, found by the spoken key)": Case(
        Traveler("JORMAN", "RIVAS"), "YO", P, ("given name JORMAN sound", "name only")
    ),
    "invented: I for Y (IUSMARY)": Case(
        Traveler("IUSMARY", "ARGÜELLO ZAMBRANO", "1990-11-07"), "YU", M,
        ("given name IUSMARY sound",),
    ),
    "invented: LL for Y (DALLANA)": Case(
        Traveler("DALLANA", "LOPEZ RONDON", "1994-10-09"), "DA", M, ("given name DALLANA sound",)
    ),
    "invented: GU for W (GUILMER)": Case(
        Traveler("GUILMER ANTONIO", "CHACON GUILLEN", "1983-12-07"), "WI", M,
        ("given name GUILMER sound",),
    ),
    "invented: WU for W (WUILMER)": Case(
        Traveler("WUILMER", "CHACON GUILLEN", "1983-12-07"), "WI", M,
        ("given name WUILMER sound",),
    ),
    "invented: silent H, I for Y (NATALI)": Case(
        Traveler("NATALI", "MARCANO SALAZAR", "1996-01-25"), "NA", M, ("given name NATALI sound",)
    ),
    "invented: doubled letter (DAYANNA)": Case(
        Traveler("DAYANNA", "LOPEZ RONDON", "1994-10-09"), "DA", M,
        ("given name DAYANNA spelling",),
    ),
    "invented: doubled L (WILLMER)": Case(
        Traveler("WILLMER ANTONIO", "CHACON GUILLEN", "1983-12-07"), "WI", M,
        ("given name WILLMER sound",),
    ),
    "two slips in a short given name (JSESS), birth date": Case(
        Traveler("JSESS", "BRICENO BRACHO", "1960-02-27"), "JB", P,
        ("two slips from JESUS", "not a match"),
    ),
    "two slips in a short given name (ELAINA), birth date": Case(
        Traveler("ELAINA", "URDANETA FARIAS", "1966-08-12"), "EU", P, ("two slips from ELENA",)
    ),
    "two slips in a short given name, with cédula": Case(
        Traveler("JSESS", "BRICENO BRACHO", "1960-02-27", "V-5.111.222"), "JB", M,
        ("two slips from JESUS", "cédula exact"),
    ),
    "invented: Y for I after C (FRANCYSCO), a typo, name only": Case(
        Traveler("FRANCYSCO", "ECHEVERRIA BUSTAMNATE"), "FJ", P,
        ("given name FRANCYSCO sound", "surname BUSTAMNATE typo", "name only"),
    ),
    # cédulas in any common form, with nothing else but the name
    "cédula V-12.345.678": Case(
        Traveler(*MJ, "", "V-16.789.012"), "MJ", M, ("cédula exact",)
    ),
    "cédula V12345678": Case(Traveler(*MJ, "", "V16789012"), "MJ", M, ("cédula exact",)),
    "cédula V 12345678": Case(Traveler(*MJ, "", "V 16789012"), "MJ", M, ("cédula exact",)),
    "cédula digits only": Case(
        Traveler(*MJ, "", "16789012"), "MJ", M,
        ("cédula exact", "national ID '16789012' has no letter: digits compared"),
    ),
    "cédula dotted, no letter": Case(
        Traveler(*MJ, "", "16.789.012"), "MJ", M, ("cédula exact",)
    ),
    "cédula E-, foreign resident": Case(
        Traveler("ROSMARY", "GONZALEZ PEREZ", "", "E-84.123.456"), "GP", M, ("cédula exact",)
    ),
    "cédula as the document number": Case(
        Traveler(*MJ, "", "", "16789012"), "MJ", M, ("cédula exact, as the document number",)
    ),
    "cédula as the zone's personal number": Case(
        Traveler(*MJ, "", "", "16789012", document_number_field="zone's personal number"),
        "MJ",
        M,
        ("cédula exact, as the zone's personal number",),
    ),
    # birth dates missing, day and month swapped, one digit wrong; the forms documents use
    "birth date DD/MM/YYYY": Case(Traveler(*MJ, "14/05/1987"), "MJ", M, ("birth date exact",)),
    "birth date DD.MM.YYYY": Case(Traveler(*MJ, "14.05.1987"), "MJ", M, ("birth date exact",)),
    "birth date YYYYMMDD": Case(Traveler(*MJ, "19870514"), "MJ", M, ("birth date exact",)),
    "birth date zone YYMMDD": Case(Traveler(*MJ, "870514"), "MJ", M, ("birth date exact",)),
    "birth day and month swapped": Case(
        Traveler("DAYANA", "LOPEZ RONDON", "1994-09-10"), "DA", M,
        ("birth date day and month swapped",),
    ),
    "birth date written month first": Case(
        Traveler(*MJ, "05/14/1987"), "MJ", M,
        ("birth date day and month swapped (written month first)",
         "birth date '05/14/1987' read with day and month swapped"),
    ),
    "birth date one digit wrong, with cédula": Case(
        Traveler(*MJ, "1987-05-15", "V-16789012"), "MJ", M,
        ("cédula exact", "birth date one digit differs"),
    ),
    "birth date one digit wrong, name only": Case(
        Traveler("DAYANA", "LOPEZ RONDON", "1994-10-19"), "DA", P,
        ("birth date one digit differs",),
    ),
    "birth date missing, name only, rare name": Case(
        Traveler("FRANCISCO JAVIER", "ECHEVERRIA BUSTAMANTE"), "FJ", P,
        ("given name FRANCISCO exact", "surname BUSTAMANTE exact"),
    ),
    # a cédula one digit off or with two adjacent digits swapped: with the full name it
    # identifies (a namesake's cédula is any other number); with another given name it does not
    "cédula one digit off, with the name": Case(
        Traveler(*MJ, "", "V-16789013"), "MJ", M, ("cédula one digit differs",)
    ),
    "cédula with two adjacent digits swapped, with the name": Case(
        Traveler("MARIA", "PENA", "", "16789021"), "MJ", M, ("cédula two adjacent digits swapped",)
    ),
    "cédula one digit off, another given name (a sister's may be)": Case(
        Traveler("LUISANA", "PENA DE LA CRUZ", "", "V-16789013"), "MJ", P,
        ("differs from MARIA", "cédula one digit differs", "not a match"),
    ),
    # given names and surnames written in each other's fields, one of them also changed
    "fields exchanged, the other replaced, with cédula": Case(
        Traveler("CHACON GUILLEN", "WILLIAM", "", "V-15321654"), "WI", M,
        ("written in each other's fields", "surname CHACON exact", "cédula exact"),
    ),
    "fields exchanged, a surname written in two words": Case(
        Traveler("ARGÜE LLO", "YUSMARY", "1990-11-07"), "YU", M,
        ("written in each other's fields", "written in two words", "birth date exact"),
    ),
    "fields exchanged, name only (found by the exchanged name's keys)": Case(
        Traveler("CHACON GUILLEN", "WILMER"), "WI", P, ("written in each other's fields",)
    ),
    "cédula with two adjacent digits swapped, both name parts changed": Case(
        Traveler("WILLIAM", "CHACIN", "", "V-15321564"), "WI", P,
        ("cédula two adjacent digits swapped", "not a match"),
    ),
    "given name in two words, name only (found by the joined word's keys)": Case(
        Traveler("YUS MARY", "ARGUELLO"), "YU", P, ("written in two words", "name only")
    ),
    "a given name that is a member's surname, own birth date": Case(
        Traveler("MONTILLA", "PEREZ", "1970-01-01"), "", N
    ),
    # several variations at once, as documents combine them
    "zone in one field, cut, Ñ as N, Ü as U, cédula as document": Case(
        Traveler("", "NUNEZ<ARGUELLO<<CARLOS<ED", "", "", "14222333"), "NU", M,
        ("given name ED cut", "cédula exact, as the document number"),
    ),
    "invented J/Y, LL/Y and B/V, swapped surnames, dotted cédula": Case(
        Traveler("JORMAN", "MONTIYA RIBAS", "", "V-23.456.789"), "YO", M,
        ("given name JORMAN sound", "swapped", "cédula exact"),
    ),
    # people who must be kept apart from the member
    "namesake with own birth date and cédula": Case(
        Traveler(*MJ, "1975-01-30", "V-11222333"), "", N, ("birth date differs",)
    ),
    "namesake showing the name only": Case(
        Traveler(*MJ), "MJ", P, ("name only", "runner-up MJ2")
    ),
    "twin on the roll, own name": Case(
        Traveler("LUIS ALBERTO", "RIVAS MONTILLA", "1995-09-03"), "LA", M,
        ("given name LUIS exact", "birth date exact"),
    ),
    "twin brother not on the roll, given name a letter from his twin's (YORDAN)": Case(
        Traveler("YORDAN", "RIVAS MONTILLA", "1995-09-03"), "YO", P,
        ("itself a given name on the roll", "not a match"),
    ),
    "going by the second given name, birth date only: as a twin would": Case(
        Traveler("ALBERTO", "RIVAS MONTILLA", "1995-09-03"), "LA", P,
        ("member's second given name", "as a twin's would be"),
    ),
    "going by the second given name, with the cédula": Case(
        Traveler("ALBERTO", "RIVAS MONTILLA", "1995-09-03", "V-23.456.790"), "LA", M,
        ("member's second given name", "cédula exact"),
    ),
    "JOSUÉ is not JESÚS mistyped": Case(
        Traveler("JOSUE", "BRICENO BRACHO", "1960-02-27"), "", N, ("differs from JESUS",)
    ),
    "brother not on the roll, twin's birth date": Case(
        # Both twins on the roll share the little probability left: referred, never matched.
        Traveler("JHONNY ALEXANDER", "RIVAS MONTILLA", "1995-09-03"), "LA", P,
        ("differs from", "as a twin's would be", "not a match"),
    ),
    "sister with her sister's birth date": Case(
        Traveler("ANA KARINA", "PENA DE LA CRUZ", "1987-05-14"), "", N, ("differs from",)
    ),
    "father namesake with own cédula": Case(
        Traveler("JESUS RAFAEL", "DEL VALLE DE LOS SANTOS", "1955-03-02", "V-3456789"), "", N,
        ("birth date differs", "cédula differs"),
    ),
    "stranger": Case(Traveler("ANACLETO", "ZAKHOUR BRICENO", "1960-01-01"), "", N),
}  # fmt: skip


def told(traveler: Traveler) -> str:
    """What the officer reads for the best candidate: its evidence, then the input notes."""
    result = MATCHER.match(traveler)
    best = result.best
    return " | ".join([best.explain() if best else "", result.reasons()])


@pytest.mark.parametrize("name", list(CASES))
def test_variation(name: str) -> None:
    case = CASES[name]
    result = MATCHER.match(case.traveler)
    why = result.reasons()
    assert (result.serial_number, result.verdict) == (case.serial, case.verdict), why
    text = told(case.traveler)
    for phrase in case.told:
        assert phrase in text, f"{phrase!r} not in {text!r}"


def test_zone_fields_are_cut_at_the_fields_length() -> None:
    assert (len(TD3_PADDED), len(TD3_CUT), len(TD3_LINE1), len(TD2_CUT)) == (39, 39, 44, 31)


def test_common_name_alone_is_possible_and_weak() -> None:
    """JOSÉ GONZÁLEZ with nothing else: referred at most, never matched, never confident."""
    result = MATCHER.match(Traveler("JOSE", "GONZALEZ"))
    assert result.verdict is Verdict.POSSIBLE, result.reasons()
    assert result.score < 0.2
    best = result.best
    assert best is not None and best.serial_number not in {m.key for m in PEOPLE}
    member = next(m for m in ROLL if m.serial_number == best.serial_number)
    assert fold(member.given_names).split()[0] == "JOSE" and "GONZALEZ" in fold(member.surnames)
    assert "runner-up" in result.reasons()


def test_the_same_variation_weighs_less_than_the_exact_word() -> None:
    """A rendering that could be someone else's name says less than the name as written."""
    base = Traveler("YORMAN ALEXIS", "RIVAS MONTILLA")
    exact = MATCHER.match(base).best
    sound = MATCHER.match(Traveler("JORMAN ALEXIS", "RIVAS MONTILLA")).best
    assert exact is not None and sound is not None
    assert exact.serial_number == sound.serial_number == "YO"
    as_written = {e.label: e for e in exact.evidence}["given name YORMAN"]
    rendered = {e.label: e for e in sound.evidence}["given name JORMAN"]
    assert (as_written.how, rendered.how) == ("exact", "sound")
    assert 0 < rendered.weight < as_written.weight


def test_zone_line_one_and_name_field_starting_like_a_document_code() -> None:
    """`P<VEN` is a document code; `PENA<…`, `CASTRO<…` and `ACOSTA<…` are surnames."""
    for field, paternal in (
        (TD3_LINE1, "PENA"),
        (TD3_PADDED, "PENA"),
        ("CASTRO<RODRIGUEZ<<MARIA<ALEJANDRA<CAROL", "CASTRO"),
        ("ACOSTA<PEREZ<<JOSE<<<<<<<<<<<<<<<<<<<<<", "ACOSTA"),
        ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "ERIKSSON"),
    ):
        name = parse_mrz_name(field)
        assert name.surnames[0].core == paternal, field
        assert name.mrz and name.cut


def test_typed_ma_is_maria_but_a_zone_may_cut_marcos_to_ma() -> None:
    assert parse_name("MA. JOSÉ", "PÉREZ").given == ("MARIA", "JOSE")
    assert parse_name("MA JOSE", "PEREZ").given == ("MARIA", "JOSE")
    assert parse_name("MA<JOSE", "PEREZ").given == ("MARIA", "JOSE")
    assert parse_name("MA", "CASTELLANO<DE<LA<CONCEPCION").given == ("MA",)


@pytest.mark.parametrize(
    ("text", "value", "noted"),
    [("05/14/1987", "1987-05-14", True), ("1987-14-05", "1987-05-14", True),
     ("14/05/1987", "1987-05-14", False), ("13/13/1987", None, True),
     ("31/02/1987", None, True)],
)  # fmt: skip
def test_birth_date_written_month_first(text: str, value: str | None, noted: bool) -> None:
    parsed = parse_birth_date(text)
    assert (parsed.value.isoformat() if parsed.value else None) == value
    assert bool(parsed.note) is noted


def _name_weights(best: Candidate | None) -> dict[str, float]:
    """What each name word of the best candidate added to the log-odds."""
    assert best is not None
    return {e.label: e.weight for e in best.evidence if e.kind in NAME_KINDS}


def test_rare_full_name_alone_is_stronger_than_jose_gonzalez_alone() -> None:
    """Each name word weighs by its share of the roll, learnt from the roll: agreeing on a rare
    given name and surname is much more evidence than agreeing on JOSÉ and GONZÁLEZ."""
    rare = person("ZK", "ANACLETO", "ZAKHOUR BRICEÑO", "1966-01-02", "V-5123456", "M")
    matcher = Matcher.from_members([*ROLL, rare])
    counts = [fold(m.given_names).split()[0] == "JOSE" for m in ROLL]
    assert sum(counts) > 30  # realistic: JOSÉ is the commonest given name on the roll
    rare_alone = matcher.match(Traveler("ANACLETO", "ZAKHOUR"))
    common_alone = matcher.match(Traveler("JOSÉ", "GONZÁLEZ"))
    assert rare_alone.serial_number == "ZK"
    # Calibrated: a rare full name alone is right more often than not, never near certainty (a
    # namesake shows the same); JOSÉ GONZÁLEZ alone is right rarely.
    assert 0.95 > rare_alone.score > 0.5 > 0.2 > common_alone.score
    # A name alone never identifies anyone, however rare: both are referred, neither matched.
    assert rare_alone.verdict is common_alone.verdict is Verdict.POSSIBLE
    rare_w = _name_weights(rare_alone.best)
    common_w = _name_weights(common_alone.best)
    assert rare_w["surname ZAKHOUR"] > common_w["surname GONZALEZ"] + 2
    assert rare_w["given name ANACLETO"] > common_w["given name JOSE"] + 2
    assert sum(rare_w.values()) > sum(common_w.values()) + 5


def test_name_weights_are_learnt_from_the_roll() -> None:
    """The same surname says less on a roll where many bear it."""
    rare = person("ZK", "ANACLETO", "ZAKHOUR BRICEÑO", "1966-01-02", "V-5123456", "M")
    kin = [
        person(f"Z-{i}", "PEDRO", "ZAKHOUR GONZÁLEZ", f"19{50 + i % 40}-03-0{1 + i % 9}",
               f"V-{6_000_000 + i}", "M")
        for i in range(150)
    ]  # fmt: skip
    alone = Matcher.from_members([*ROLL, rare]).match(Traveler("ANACLETO", "ZAKHOUR"))
    among = Matcher.from_members([*ROLL, rare, *kin]).match(Traveler("ANACLETO", "ZAKHOUR"))
    assert alone.serial_number == among.serial_number == "ZK"
    assert (
        _name_weights(among.best)["surname ZAKHOUR"]
        < _name_weights(alone.best)["surname ZAKHOUR"] - 2
    )


def test_a_name_cut_short_weighs_as_the_names_starting_so() -> None:
    """`MA` at a zone's end may be MARCOS, MARÍA, MARIANA…: it says what names starting MA
    say together, far less than MARCOS itself would."""
    best = MATCHER.match(Traveler("", TD2_CUT)).best
    assert best is not None and best.serial_number == "MC"
    weight = _name_weights(best)["given name MA"]
    freq = MATCHER.index.freq
    by_prefix = max(0.0, math.log(M_CUT / freq.prefix_share("MA", given=True)))
    assert weight == pytest.approx(by_prefix, abs=0.01)
    assert weight < math.log(M_CUT / freq.given_share("MARCOS")) - 1
