"""Bulk inserts on every backend: rows read as they come, in the caller's transaction; on
SQLite, an empty table's indexes built once its rows are in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.exc import IntegrityError, ProgrammingError

from muster.store.dialects import BULK_CACHE_KIB, bulk_insert, indexes_built_after, make_engine
from muster.store.tables import former_serials, metadata, roll

COLUMNS = ("serial_number", "person_id", "serial_key")


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
            yield f"GNB-{i:07d}", i, f"GNB-{i:07d}"

    with table_engine.begin() as conn:
        bulk_insert(conn, former_serials, COLUMNS, rows())
    assert read == list(range(1, 2001)) and count(table_engine) == 2000


def test_a_driver_error_is_sqlalchemys_and_nothing_stays(table_engine: Engine) -> None:
    with table_engine.begin() as conn:
        bulk_insert(conn, former_serials, COLUMNS, [("GNB-0000001", 1, "GNB-0000001")])
    with pytest.raises(IntegrityError), table_engine.begin() as conn:
        bulk_insert(
            conn,
            former_serials,
            COLUMNS,
            [("GNB-0000002", 2, "GNB-0000002"), ("GNB-0000001", 3, "GNB-0000001")],
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
            yield "GNB-0000001", 1, "GNB-0000001"

        bulk_insert(conn, former_serials, COLUMNS, rows())
        assert seen == [-BULK_CACHE_KIB] and cache_size() == usual
    engine.dispose()


def serials(start: int, stop: int) -> list[tuple[str, int, str]]:
    return [(f"GNB-{i:07d}", i, f"GNB-{i:07d}") for i in range(start, stop)]


def test_rows_over_many_statements_go_in_in_order(table_engine: Engine) -> None:
    rows = serials(1, 25_001)  # three columns: more rows than one SQLite statement takes
    with table_engine.begin() as conn:
        bulk_insert(conn, former_serials, COLUMNS, iter(rows))
    with table_engine.connect() as conn:
        stored = conn.execute(select(former_serials).order_by(former_serials.c.person_id)).all()
    assert [tuple(r) for r in stored] == rows


def test_a_bad_row_in_a_later_statement_stops_there(table_engine: Engine) -> None:
    rows = [*serials(1, 15_001), ("GNB-0000001", 15_001, "GNB-0000001"), *serials(15_002, 15_010)]
    with table_engine.connect() as conn:
        tx = conn.begin()
        with pytest.raises(IntegrityError, match="serial_number"):
            bulk_insert(conn, former_serials, COLUMNS, rows)
        if conn.dialect.name == "sqlite":  # as executemany: the rows before it are still there
            n = conn.execute(select(func.count()).select_from(former_serials)).scalar_one()
            assert n == 15_000
        tx.rollback()
    assert count(table_engine) == 0


def test_a_row_of_another_width_is_refused_not_shifted(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    metadata.create_all(engine, tables=[former_serials])
    rows = [*serials(1, 5), ("GNB-0000005", 5), ("GNB-0000006", 6, "GNB-0000006", "x")]
    with pytest.raises(ProgrammingError, match="bindings"), engine.begin() as conn:
        bulk_insert(conn, former_serials, COLUMNS, rows)
    assert count(engine) == 0
    engine.dispose()


def index_sql(engine: Engine, table: str) -> list[tuple[str, str | None]]:
    with engine.connect() as conn:
        return [
            (r[0], r[1])
            for r in conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "ORDER BY name",
                (table,),
            )
        ]


def test_indexes_built_after_the_rows_are_the_same_indexes(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    metadata.create_all(engine, tables=[roll])
    before = index_sql(engine, "roll")
    assert ("ix_roll_birth_date", "CREATE INDEX ix_roll_birth_date ON roll (birth_date)") in before
    values = [
        (
            *(i, f"GNB-{i:07d}", f"V-{10_000_000 + i}", "ANA", "PÉREZ", f"19{70 + i % 30}-01-01"),
            *("F", "GNB", "Sargento", "active", "Unidad", "active", False, None, None, 3),
            *("active", "ana perez", f"GNB-{i:07d}"),
        )
        for i in range(1, 3001)
    ]
    columns = (*(c.name for c in roll.columns if c.name != "serial_dup"),)
    with engine.begin() as conn:
        with indexes_built_after(conn, roll):
            bulk_insert(conn, roll, columns, values)
            dropped = conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name = 'ix_roll_birth_date'"
            ).scalar_one()
        assert dropped == 0
    assert index_sql(engine, "roll") == before
    with engine.connect() as conn:
        check = conn.exec_driver_sql("PRAGMA integrity_check").scalar_one()
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT person_id FROM roll WHERE birth_date = '1975-01-01'"
        ).all()
    assert check == "ok" and "ix_roll_birth_date" in str(plan)
    engine.dispose()


def test_a_unique_index_the_rows_break_fails_the_block(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    metadata.create_all(engine, tables=[former_serials])
    with engine.begin() as conn:  # a unique index of its own, as ux_roll_serial_key is
        conn.exec_driver_sql("CREATE UNIQUE INDEX ux_test ON former_serials (serial_key)")
    before = index_sql(engine, "former_serials")
    rows = [*serials(1, 10), ("GNB-0000010", 10, "GNB-0000001")]
    with (
        pytest.raises(IntegrityError, match="UNIQUE"),
        engine.begin() as conn,
        indexes_built_after(conn, former_serials),
    ):
        bulk_insert(conn, former_serials, COLUMNS, rows)
    assert index_sql(engine, "former_serials") == before and count(engine) == 0
    engine.dispose()


def test_a_table_with_rows_keeps_its_indexes_in_place(table_engine: Engine) -> None:
    with table_engine.begin() as conn:
        bulk_insert(conn, former_serials, COLUMNS, serials(1, 3))
    with table_engine.begin() as conn, indexes_built_after(conn, former_serials):
        names = {i["name"] for i in inspect(conn).get_indexes("former_serials")}
        assert "ix_former_serials_serial_key" in names
        bulk_insert(conn, former_serials, COLUMNS, serials(3, 6))
    assert count(table_engine) == 5
