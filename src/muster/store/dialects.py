"""Everything that differs between SQLite and PostgreSQL, in one place."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from itertools import chain, islice
from typing import Any

from sqlalchemy import Engine, Table, create_engine, event, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

DEFAULT_URL = "sqlite:///muster.db"
# SQLite's page cache during a bulk insert (KiB): room for a 2,000,000-person roll and its
# indexes, so that no index page is written out and rewritten before the commit.
BULK_CACHE_KIB = 1 << 20


def make_engine(url: str) -> Engine:
    """An engine for a database URL; SQLite gets WAL, full sync and immediate write locks."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA cache_size=-262144")
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # A writer takes the write lock at the start, so two writers queue instead of
            # failing on a stale snapshot; readers (see `reading`) never wait for writers.
            read_only = conn.get_execution_options().get("muster_read_only", False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def reading(engine: Engine) -> Connection:
    """A connection for reading only: on SQLite it never takes the write lock."""
    reader: Engine | None = getattr(engine, "_muster_reader", None)
    if reader is None:  # made once per engine: a screening server asks for one per request
        reader = engine.execution_options(muster_read_only=True)
        engine._muster_reader = reader  # type: ignore[attr-defined]
    return reader.connect()


def autocommit_connection(engine: Engine) -> Any:
    """A driver connection of its own, outside the pool, on which each statement commits by
    itself (and so reads what is committed now): for one small value read on every request,
    where checking out a pooled connection and its transaction would cost ten times more."""
    pooled = engine.raw_connection()
    raw = pooled.driver_connection
    assert raw is not None
    pooled.detach()  # no longer the pool's: closed by whoever holds it
    if engine.dialect.name == "postgresql":
        raw.rollback()  # the pool's ping on checkout may have begun a transaction
        raw.autocommit = True
    # SQLite: `make_engine` leaves the driver in autocommit already (isolation_level None).
    return raw


def is_postgres(conn: Connection) -> bool:
    """Whether the connection talks to PostgreSQL."""
    return conn.dialect.name == "postgresql"


def bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert many rows fast: COPY on PostgreSQL, many rows a statement on SQLite; same
    transaction.

    Both go to the driver itself, which reads the rows as they come (no list of them all, no
    per-row work in SQLAlchemy); a driver error comes back as SQLAlchemy's, as from a query.
    SQLite gets a page cache as large as the rows need while they go in, then its usual one.
    """
    cols = ", ".join(columns)
    raw = conn.connection.driver_connection
    assert raw is not None
    dbapi = conn.dialect.loaded_dbapi
    try:
        if is_postgres(conn):
            statement = f"COPY {table.name} ({cols}) FROM STDIN"
            with raw.cursor() as cur, cur.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = "(" + ", ".join("?" for _ in columns) + ")"
        # One row's statement; a statement of many rows repeats its marks (and errors name it).
        statement = f"INSERT OR FAIL INTO {table.name} ({cols}) VALUES {marks}"
        with bulk_cache(conn):
            _insert_batches(raw, dbapi, statement, marks, len(columns), rows)
    except dbapi.Error as err:
        raise DBAPIError.instance(statement, None, err, dbapi.Error, dialect=conn.dialect) from err


def _insert_batches(
    raw: Any, dbapi: Any, statement: str, marks: str, width: int, rows: Iterable[Sequence[Any]]
) -> None:
    """SQLite: the rows as many to a statement as it takes values, each statement run once.

    One row a statement (executemany) hands the GIL back and forth for every row, so a
    thread preparing the next rows (`registry.roll_import`) would make the insert wait for
    it each time; a statement of many rows runs them all without the GIL. `OR FAIL` keeps
    executemany's outcome (a bad row stops the insert there, the rows before it stay in the
    transaction, which the caller rolls back) and spares SQLite a statement journal of
    every page a multi-row statement changes, which the default `OR ABORT` would keep to
    undo the statement alone.
    """
    per = max(1, raw.getlimit(dbapi.SQLITE_LIMIT_VARIABLE_NUMBER) // width)
    whole = statement + (", " + marks) * (per - 1)
    rows = iter(rows)
    while batch := list(islice(rows, per)):
        if any(map(width.__ne__, map(len, batch))):  # a value would go to the wrong column
            bad = next(row for row in batch if len(row) != width)
            raise dbapi.ProgrammingError(
                f"Incorrect number of bindings supplied: {width} columns, a row of {len(bad)}"
            )
        sql = whole if len(batch) == per else statement + (", " + marks) * (len(batch) - 1)
        raw.execute(sql, list(chain.from_iterable(batch)))


@contextmanager
def indexes_built_after(conn: Connection, table: Table) -> Iterator[None]:
    """Rows bulk-inserted into an empty SQLite table in this block, its indexes built after.

    SQLite builds an index from rows already in a table by sorting them once, far faster
    than it keeps one up to date row by row. So when the table is empty, its own indexes
    (those a `CREATE INDEX` made: not the ones behind a primary key or a UNIQUE column) are
    dropped here and, once the block is done, created again from the very statements that
    made them, with the bulk page cache, inside the same transaction: the schema and the
    rows end as an insert with the indexes in place would leave them, and a unique index
    that the rows break fails the block as its insert would. If the block raises, nothing
    is rebuilt: the caller's transaction has to roll back, and takes the drop with it.
    Nothing changes on PostgreSQL (dropping an index there would make every reader of the
    table wait for the transaction) or when the table holds rows.
    """
    if is_postgres(conn) or conn.execute(select(1).select_from(table).limit(1)).first():
        yield
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    made = raw.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL ORDER BY rowid",
        (table.name,),
    ).fetchall()
    quote = conn.dialect.identifier_preparer.quote
    for name, _ in made:
        raw.execute(f"DROP INDEX {quote(name)}")
    yield
    with bulk_cache(conn):
        for _, sql in made:
            _driver_execute(conn, sql)


@contextmanager
def bulk_cache(conn: Connection) -> Iterator[None]:
    """SQLite's page cache as large as a bulk write needs (`BULK_CACHE_KIB`) in this block."""
    if is_postgres(conn):
        yield
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    (usual,) = raw.execute("PRAGMA cache_size").fetchone()
    raw.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size={int(usual)}")


def _driver_execute(conn: Connection, statement: str) -> None:
    """One statement through the driver; its error comes back as SQLAlchemy's."""
    raw = conn.connection.driver_connection
    assert raw is not None
    dbapi = conn.dialect.loaded_dbapi
    try:
        raw.execute(statement)
    except dbapi.Error as err:
        raise DBAPIError.instance(statement, None, err, dbapi.Error, dialect=conn.dialect) from err


def bulk_update(
    conn: Connection,
    table: Table,
    key: str | Sequence[str],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Update many rows by their key fast, in the same transaction: one `UPDATE … WHERE key`
    run by the driver's executemany (a pipeline on PostgreSQL), no per-row work in
    SQLAlchemy. Each row holds the values of `columns`, then the key (the values of each
    of its columns, for a key of several). SQLite gets dates as the ISO text SQLAlchemy
    stores them as."""
    sqlite = not is_postgres(conn)
    mark = "?" if sqlite else "%s"
    quote = conn.dialect.identifier_preparer.quote
    sets = ", ".join(f"{quote(c)} = {mark}" for c in columns)
    keys = (key,) if isinstance(key, str) else tuple(key)
    where = " AND ".join(f"{quote(k)} = {mark}" for k in keys)
    statement = f"UPDATE {quote(table.name)} SET {sets} WHERE {where}"
    if sqlite:
        rows = ([v.isoformat() if isinstance(v, date) else v for v in row] for row in rows)
    raw = conn.connection.driver_connection
    assert raw is not None
    dbapi = conn.dialect.loaded_dbapi
    try:
        cur = raw.cursor()
        try:
            cur.executemany(statement, rows)
        finally:
            cur.close()
    except dbapi.Error as err:
        raise DBAPIError.instance(statement, None, err, dbapi.Error, dialect=conn.dialect) from err


def lock_ledger(conn: Connection) -> None:
    """Serialise writers to the ledger for the rest of the transaction."""
    if is_postgres(conn):
        conn.exec_driver_sql("SELECT id FROM registry WHERE id = 1 FOR UPDATE")
