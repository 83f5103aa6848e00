"""Verification's rebuilt roll: a person with no order after their enlistment is expected on
the roll exactly as the fold of their enlistment alone would put them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from muster.domain.kinds import Category, OrderKind
from muster.domain.roll import OrderFacts
from muster.registry.replay import FoldContext, RebuiltRoll, rebuild_enlisted
from muster.registry.verify import VerifyReport

ENLISTMENT = OrderFacts(7, "ENL-1", OrderKind.ENLISTMENT, date(2018, 1, 1))
FIRST = 101

names = st.text(alphabet=st.characters(max_codepoint=0x2FF), min_size=0, max_size=12)
rows = st.lists(
    st.tuples(
        st.sampled_from(["GNB-0000001", "gnb-0000001", "EB-Ñ1", "eb-ñ1", "AB-2"]),
        st.text(min_size=1, max_size=4).map(lambda s: f"V-{s}"),
        names,
        names,
        st.dates(date(1900, 1, 1), date(2010, 12, 31)).map(date.isoformat),
        st.sampled_from(["M", "F"]),
        st.sampled_from(["GNB", "EB"]),
        st.one_of(st.none(), st.sampled_from(["Sargento Primero", "Capitán"])),
        st.sampled_from([c.value for c in Category]),
        st.sampled_from(["Unidad 1", "Unidad 2"]),
    ).map(list),
    min_size=1,
    max_size=8,
)


def rebuilt(enlisted: list[list[Any]], fold_everyone: bool) -> RebuiltRoll:
    """The roll rebuilt from one enlistment; `fold_everyone` sends each person through the
    fold (with no later orders), as a person with orders after their enlistment goes."""
    roll = RebuiltRoll({}, {}, {}, {})
    later = {FIRST + i: [] for i in range(len(enlisted))} if fold_everyone else {}
    report = VerifyReport()
    rebuild_enlisted(roll, report, FoldContext({}, {}), later, ENLISTMENT, FIRST, enlisted)
    assert report.ok, report.problems
    return roll


@settings(max_examples=200)
@given(rows)
@example(
    [
        [
            "GNB-1",
            "V-1",
            "JOSÉ  GREGORIO ",
            "\u00a0PÉREZ",
            "19800102",
            "M",
            "GNB",
            None,
            "reserve",
            "U",
        ],
        ["gnb-1", "V-2", "", "ǄÆØ ß", "1980-01-02", "F", "EB", "Capitán", "active", "U"],
    ]
)
def test_a_person_without_later_orders_is_expected_as_the_fold_gives(
    enlisted: list[list[Any]],
) -> None:
    assert rebuilt(enlisted, fold_everyone=False).people == rebuilt(enlisted, True).people


def test_an_unknown_category_is_refused_on_both_paths() -> None:
    row = ["GNB-1", "V-1", "ANA", "PÉREZ", "1980-01-02", "F", "GNB", None, "retired", "U"]
    for fold_everyone in (False, True):
        with pytest.raises(ValueError, match="'retired' is not a valid Category"):
            rebuilt([row], fold_everyone)
