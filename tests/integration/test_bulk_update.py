"""`bulk_update`: many rows updated by key through the driver, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import BigInteger, Boolean, Column, Date, Engine, MetaData, String, Table, select
from sqlalchemy.exc import IntegrityError

from muster.store.dialects import bulk_update

meta = MetaData()
people = Table(
    "bulk_people",
    meta,
    Column("person_id", BigInteger, primary_key=True, autoincrement=False),
    Column("order", String(20), nullable=True, unique=True),  # a reserved word: quoted
    Column("born", Date, nullable=False),
    Column("reinstated", Boolean, nullable=False),
)


@pytest.fixture
def table_engine(engine: Engine) -> Engine:
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            people.insert(),
            [
                {"person_id": i, "order": f"O-{i}", "born": date(1990, 1, i), "reinstated": False}
                for i in range(1, 6)
            ],
        )
    return engine


def rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(people).order_by(people.c.person_id))]


def test_rows_are_updated_by_key_as_sqlalchemy_reads_them_back(table_engine: Engine) -> None:
    with table_engine.begin() as conn:
        bulk_update(
            conn,
            people,
            "person_id",
            ("order", "born", "reinstated"),
            ((f"N-{i}", date(2000, 2, i), True, i) for i in (2, 4)),
        )
    assert rows(table_engine) == [
        (1, "O-1", date(1990, 1, 1), False),
        (2, "N-2", date(2000, 2, 2), True),
        (3, "O-3", date(1990, 1, 3), False),
        (4, "N-4", date(2000, 2, 4), True),
        (5, "O-5", date(1990, 1, 5), False),
    ]


def test_a_driver_error_is_sqlalchemys_and_nothing_stays(table_engine: Engine) -> None:
    before = rows(table_engine)
    with pytest.raises(IntegrityError), table_engine.begin() as conn:
        bulk_update(conn, people, "person_id", ("order",), [(None, 1), ("O-3", 2)])
    assert rows(table_engine) == before


def test_rows_are_updated_by_a_key_of_several_columns(table_engine: Engine) -> None:
    # A date in the key is matched as it is stored (ISO text on SQLite).
    with table_engine.begin() as conn:
        bulk_update(
            conn,
            people,
            ("person_id", "born"),
            ("order",),
            [("N-1", 1, date(1990, 1, 1)), ("N-2", 2, date(1999, 9, 9))],
        )
    assert [r[:2] for r in rows(table_engine)][:2] == [(1, "N-1"), (2, "O-2")]
