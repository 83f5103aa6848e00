"""The roll table's values of enlisted rows, as the enlistment stores them."""

from __future__ import annotations

from muster.registry.projection import ENLIST_COLUMNS, roll_values

ROWS = [
    (
        *("gnb-0412345", "V-15874895", "JOSÉ GREGORIO", "GONZÁLEZ PÉREZ", "1988-03-14", "M"),
        *("GNB", "Sargento Primero", "active", "Destacamento 211"),
    ),
    ("EB-1", "E-84123456", "MARÍA", "ÑÁÑEZ", "1990-01-02", "F", "EB", "Soldado", "reserve", "B 1"),
]


def test_each_row_gets_its_person_id_status_enlistment_and_folded_keys() -> None:
    values = list(roll_values(ROWS, 7, 41))
    assert values == [
        (*ROWS[0], 41, "active", False, 7, "active", "jose gregorio gonzalez perez", "GNB-0412345"),
        (*ROWS[1], 42, "active", False, 7, "reserve", "maria nanez", "EB-1"),
    ]
    assert all(len(v) == len(ENLIST_COLUMNS) for v in values)
    assert list(roll_values([], 7, 41)) == []
