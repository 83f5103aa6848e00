"""Exporting the ledger in open formats, and verifying an export with no database.

Layout of an export directory:

    checkpoint               the newest signed checkpoint (C2SP tlog-checkpoint)
    tile/…                   Merkle hash tiles and entry bundles (C2SP tlog-tiles)
    checkpoints/<size>       every signed checkpoint the registry published
    keys/registry.vkey       the registry's verifier key (C2SP signed-note)
    subjects/<sha256>.json   subject tables, by the digest their orders signed
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Connection

from muster.domain.errors import InvalidInputError
from muster.ledger import merkle, note, tiles
from muster.ledger.canonical import sha256_hex
from muster.services.registry import registry_row
from muster.services.verify import (
    Replay,
    VerifyReport,
    collector_paused,
    rebuild_roll,
    replay_entry,
)
from muster.store import ledger_store
from muster.store.tables import checkpoints, subject_lists


def export_ledger(conn: Connection, out: Path) -> dict[str, object]:
    """Write the whole ledger, its checkpoints, keys and subject tables under `out`."""
    if out.exists() and any(out.iterdir()):
        raise InvalidInputError(f"{out}: the directory is not empty; export into a new one")
    origin, public = registry_row(conn)
    size = ledger_store.tree_size(conn)
    latest = ledger_store.latest_checkpoint(conn)
    assert latest is not None
    data = [d for _seq, _kind, d, _leaf in ledger_store.iter_entries(conn)]
    out.mkdir(parents=True, exist_ok=True)
    tiles.write_tiles(out, data, size, ledger_store.SqlNodeReader(conn), latest)
    (out / "keys").mkdir()
    (out / "keys" / "registry.vkey").write_text(note.verifier_key(origin, public) + "\n")
    (out / "checkpoints").mkdir()
    for cp_size, text in conn.execute(select(checkpoints.c.size, checkpoints.c.note)):
        (out / "checkpoints" / str(cp_size)).write_text(text)
    (out / "subjects").mkdir()
    count = 0
    for digest, blob in conn.execute(select(subject_lists.c.sha256, subject_lists.c.data)):
        (out / "subjects" / f"{digest}.json").write_bytes(zlib.decompress(bytes(blob)))
        count += 1
    return {"directory": str(out), "tree_size": size, "subject_tables": count, "origin": origin}


def verify_export(src: Path, progress: Callable[[str], None] = lambda _: None) -> VerifyReport:
    """Check an export with nothing but its files: tree, checkpoints, signatures, the roll."""
    report = VerifyReport()
    vkey_path = src / "keys" / "registry.vkey"
    if not vkey_path.is_file():
        raise InvalidInputError(f"{src}: no keys/registry.vkey; is this a Muster ledger export?")
    vkey = vkey_path.read_text().strip()
    progress("tiles and entries")
    checkpoint_text, entries_data = tiles.read_tiles(src)
    for problem in tiles.check_tiles(src, entries_data):
        report.add(problem)
    leaves = [merkle.leaf_hash(d) for d in entries_data]
    tree = merkle.MemoryNodes(leaves)
    report.tree_size = len(leaves)
    report.root = merkle.root(len(leaves), tree).hex()

    def load(digest: str) -> bytes | None:
        path = src / "subjects" / f"{digest}.json"
        if not path.is_file():
            return None
        data = path.read_bytes()
        return data if sha256_hex(data) == digest else None

    replay = Replay()
    for seq, data in enumerate(entries_data):
        import orjson

        kind = str(orjson.loads(data).get("entry", "")) if data[:1] == b"{" else ""
        replay_entry(load, replay, report, seq, kind, data)
    origin_key = note.verifier_key(replay.origin, replay.public_key) if replay.origin else ""
    if origin_key != vkey:
        report.add("keys/registry.vkey: differs from the registry key in ledger entry 0")
    progress("checkpoints")
    for path in [src / "checkpoint", *sorted((src / "checkpoints").glob("*"))]:
        try:
            body, _names = note.open_note(path.read_text(), [vkey])
            cp = note.parse_checkpoint(body)
        except Exception as err:
            report.add(f"{path.relative_to(src)}: does not verify ({err})")
            continue
        report.checkpoints += 1
        if cp.size > len(leaves) or merkle.root(cp.size, tree) != cp.root_hash:
            report.add(f"{path.relative_to(src)}: root does not match the exported entries")
    if checkpoint_text is None:
        report.add("checkpoint: missing")
    progress("rebuilding the roll")
    with collector_paused():
        rebuild_roll(replay, report, progress)
    if replay.contents:
        report.last_order = replay.contents[-1][1].number
    report.orders = len(replay.contents)
    return report
