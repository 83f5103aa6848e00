"""Other identifying attributes (`Member.attributes`, `Traveler.attributes`): weighed the
Fellegi-Sunter way with frequencies learnt from the roll, shown in the evidence, and without
effect when not carried on both sides."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from muster.matching import Matcher, Member, Traveler, Verdict
from muster.matching.frequencies import AttributeFrequencies
from muster.matching.index import CandidateIndex
from muster.matching.scoring import LLR, M_ATTRIBUTE, Identity, compare

GIVEN = ("JOSÉ", "LUIS", "CARLOS", "JUAN", "MARÍA", "ANA", "PEDRO", "JESÚS", "ROSA", "ELENA")
SURNAMES = ("GONZÁLEZ RODRÍGUEZ", "PÉREZ GONZÁLEZ", "RODRÍGUEZ PÉREZ", "HERNÁNDEZ GARCÍA",
            "GARCÍA LÓPEZ", "MARTÍNEZ DÍAZ", "LÓPEZ HERNÁNDEZ", "DÍAZ MARTÍNEZ")  # fmt: skip
PLACES = ("CARACAS", "CARACAS", "CARACAS", "MARACAIBO", "VALENCIA")  # CARACAS the commonest


def filler(count: int, **attributes: bool) -> list[Member]:
    """`count` members with common names; a place of birth (mostly CARACAS) and, when asked,
    a postcode and street number of their own."""
    members = []
    for i in range(count):
        carried = {"place_of_birth": PLACES[i % len(PLACES)]}
        if attributes.get("address"):
            carried |= {"postcode": f"{1000 + i}", "street_number": f"{i + 1}"}
        members.append(
            Member(
                f"F-{i}", f"F-{i}", GIVEN[i % len(GIVEN)], SURNAMES[i // len(GIVEN) % 8],
                f"19{50 + i % 40}-{1 + i % 12:02d}-{1 + i % 28:02d}", f"V-{3_000_000 + i}",
                "F" if GIVEN[i % len(GIVEN)] in ("MARÍA", "ANA", "ROSA", "ELENA") else "M",
                carried,
            )
        )  # fmt: skip
    return members


# Two namesakes: the same full name, born in different places.
SENIOR = Member("NS-1", "NS-1", "WILMER ANTONIO", "CHACÓN GUILLÉN", "1960-01-01", "V-5000001",
                "M", {"place_of_birth": "CARACAS"})  # fmt: skip
JUNIOR = Member("NS-2", "NS-2", "WILMER ANTONIO", "CHACÓN GUILLÉN", "1990-02-02", "V-20000002",
                "M", {"place_of_birth": "EL CALLAO"})  # fmt: skip
ROLL = [*filler(200), SENIOR, JUNIOR]
MATCHER = Matcher.from_members(ROLL)
NAME = ("WILMER ANTONIO", "CHACON GUILLEN")


def candidate(result: object, serial: str) -> object:
    return next(c for c in result.candidates if c.serial_number == serial)  # type: ignore[attr-defined]


def attribute_weights(result: object, serial: str) -> dict[str, float]:
    found = candidate(result, serial)
    return {e.label: e.weight for e in found.evidence if e.kind.startswith("attribute")}  # type: ignore[attr-defined]


def test_agreement_on_a_rare_value_outweighs_a_namesake() -> None:
    alone = MATCHER.match(Traveler(*NAME))
    assert alone.verdict is Verdict.POSSIBLE
    assert {c.serial_number for c in alone.candidates[:2]} == {"NS-1", "NS-2"}
    assert alone.candidates[0].score == alone.candidates[1].score  # namesakes, nothing between
    shown = MATCHER.match(Traveler(*NAME, attributes={"place_of_birth": "El Callao"}))
    assert shown.candidates[0].serial_number == "NS-2"
    assert shown.candidates[0].score > 2 * shown.candidates[1].score
    assert shown.verdict is Verdict.POSSIBLE  # one place of birth is no birth date


def test_agreement_weighs_log_m_over_the_share_of_the_value_on_the_roll() -> None:
    values = MATCHER.index.values
    assert values.carrying["place_of_birth"] == len(ROLL)
    caracas = values.values["place_of_birth"]["CARACAS"]
    assert caracas == 3 * 200 // 5 + 1  # the filler's and the senior's
    rare = attribute_weights(
        MATCHER.match(Traveler(*NAME, attributes={"place_of_birth": "EL CALLAO"})), "NS-2"
    )
    common = attribute_weights(
        MATCHER.match(Traveler(*NAME, attributes={"place_of_birth": "CARACAS"})), "NS-1"
    )
    u_rare, u_common = 2 / (len(ROLL) + 2), (caracas + 1) / (len(ROLL) + 2)
    assert rare == {"attribute place_of_birth": pytest.approx(math.log(M_ATTRIBUTE / u_rare))}
    assert common == {"attribute place_of_birth": pytest.approx(math.log(M_ATTRIBUTE / u_common))}
    assert rare["attribute place_of_birth"] > common["attribute place_of_birth"] > 0


def test_disagreement_counts_against() -> None:
    traveler = Traveler(*NAME, "1990-02-02", attributes={"place_of_birth": "MARACAIBO"})
    differing = MATCHER.match(traveler)
    weights = attribute_weights(differing, "NS-2")
    u = 2 / (len(ROLL) + 2)  # EL CALLAO, the member's value
    assert weights == {
        "attribute place_of_birth": pytest.approx(math.log((1 - M_ATTRIBUTE) / (1 - u)))
    }
    shown, _ = traveler.identity()
    plain, _ = Traveler(*NAME, "1990-02-02").identity()
    index = MATCHER.index
    member = index.identity(len(ROLL) - 1)
    lower = compare(shown, member, index.freq, index.values).log_odds
    higher = compare(plain, member, index.freq, index.values).log_odds
    assert lower - higher == pytest.approx(weights["attribute place_of_birth"])
    assert lower < higher
    # a move is no contradiction: the name and the birth date still identify the member
    assert differing.verdict is Verdict.MATCH and differing.serial_number == "NS-2"


def test_blank_or_one_sided_attributes_change_nothing() -> None:
    plain = MATCHER.match(Traveler(*NAME, "1990-02-02"))
    for attributes in (
        {"place_of_birth": "   "},  # blank
        {"postcode": "1010"},  # the roll holds no postcode
        {"place_of_birth": ""},
    ):
        assert MATCHER.match(Traveler(*NAME, "1990-02-02", attributes=attributes)) == plain
    # members without attributes, a traveler with them
    bare = Matcher.from_members([replace(m, attributes={}) for m in ROLL])
    shown = Traveler(*NAME, "1990-02-02", attributes={"place_of_birth": "EL CALLAO"})
    assert bare.match(shown) == bare.match(Traveler(*NAME, "1990-02-02"))


def test_results_without_attributes_are_those_of_a_roll_without_them() -> None:
    bare = Matcher.from_members([replace(m, attributes={}) for m in ROLL])
    assert not bare.index.values.carrying
    travelers = [
        Traveler(*NAME),
        Traveler(*NAME, "1990-02-02"),
        Traveler("WILMER", "CHACON", "", "V-20000002"),
        Traveler("JOSE", "GONZALEZ RODRIGUEZ", "1950-01-01"),
        Traveler("PEDRO", "CHACON GUILLEN", "1990-02-02"),
        Traveler("MARIA", "PEREZ"),
    ]
    for t in travelers:
        assert MATCHER.match(t) == bare.match(t)
    # and the comparison itself: no attribute on one side, no attribute evidence
    identity, _ = travelers[1].identity()
    member = MATCHER.index.identity(len(ROLL) - 1)
    assert member.attributes == (("place_of_birth", "EL CALLAO"),)
    freq = MATCHER.index.freq
    assert compare(identity, member, freq, MATCHER.index.values) == compare(
        identity, Identity(member.name, member.birth_date, member.national_id, member.sex), freq
    )


def test_explanation_names_each_attribute_and_what_it_contributed() -> None:
    result = MATCHER.match(
        Traveler(*NAME, attributes={"place_of_birth": "El Callao", "shoe_size": "42"})
    )
    best = result.candidates[0]
    weight = attribute_weights(result, "NS-2")["attribute place_of_birth"]
    assert f"attribute place_of_birth agrees ({weight:+.1f})" in best.explain()
    assert "shoe_size" not in best.explain()  # carried on one side only
    assert f"attribute place_of_birth agrees ({weight:+.1f})" in result.reasons()
    other = MATCHER.match(Traveler(*NAME, attributes={"place_of_birth": "CUMANA"}))
    explained = {c.serial_number: c.explain() for c in other.candidates}
    assert "attribute place_of_birth differs (EL CALLAO) (-2.3)" in explained["NS-2"]
    assert "attribute place_of_birth differs (CARACAS)" in explained["NS-1"]


def test_attributes_as_telling_as_a_birth_date_confirm_a_name_but_not_a_relative() -> None:
    roll = filler(300, address=True)
    member = Member("AD-1", "AD-1", "YUSMARY", "ARGÜELLO ZAMBRANO", "1990-11-07", "V-18000111",
                    "F", {"postcode": "9999", "street_number": "777"})  # fmt: skip
    matcher = Matcher.from_members([*roll, member])
    address = {"postcode": "9999", "street_number": "777"}
    # the name and another cédula: a namesake's, unless the address says otherwise
    plain = matcher.match(Traveler("YUSMARY", "ARGUELLO ZAMBRANO", "", "V-18000999"))
    assert plain.verdict is not Verdict.MATCH
    found = matcher.match(Traveler("YUSMARY", "ARGUELLO ZAMBRANO", "", "V-18000999",
                                   attributes=address))  # fmt: skip
    weights = attribute_weights(found, "AD-1")
    assert sum(weights.values()) >= LLR["birth_exact"]
    assert found.verdict is Verdict.MATCH and found.serial_number == "AD-1"
    # name only, the address alone (no cédula shown)
    alone = matcher.match(Traveler("YUSMARY", "ARGUELLO ZAMBRANO", attributes=address))
    assert alone.verdict is Verdict.MATCH and alone.serial_number == "AD-1"
    # one of the two: not as telling as a birth date
    half = matcher.match(Traveler("YUSMARY", "ARGUELLO ZAMBRANO", "", "V-18000999",
                                  attributes={"postcode": "9999"}))  # fmt: skip
    assert half.verdict is Verdict.POSSIBLE
    assert "neither cédula, birth date nor other attributes confirm it" in half.reasons()
    # a sister at the same address with the member's birth date: still not a `match`
    sister = matcher.match(Traveler("LUISANA", "ARGUELLO ZAMBRANO", "1990-11-07", "V-18000112",
                                    attributes=address))  # fmt: skip
    assert sister.verdict is Verdict.POSSIBLE
    assert "the first given name does not agree" in sister.reasons()
    # the same name born another day at the same address (a father named alike): not a `match`
    father = matcher.match(Traveler("YUSMARY", "ARGUELLO ZAMBRANO", "1960-01-01",
                                    attributes=address))  # fmt: skip
    assert father.verdict is not Verdict.MATCH


def test_m_is_overridable_per_attribute() -> None:
    traveler = Traveler(*NAME, attributes={"place_of_birth": "EL CALLAO"})
    sure = Matcher(MATCHER.index, attribute_m={"place_of_birth": 0.99})
    u = 2 / (len(ROLL) + 2)
    weights = attribute_weights(sure.match(traveler), "NS-2")
    assert weights == {"attribute place_of_birth": pytest.approx(math.log(0.99 / u))}
    differing = Traveler(*NAME, attributes={"place_of_birth": "CUMANA"})
    weights = attribute_weights(sure.match(differing), "NS-2")
    assert weights == {"attribute place_of_birth": pytest.approx(math.log(0.01 / (1 - u)))}
    with pytest.raises(ValueError, match="between 0 and 1"):
        Matcher(MATCHER.index, attribute_m={"postcode": 1.0})


def test_frequencies_follow_enlistments_and_amendments(tmp_path: Path) -> None:
    matcher = Matcher.from_members(ROLL)
    values = matcher.index.values
    assert values.share("place_of_birth", "EL CALLAO") == 2 / (len(ROLL) + 2)
    matcher.add(Member("NS-3", "NS-3", "ANA", "CHACÓN", "1995-05-05", "V-25000003", "F",
                       {"place_of_birth": "el  callao", "postcode": "1010"}))  # fmt: skip
    values = matcher.index.values
    assert values.values["place_of_birth"]["EL CALLAO"] == 2
    assert values.carrying["postcode"] == 1 and values.carrying["place_of_birth"] == len(ROLL) + 1
    matcher.add(Member("NS-3", "NS-3", "ANA", "CHACÓN", "1995-05-05", "V-25000003", "F",
                          {"place_of_birth": "MATURÍN"}))  # fmt: skip
    values = matcher.index.values
    assert values.values["place_of_birth"]["EL CALLAO"] == 1
    assert values.values["place_of_birth"]["MATURIN"] == 1
    assert values.carrying["postcode"] == 0
    assert matcher.index.member(len(ROLL)).attributes == {"place_of_birth": "MATURIN"}
    # the saved index keeps them: same members, same frequencies, same answers
    path = tmp_path / "roll.npz"
    matcher.save(path)
    loaded = Matcher.load(path)
    assert loaded.index.values.values["place_of_birth"] == values.values["place_of_birth"]
    assert loaded.index.values.carrying["place_of_birth"] == len(ROLL) + 1
    assert loaded.index.member(len(ROLL) - 1).attributes == {"place_of_birth": "EL CALLAO"}
    traveler = Traveler(*NAME, attributes={"place_of_birth": "EL CALLAO"})
    assert loaded.match(traveler) == matcher.match(traveler)


def test_attribute_frequencies_count_and_forget() -> None:
    table = AttributeFrequencies()
    table.add((("postcode", "1010"), ("street_number", "7")))
    table.add((("postcode", "1010"),))
    assert table.share("postcode", "1010") == 3 / 4
    assert table.share("postcode", "2020") == 1 / 4
    assert table.share("street_number", "7") == 2 / 3
    table.add((("postcode", "1010"),), sign=-1)
    assert table.share("postcode", "1010") == 2 / 3
    built = CandidateIndex.build(ROLL)
    assert built.values.values == MATCHER.index.values.values
