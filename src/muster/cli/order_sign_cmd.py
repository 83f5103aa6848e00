"""`muster order sign`: sign a draft made over HTTP, without writing code."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table

from muster.cli import common
from muster.cli.order_cmd import load_signing_key
from muster.domain.errors import RefusedError
from muster.registry.draft_answer import DraftToSign, read_draft_answer, signature_body


def what_is_signed(draft: DraftToSign, fingerprint: str) -> Table:
    """The order a draft holds, field by field, as the signer reviews it."""
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold", justify="right")
    table.add_column(overflow="fold")
    for name, value in draft.content.to_json().items():
        if isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        table.add_row(name, common.escape(str(value)))
    table.add_row("draft", draft.draft_id)
    table.add_row("bytes sha256", draft.sha256)
    table.add_row("signing key", fingerprint)
    return table


def order_sign(
    draft_file: Path = typer.Argument(..., help="The answer of POST /orders/drafts (JSON)."),
    key: Path = typer.Option(..., "--key", help="The authority's private key file."),
    out: Path = typer.Option(None, "--out", help="Write the body here instead of stdout."),
    yes: bool = typer.Option(False, "--yes", help="Sign without asking (on a terminal)."),
) -> None:
    """Show the order a draft holds and sign its bytes: prints the body for POST /orders."""
    draft = read_draft_answer(common.read_text_file(draft_file, "draft file"), str(draft_file))
    private, fingerprint = load_signing_key(key)
    common.say(f"{draft.content.kind.value} order {draft.content.number}, to be signed:")
    common.err_console.print(what_is_signed(draft, fingerprint))
    if (
        not yes
        and sys.stdin.isatty()
        and not typer.confirm("Sign this order?", default=False, err=True)
    ):
        raise RefusedError(f"order {draft.content.number} not signed")
    body = json.dumps(signature_body(draft, private), sort_keys=True)
    if out is None:
        print(body)
        return
    out.write_text(body + "\n", encoding="utf-8")
    common.say(f"signed; POST the body in {out} to /api/v1/orders to record the order")
