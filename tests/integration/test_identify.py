"""Finding travelers on the roll: by cédula or birth date, scored by name frequency."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select

from muster.domain.kinds import OrderKind as K
from muster.services.identify import ScoredLookup, Traveler
from muster.store.tables import roll
from tests.factories import enlist, new_authority, new_registry, roll_rows


def test_scored_lookup(engine: Engine) -> None:
    new_registry(engine)
    clerk = new_authority(engine, "REG-GNB", [K.ENLISTMENT], ["GNB"])
    rows = roll_rows(40)
    rows.append(
        [
            "GNB-9000001",
            "V-30000001",
            "YUSMARY",
            "URDANETA ECHEVERRÍA",
            "1991-07-21",
            "F",
            "GNB",
            "Distinguido",
            "active",
            "Unidad 1",
        ]
    )
    rows.append(
        [
            "GNB-9000002",
            "V-30000002",
            "LEOMARIS",
            "URDANETA ECHEVERRÍA",
            "1991-07-21",
            "F",
            "GNB",
            "Distinguido",
            "active",
            "Unidad 1",
        ]
    )  # her twin sister
    enlist(engine, clerk, rows, "ENL-1")
    with engine.connect() as conn:
        lookup = ScoredLookup.from_roll(conn)
        yusmary = lookup.identify(
            conn, Traveler("YUSMARI", "URDANETA ECHEVERRIA", date(1991, 7, 21))
        )
        twin = lookup.identify(conn, Traveler("MARIA", "URDANETA ECHEVERRIA", date(1991, 7, 21)))
        by_cedula = lookup.identify(conn, Traveler("YUSMARY", "URDANETA", None, "30.000.001"))
        swapped = lookup.identify(
            conn, Traveler("YUSMARY", "URDANETA ECHEVERRIA", date(1991, 7, 21).replace(month=7))
        )
        nothing = lookup.identify(conn, Traveler("YUSMARY", "URDANETA ECHEVERRIA"))
        first = conn.execute(
            select(roll.c.person_id).where(roll.c.national_id == "V-30000001")
        ).scalar_one()
    assert (yusmary.verdict, yusmary.person_id) == ("match", first)
    assert any("sound" in r for r in yusmary.reasons)  # YUSMARI / YUSMARY
    assert twin.verdict != "match"
    assert (by_cedula.verdict, by_cedula.person_id) == ("match", first)
    assert swapped.person_id == first
    assert (
        nothing.verdict == "no_match" and "neither a cédula nor a birth date" in nothing.reasons[0]
    )
