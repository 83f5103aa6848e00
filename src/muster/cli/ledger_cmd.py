"""`muster verify`, `muster ledger …`: proving what the registry holds."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from sqlalchemy import select

from muster.cli import common
from muster.domain.errors import InvalidInputError, VerificationError
from muster.ledger import merkle
from muster.services.drafts import find_order
from muster.services.verify import VerifyReport, verify_registry
from muster.store import ledger_store
from muster.store.tables import ledger_entries

ledger_app = common.typer_app("The ledger: checkpoints, proofs, export in open formats.")


def verify(
    from_dir: Path = typer.Option(None, "--from", help="Verify an export directory instead."),
    as_json: bool = common.JsonOption,
) -> None:
    """Recompute the Merkle tree, check every signature and checkpoint, rebuild the roll."""
    started = time.perf_counter()
    with common.err_console.status("verifying…") as status:
        if from_dir is not None:
            from muster.services.export import verify_export

            report = verify_export(from_dir, lambda m: status.update(f"verifying {m}…"))
        else:
            with common.engine().connect() as conn:
                report = verify_registry(conn, lambda m: status.update(f"verifying {m}…"))
    seconds = time.perf_counter() - started
    show_report(report, as_json, seconds)
    if not report.ok:
        raise VerificationError(f"{len(report.problems)} problem(s) found")


def show_report(report: VerifyReport, as_json: bool, seconds: float) -> None:
    if as_json:
        common.emit_json({**report.to_json(), "seconds": round(seconds, 2)})
        return
    for problem in report.problems:
        common.say(f"  ✗ {problem}")
    verdict = "all holds" if report.ok else "FAILED"
    print(
        f"{verdict}: tree size {report.tree_size}, root {report.root[:16]}…, "
        f"{report.checkpoints} checkpoint(s), {report.orders} order(s), "
        f"{report.people:,} people; last order applied: {report.last_order or '-'} "
        f"({seconds:.1f} s)"
    )


@ledger_app.command("checkpoint")
def checkpoint() -> None:
    """Print the newest signed checkpoint (a C2SP tlog-checkpoint signed note)."""
    with common.reading() as conn:
        text = ledger_store.latest_checkpoint(conn)
    if text is None:
        raise InvalidInputError("the ledger is empty: run `muster init` first")
    print(text, end="")


@ledger_app.command("proof")
def proof(
    order: str = typer.Option(None, "--order", help="Prove this order's entry is in the log."),
    entry: int = typer.Option(None, "--entry", help="Or this entry's position."),
    old_size: int = typer.Option(
        None,
        "--consistency-from",
        help="Prove the log at this size is a prefix of the current one.",
    ),
    as_json: bool = typer.Option(True, "--json", help="Proofs are always JSON."),
) -> None:
    """An inclusion proof for an entry, or a consistency proof between two tree sizes (JSON)."""
    with common.reading() as conn:
        size = ledger_store.tree_size(conn)
        reader = ledger_store.SqlNodeReader(conn)
        root = merkle.root(size, reader)
        if old_size is not None:
            if not 0 < old_size <= size:
                raise InvalidInputError(f"--consistency-from {old_size}: expected 1..{size}")
            path = merkle.consistency_proof(old_size, size, reader)
            common.emit_json(
                {
                    "old_size": old_size,
                    "old_root": merkle.root(old_size, reader).hex(),
                    "tree_size": size,
                    "root": root.hex(),
                    "proof": [h.hex() for h in path],
                }
            )
            return
        if order is not None:
            entry = int(find_order(conn, order).seq)
        if entry is None or not 0 <= entry < size:
            raise InvalidInputError(f"give --order NUMBER or --entry 0..{size - 1}")
        leaf = conn.execute(
            select(ledger_entries.c.leaf_hash).where(ledger_entries.c.seq == entry)
        ).scalar_one()
        path = merkle.inclusion_proof(entry, size, reader)
        common.emit_json(
            {
                "entry": entry,
                "tree_size": size,
                "leaf_hash": bytes(leaf).hex(),
                "root": root.hex(),
                "proof": [h.hex() for h in path],
                "checkpoint": ledger_store.latest_checkpoint(conn),
            }
        )


@ledger_app.command("export")
def export(
    out: Path = typer.Argument(..., help="A new, empty directory."),
    as_json: bool = common.JsonOption,
) -> None:
    """Export entries, checkpoints, keys and subject tables (C2SP tlog-tiles layout)."""
    from muster.services.export import export_ledger

    with common.reading() as conn:
        info = export_ledger(conn, out)
    if as_json:
        common.emit_json(info)
    else:
        common.say(f"ledger of {info['tree_size']} entries exported to {out}")
