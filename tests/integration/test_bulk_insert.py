"""Bulk inserts on every backend: rows read as they come, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from muster.store.dialects import BULK_CACHE_KIB, bulk_insert, make_engine
from muster.store.tables import former_serials, metadata

COLUMNS = ("serial_number", "person_id", "serial_key")  # serial_key: NOT NULL since 0004


@pytest.fixture
def table_engine(engine: Engine) -> Engine:
    metadata.create_all(engine, tables=[former_serials])
    return engine


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(former_serials)).scalar_one())


def test_rows_come_from_a_generator_read_once(table_engine: Engine) -> None:
    read: list[int] = []

    def rows() -> Iterator[tuple[str, int, str]]:
        for i in range(1, 2001):
            read.append(i)
            yield f"GNB-{i:07d}", i, f"gnb-{i:07d}"

    with table_engine.begin() as conn:
        bulk_insert(conn, former_serials, COLUMNS, rows())
    assert read == list(range(1, 2001)) and count(table_engine) == 2000


def test_a_driver_error_is_sqlalchemys_and_nothing_stays(table_engine: Engine) -> None:
    with table_engine.begin() as conn:
        bulk_insert(conn, former_serials, COLUMNS, [("GNB-0000001", 1, "gnb-0000001")])
    with pytest.raises(IntegrityError), table_engine.begin() as conn:
        bulk_insert(
            conn,
            former_serials,
            COLUMNS,
            [("GNB-0000002", 2, "gnb-0000002"), ("GNB-0000001", 3, "gnb-0000001")],
        )
    assert count(table_engine) == 1


def test_sqlite_gets_a_bulk_page_cache_while_the_rows_go_in(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    metadata.create_all(engine, tables=[former_serials])
    seen: list[int] = []
    with engine.begin() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None

        def cache_size() -> int:
            return int(driver.execute("PRAGMA cache_size").fetchone()[0])

        usual = cache_size()

        def rows() -> Iterator[tuple[str, int, str]]:
            seen.append(cache_size())
            yield "GNB-0000001", 1, "gnb-0000001"

        bulk_insert(conn, former_serials, COLUMNS, rows())
        assert seen == [-BULK_CACHE_KIB] and cache_size() == usual
    engine.dispose()
