"""`muster roll import`, `muster order …`: drafting, signing and recording orders."""

from __future__ import annotations

import csv
import gc
import json
import time
from pathlib import Path
from typing import Any

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from muster.actor import Actor
from muster.cli import common
from muster.cli.text import flat_fields, print_fields, shown
from muster.domain.errors import InvalidInputError
from muster.domain.kinds import Category, OrderKind
from muster.domain.orders import check_order_dates, subject_lines
from muster.environment import today
from muster.ledger import signing
from muster.registry import drafts, reading, roll_file, roll_import
from muster.registry.opening import writing
from muster.registry.recording import record_order

roll_app = common.typer_app("The roll: import a roll file as one signed enlistment order.")
order_app = common.typer_app("Orders: issue (sign and record), show, export subjects.")


def load_signing_key(path: Path) -> tuple[Ed25519PrivateKey, str]:
    """An authority's private key from its encrypted PEM file, and its fingerprint."""
    pem = common.read_text_file(path, "--key").encode()
    key = signing.load_private_key(
        pem,
        common.key_passphrase().encode(),
        name=f"authority key file {path}",
        variable="MUSTER_KEY_PASSPHRASE",
    )
    return key, signing.fingerprint(signing.public_key_raw(key))


@roll_app.command("import")
def import_roll(
    roll_csv: Path = typer.Argument(..., help="The roll file (CSV, UTF-8, with a header)."),
    authority: str = typer.Option(..., "--authority", help="The signing authority's code."),
    key: Path = typer.Option(..., "--key", help="The authority's private key file."),
    signed_on: str = typer.Option(None, "--signed-on", help="Signing date (default: today)."),
    effective: str = typer.Option(None, "--effective", help="Effective date (default: signed)."),
    number: str = typer.Option(None, "--number", help="Order number (default: generated)."),
    grounds: str = typer.Option("", "--grounds", help="Grounds of the order."),
    as_json: bool = common.JsonOption,
) -> None:
    """Check a whole roll file and sign it as one enlistment order; all rows or none."""
    # Millions of small objects, none cyclic: the cycle collector would only slow this down.
    gc.disable()
    started = time.perf_counter()
    signed = common.parse_day(signed_on, "--signed-on") or today()
    eff = common.parse_day(effective, "--effective") or signed
    check_order_dates(number or "(enlistment)", signed, eff, today())
    private, fingerprint = load_signing_key(key)
    reg_pass = common.registry_passphrase()
    file = roll_file.open_roll_file(roll_csv)
    lines = roll_file.count_rows(roll_csv) if common.err_console.is_terminal else 0  # bar's total
    request = roll_import.EnlistmentRequest(number or "", authority, signed, eff, grounds)
    with common.progress_bar("checking and inserting rows", lines) as advance:
        result = roll_import.import_roll_file(
            common.engine(),
            reg_pass,
            Actor.current(),
            file,
            request,
            lambda data: (signing.sign(private, data), fingerprint),
            advance,
        )
    report(result, as_json, time.perf_counter() - started)


def report(result: Any, as_json: bool, seconds: float) -> None:
    """The recorded order: its number on stdout (or JSON), a summary on stderr."""
    if as_json:
        common.emit_json(
            {
                "order": result.number,
                "kind": result.kind,
                "seq": result.seq,
                "subjects": result.subject_count,
                "key": result.fingerprint,
                "first_person_id": result.first_person_id,
            }
        )
        return
    common.say(
        f"{result.kind} order {result.number} recorded as ledger entry {result.seq}: "
        f"{result.subject_count:,} subject(s), signed with key "
        f"{result.fingerprint[:16]}… ({seconds:.2f} s)"
    )
    print(result.number)


def parse_changes(items: list[str]) -> dict[str, str]:
    changes: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InvalidInputError(f"--set {item!r}: expected FIELD=VALUE")
        changes[name.strip()] = value
    return changes


@order_app.command("issue")
def issue(
    kind: OrderKind = typer.Option(..., "--kind", help="The kind of order."),
    number: str = typer.Option(..., "--number", help="The order's number (unique)."),
    authority: str = typer.Option(..., "--authority", help="The signing authority's code."),
    key: Path = typer.Option(..., "--key", help="The authority's private key file."),
    signed_on: str = typer.Option(..., "--signed-on", help="Signing date YYYY-MM-DD."),
    effective: str = typer.Option(None, "--effective", help="Effective date (default: signed)."),
    subjects: Path = typer.Option(None, "--subjects", help="One serial number or cédula a line."),
    rules: Path = typer.Option(None, "--rules", help="Exit-control rules (JSON file)."),
    valid_from: str = typer.Option(None, "--valid-from", help="Travel authorization start."),
    valid_until: str = typer.Option(None, "--valid-until", help="Travel authorization end."),
    revokes: str = typer.Option(None, "--revokes", help="Number of the order revoked."),
    category: Category = typer.Option(None, "--category", help="New category (category-change)."),
    set_: list[str] = typer.Option([], "--set", help="FIELD=VALUE to correct (amendment)."),
    grounds: str = typer.Option("", "--grounds", help="Grounds of the order."),
    as_json: bool = common.JsonOption,
) -> None:
    """Sign an order with an authority's key and record it in the ledger, or refuse it."""
    started = time.perf_counter()
    signed = common.parse_day(signed_on, "--signed-on")
    assert signed is not None
    lines: list[tuple[int, str]] = []
    if subjects is not None:
        lines = subject_lines(common.read_text_file(subjects, "--subjects"), str(subjects))
    rules_obj = None
    if rules is not None:
        try:
            rules_obj = json.loads(common.read_text_file(rules, "--rules"))
        except json.JSONDecodeError as err:
            raise InvalidInputError(f"--rules {rules}: not JSON: {err}") from None
    request = drafts.OrderRequest(
        kind=kind,
        number=number.strip(),
        authority=authority,
        signed_on=signed,
        effective=common.parse_day(effective, "--effective") or signed,
        grounds=grounds,
        refs=[ref for _, ref in lines],
        ref_lines=[line for line, _ in lines],
        category=category,
        valid_from=common.parse_day(valid_from, "--valid-from"),
        valid_until=common.parse_day(valid_until, "--valid-until"),
        revokes=revokes,
        rules=rules_obj,
        changes=parse_changes(set_) if set_ else None,
        source=str(subjects) if subjects else "--subjects",
    )
    private, fingerprint = load_signing_key(key)
    with writing(common.engine(), common.registry_passphrase()) as (conn, reg):
        draft = drafts.draft_order(conn, reg.origin, request)
        signature = signing.sign(private, draft.order_bytes)
        result = record_order(conn, reg, Actor.current(), draft, signature, fingerprint)
    report(result, as_json, time.perf_counter() - started)


@order_app.command("show")
def show(
    number: str = typer.Argument(..., help="The order's number."), as_json: bool = common.JsonOption
) -> None:
    """Show an order: its signed content, signature, ledger entry and status."""
    with common.reading() as conn:
        view = reading.order_view(conn, number)
    if as_json:
        common.emit_json(view)
        return
    recorded = view["recorded"]
    by = recorded["os_user"] + (
        f" (account {recorded['account']})" if recorded.get("account") else ""
    )
    fields = [
        (
            name.replace("_", " "),
            f"{recorded['at']} by {by}" if name == "recorded" else shown(value),
        )
        for name, value in view.items()
        if name != "content"
    ]
    print_fields(fields)
    print("signed content:")
    print_fields(list(flat_fields(view["content"])), indent=2)


@order_app.command("subjects")
def subjects_export(
    number: str = typer.Argument(..., help="The order's number."),
    out: Path = typer.Option(None, "--out", help="Write CSV here instead of stdout."),
) -> None:
    """Export an order's subject list as CSV (an enlistment: the roll rows it enlisted)."""
    if out is not None:
        common.check_output(out, "--out")
    with common.reading() as conn:
        columns, rows = reading.order_subjects_table(conn, number)
    stream = common.open_output(out, "--out") if out else None
    target = stream or __import__("sys").stdout
    writer = csv.writer(target)
    writer.writerow(columns)
    writer.writerows(rows)
    if stream:
        stream.close()
        common.say(f"{len(rows):,} subject(s) of {number} written to {out}")
