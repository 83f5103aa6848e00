"""The crossing writer process: server processes send it crossings over a Unix socket, each
answered once committed; it seals them when it stops; a lost writer fails the crossing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select

from muster.config import Settings
from muster.registry.verify import verify_registry
from muster.screening.crossing_process import (
    CrossingClient,
    CrossingWriterUnavailableError,
    read_frame,
    writer_process,
)
from muster.store.tables import crossings
from tests.factories import PASSPHRASE, crossing_record, new_registry

AT = "2019-03-15T12:00:00+00:00"


def stored(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(select(crossings.c.id))}


def test_server_processes_share_one_writer_that_seals_on_stop(engine: Engine, db_url: str) -> None:
    new_registry(engine)
    settings = Settings(database_url=db_url, registry_passphrase=SecretStr(PASSPHRASE))

    async def two_processes(path: Path) -> list[str]:
        first, second = CrossingClient(path), CrossingClient(path)
        try:
            ids = await asyncio.gather(
                *(
                    client.record(crossing_record("refer" if i % 3 == 0 else "deny"), AT)
                    for i in range(60)
                    for client in (first, second)
                )
            )
            # Answered means committed: every id is in the database before the writer stops.
            assert set(ids) <= stored(engine)
            return list(ids)
        finally:
            await first.close()
            await second.close()

    with writer_process(settings) as writer:
        ids = asyncio.run(two_processes(writer.path))
    assert not writer.died
    assert len(set(ids)) == 120
    assert stored(engine) == set(ids)
    with engine.connect() as conn:
        report = verify_registry(conn)
    assert report.ok, report.problems
    assert report.pending_crossings == 0  # sealed into the ledger when the writer stopped


def test_no_writer_is_a_clear_error(tmp_path: Path) -> None:
    async def attempt() -> None:
        await CrossingClient(tmp_path / "nobody.sock").record(crossing_record("deny"), AT)

    with pytest.raises(CrossingWriterUnavailableError, match="not reachable"):
        asyncio.run(attempt())


def test_a_writer_lost_before_committing_fails_the_crossing(tmp_path: Path) -> None:
    """The officer never gets a crossing id for a crossing that was not committed."""
    path = tmp_path / "w.sock"

    async def scenario() -> None:
        async def hang_up(reader: asyncio.StreamReader, stream: asyncio.StreamWriter) -> None:
            assert (await read_frame(reader))["record"]["decision"] == "deny"
            stream.close()  # gone before answering

        server = await asyncio.start_unix_server(hang_up, str(path))
        client = CrossingClient(path)
        async with server:
            with pytest.raises(CrossingWriterUnavailableError, match="before committing"):
                await client.record(crossing_record("deny"), AT)
        await client.close()

    asyncio.run(scenario())
