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
from muster.registry.opening import registry_row
from muster.registry.replay import Replay, replay_entry
from muster.registry.trust import NO_KEY, TrustedKey, key_fingerprint, key_problem
from muster.registry.verify import VerifyReport, collector_paused, rebuild_checked
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


def verify_export(
    src: Path, trust: TrustedKey = NO_KEY, progress: Callable[[str], None] = lambda _: None
) -> VerifyReport:
    """Check an export with nothing but its files and the registry key trusted: the checkpoint's
    signature first, then the entries it covers, the tiles, every other checkpoint and
    signature, the subject tables, and the roll rebuilt. Never raises on a problem: the
    first one the report lists is the first thing that does not verify."""
    if not src.is_dir() or not any((src / n).exists() for n in ("checkpoint", "tile", "keys")):
        raise InvalidInputError(
            f"{src}: not a Muster ledger export (no checkpoint, tile/ or keys/ in it)"
        )
    report = VerifyReport(key_source=trust.source)
    verifier = export_key(src, trust, report)
    progress("checkpoint")
    latest = read_checkpoint(src / "checkpoint", "checkpoint", verifier, report)
    size = latest.size if latest is not None else tiles.listed_size(src)
    progress("entries")
    entries_data, bundle_problems = tiles.read_bundles(src, size)
    for problem in bundle_problems:
        report.add(problem)
    if bundle_problems:  # the entries cannot be placed in the tree: nothing more to check
        report.tree_size = size
        return report
    report.tree_size = len(entries_data)
    leaves = [merkle.leaf_hash(d) for d in entries_data]
    tree = merkle.MemoryNodes(leaves)
    report.root = merkle.root(len(leaves), tree).hex()
    if latest is not None:
        report.checkpoints += 1
        if merkle.root(latest.size, tree) != latest.root_hash:
            report.add(
                "checkpoint: its root hash does not match the exported entries "
                "(an entry was altered)"
            )
    progress("tiles")
    for problem in tiles.check_tiles(src, entries_data, tree):
        report.add(problem)
    progress("signatures and subject tables")
    replay = replay_export(src, entries_data, report)
    if verifier is not None and replay.origin:
        recorded = note.Verifier(
            replay.origin, note.key_id(replay.origin, replay.public_key), replay.public_key
        )
        if (recorded.name, recorded.public_key) != (verifier.name, verifier.public_key):
            report.add(
                f"ledger entry 0: records the registry key {recorded.name} "
                f"{key_fingerprint(recorded)}, not the one checked against "
                f"({verifier.name} {key_fingerprint(verifier)})"
            )
    progress("checkpoints")
    check_published(src, verifier, tree, report)
    progress("rebuilding the roll")
    with collector_paused():
        rebuild_checked(replay, report, progress)
    return report


def export_key(src: Path, trust: TrustedKey, report: VerifyReport) -> note.Verifier | None:
    """The registry key to check the export against: the one given, else the export's own
    (`keys/registry.vkey`, pinned by a fingerprint when one was given). Notes on the report
    whose key and origin it is, and every way the export's key disagrees."""
    own: note.Verifier | None = None
    path = src / "keys" / "registry.vkey"
    if not path.is_file():
        if trust.verifier is None:
            report.add("keys/registry.vkey: missing; give the registry's key with --key")
    else:
        try:
            own = note.parse_verifier_key(path.read_text(encoding="utf-8").strip())
        except (note.VerifierKeyError, UnicodeDecodeError) as err:
            report.add(f"keys/registry.vkey: not a verifier key ({err})")
    problem = key_problem(trust, own, "keys/registry.vkey") if own is not None else None
    if problem:
        report.add(problem)
    shown = trust.verifier or own
    if shown is not None:
        report.origin, report.key_fingerprint = shown.name, key_fingerprint(shown)
    if trust.verifier is None and problem:
        return None  # not the key pinned: nothing in the export is to be trusted
    return shown


def read_checkpoint(
    path: Path, where: str, verifier: note.Verifier | None, report: VerifyReport
) -> note.Checkpoint | None:
    """The checkpoint in the file once its signature by the registry key holds; None, with
    the problem on the report, when it is missing or does not verify."""
    if not path.is_file():
        report.add(f"{where}: missing")
        return None
    if verifier is None:
        report.add(f"{where}: not checked, no trusted registry key to check it with")
        return None
    try:
        return note.open_checkpoint(path.read_bytes().decode("utf-8"), verifier)
    except UnicodeDecodeError:
        report.add(f"{where}: not UTF-8 text, so not a signed note")
    except note.NoteError as err:
        report.add(f"{where}: {err}")
    return None


def replay_export(src: Path, entries_data: list[bytes], report: VerifyReport) -> Replay:
    """The registry as the exported entries say it is, subject tables read from subjects/."""

    def load(digest: str) -> bytes | None:
        path = src / "subjects" / f"{digest}.json"
        if not path.is_file():
            return None
        data = path.read_bytes()
        return data if sha256_hex(data) == digest else None

    replay = Replay()
    for seq, data in enumerate(entries_data):
        replay_entry(load, replay, report, seq, None, data)
    return replay


def check_published(
    src: Path, verifier: note.Verifier | None, tree: merkle.MemoryNodes, report: VerifyReport
) -> None:
    """Every checkpoint under checkpoints/: signed by the registry key, named by its size,
    with the root of the exported entries at that size."""
    folder = src / "checkpoints"
    if not folder.is_dir():
        report.add("checkpoints/: missing")
        return
    for path in sorted(folder.iterdir(), key=lambda p: (len(p.name), p.name)):
        where = f"checkpoints/{path.name}"
        cp = read_checkpoint(path, where, verifier, report)
        if cp is None:
            continue
        report.checkpoints += 1
        if path.name != str(cp.size):
            report.add(f"{where}: the checkpoint is of size {cp.size}, not {path.name}")
        elif cp.size > tree.size:
            report.add(f"{where}: beyond the {tree.size} exported entries")
        elif merkle.root(cp.size, tree) != cp.root_hash:
            report.add(f"{where}: its root hash does not match the exported entries")
