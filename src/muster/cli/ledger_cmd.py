"""`muster verify`, `muster ledger …`: proving what the registry holds."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from muster.cli import common
from muster.domain.errors import InvalidInputError, NotFoundError, VerificationError
from muster.registry import proofs
from muster.registry.verify import VerifyReport, verify_registry

if TYPE_CHECKING:
    from muster.registry.trust import TrustedKey

ledger_app = common.typer_app("The ledger: checkpoints, proofs, export in open formats.")


def verify(
    from_dir: Path = typer.Option(None, "--from", help="Verify an export directory instead."),
    proof_file: Path = typer.Option(
        None, "--proof", help="Check one proof (the JSON of `ledger proof` or the API) instead."
    ),
    checkpoint_files: list[Path] = typer.Option(
        [], "--checkpoint", help="A signed checkpoint to check --proof against (repeatable)."
    ),
    key: str = typer.Option(
        None, "--key", help="Trust only this registry key: a verifier key file, or its text."
    ),
    fingerprint: str = typer.Option(
        None, "--fingerprint", help="Trust only the registry key with this fingerprint."
    ),
    as_json: bool = common.JsonOption,
) -> None:
    """Recompute the Merkle tree, check every signature and checkpoint, rebuild the roll."""
    from muster.registry.trust import trusted_key

    if from_dir is not None and proof_file is not None:
        common.usage_error("give --from DIR or --proof FILE, not both")
    if checkpoint_files and proof_file is None:
        common.usage_error("--checkpoint goes with --proof FILE")
    if proof_file is not None and key is None:
        common.usage_error("--proof needs the registry's key: --key registry.vkey")
    trust = trusted_key(key, fingerprint)
    if proof_file is not None:
        check_proof(proof_file, checkpoint_files, trust, as_json)
        return
    started = time.perf_counter()
    with common.err_console.status("verifying…") as status:
        if from_dir is not None:
            from muster.registry.export import verify_export

            report = verify_export(from_dir, trust, lambda m: status.update(f"verifying {m}…"))
        else:
            with common.engine().connect() as conn:
                report = verify_registry(conn, lambda m: status.update(f"verifying {m}…"), trust)
    seconds = time.perf_counter() - started
    show_report(report, as_json, seconds, "export" if from_dir is not None else "registry")
    if not report.ok:
        raise VerificationError(first_problem(report.messages))


def first_problem(problems: list[str]) -> str:
    """The failure in one line: the first thing that does not verify, and how many more."""
    more = len(problems) - 1
    return problems[0] + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")


def show_report(report: VerifyReport, as_json: bool, seconds: float, what: str) -> None:
    if as_json:
        common.emit_json({**report.to_json(), "seconds": round(seconds, 2)})
        return
    for problem in report.messages:
        common.say(f"  ✗ {problem}")
    verdict = "all holds" if report.ok else "FAILED"
    print(
        f"{verdict}: tree size {report.tree_size}, root {report.root[:16]}…, "
        f"{report.checkpoints} checkpoint(s), {report.orders} order(s), "
        f"{report.people:,} people; last order applied: {report.last_order or '-'} "
        f"({seconds:.1f} s)"
    )
    show_key(report.origin, report.key_fingerprint, report.key_source, what)


def show_key(origin: str, fp: str, source: str, what: str) -> None:
    """Whose key the check trusted, on stdout, and plainly when it was the thing's own."""
    trusted = {
        "key": "trusted: the key given with --key",
        "fingerprint": "trusted: the fingerprint pinned with --fingerprint",
        "own": f"checked against the {what}'s own key only",
    }[source]
    print(f"registry {origin or '-'}, key fingerprint {fp or '-'}; {trusted}")
    if source == "own" and what == "export":
        common.say(
            "  an export holds against its own key whoever made it: give the registry's key "
            "(--key registry.vkey, or --fingerprint) to know it is the registry's"
        )


def check_proof(path: Path, checkpoints: list[Path], trust: TrustedKey, as_json: bool) -> None:
    """`verify --proof`: one proof against the checkpoints, with the key given."""
    from muster.registry.proof_check import check_proof_file

    report = check_proof_file(path, checkpoints, trust)
    if as_json:
        common.emit_json(report.to_json())
    else:
        for problem in report.problems:
            common.say(f"  ✗ {problem}")
        p = report.proof
        what = (
            f"entry {p.entry} (leaf hash {p.leaf_hash.hex()[:16]}…) is in the log"
            if p.kind == "inclusion"
            else f"the log at size {p.old_size} (root {p.old_root.hex()[:16]}…) is a prefix of it"
        )
        verdict = "holds" if report.ok else "FAILED"
        print(
            f"{p.kind} proof {verdict}: {what} at size {p.tree_size}, root {p.root.hex()[:16]}…; "
            f"{len(report.checkpoints)} signed checkpoint(s)"
        )
        show_key(report.origin, report.key_fingerprint, trust.source, "proof")
    if not report.ok:
        raise VerificationError(first_problem(report.problems))


@ledger_app.command("checkpoint")
def checkpoint() -> None:
    """Print the newest signed checkpoint (a C2SP tlog-checkpoint signed note)."""
    with common.reading() as conn:
        text = proofs.latest_checkpoint(conn)["checkpoint"]
    if text is None:
        raise InvalidInputError("the ledger is empty: run `muster init` first")
    print(text, end="")


@ledger_app.command("key")
def key(as_json: bool = common.JsonOption) -> None:
    """Print the registry's verifier key (C2SP signed-note), as exports hold it in
    keys/registry.vkey: what an auditor gives `verify --key`."""
    with common.reading() as conn:
        found = proofs.registry_key(conn)
    if as_json:
        common.emit_json(found)
        return
    print(found["verifier_key"])
    common.say(f"registry {found['origin']}, key fingerprint {found['fingerprint']}")


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
    """An inclusion proof for an entry, or a consistency proof between two tree sizes (JSON,
    with the checkpoint signed at the size it proves against)."""
    if old_size is None and order is None and entry is None:
        raise InvalidInputError("give --order NUMBER, --entry N or --consistency-from N")
    with common.reading() as conn:
        try:
            if old_size is not None:
                made = proofs.consistency_proof(conn, old_size)
            else:
                made = proofs.inclusion_proof(conn, entry, order)
        except NotFoundError as err:
            if old_size is None and order is not None:
                raise  # no such order: the registry's message names it
            option = (
                f"--consistency-from {old_size}" if old_size is not None else f"--entry {entry}"
            )
            raise NotFoundError(f"{option}: {err}") from None
    common.emit_json(made)


@ledger_app.command("export")
def export(
    out: Path = typer.Argument(..., help="A new, empty directory."),
    as_json: bool = common.JsonOption,
) -> None:
    """Export entries, checkpoints, keys and subject tables (C2SP tlog-tiles layout)."""
    from muster.registry.export import export_ledger

    with common.reading() as conn:
        info = export_ledger(conn, out)
    if as_json:
        common.emit_json(info)
    else:
        common.say(f"ledger of {info['tree_size']} entries exported to {out}")
