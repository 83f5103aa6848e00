"""`muster authority …`: offices that sign orders, their keys and scope."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from muster.actor import Actor
from muster.cli import common
from muster.domain.errors import InvalidInputError
from muster.domain.kinds import parse_kinds
from muster.ledger import signing
from muster.reference_data import load_reference
from muster.registry import authorities
from muster.registry.opening import writing

app = common.typer_app("Authorities: offices that sign orders, their keys and scope.")
key_app = common.typer_app("An authority's signing keys: add, rotate, revoke.")
app.add_typer(key_app, name="key")


def write_new_key(path: Path, passphrase: str) -> bytes:
    """Generate an Ed25519 key, write it encrypted (PKCS8 PEM, mode 0600); its public bytes."""
    if path.exists():
        raise InvalidInputError(f"--key-out {path}: the file exists; Muster never overwrites a key")
    key = signing.generate_private_key()
    pem = signing.private_key_to_pem(key, passphrase.encode())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as err:
        raise InvalidInputError(f"--key-out {path}: {err.strerror}") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return signing.public_key_raw(key)


def report_key(code: str, fp: str, key_out: Path, as_json: bool, what: str) -> None:
    """The new key's fingerprint on stdout (or JSON); where it was written on stderr."""
    if as_json:
        common.emit_json({"authority": code, "fingerprint": fp, "key_file": str(key_out)})
    else:
        common.say(f"{what}; key {fp} written to {key_out}")
        print(fp)


@app.command("create")
def create(
    code: str = typer.Argument(..., help="Short code of the office, e.g. CG-GNB."),
    name: str = typer.Option(..., "--name", help="Name of the office."),
    kinds: str = typer.Option(..., "--kinds", help="Order kinds it may sign, comma-separated."),
    components: str = typer.Option("", "--components", help="Component codes, comma-separated."),
    holder: list[str] = typer.Option([], "--holder", help="A holder of the office (repeatable)."),
    key_out: Path = typer.Option(..., "--key-out", help="Where to write the new private key."),
    as_json: bool = common.JsonOption,
) -> None:
    """Create an authority with its first signing key (written encrypted to --key-out)."""
    kind_list = parse_kinds(kinds)
    comps = [c.strip().upper() for c in components.split(",") if c.strip()]
    reference = load_reference()
    authorities.check_scope_request(kind_list, comps, reference)
    reg_pass = common.registry_passphrase()
    key_pass = common.key_passphrase(confirm=True)
    s = common.settings()
    with writing(common.engine(s), reg_pass) as (conn, _reg):
        public = write_new_key(key_out, key_pass)
        try:
            fp = authorities.create_authority(
                conn,
                Actor.current(),
                code=code,
                name=name,
                kinds=kind_list,
                components=comps,
                holders=holder,
                public_key=public,
                reference=reference,
            )
        except BaseException:
            key_out.unlink(missing_ok=True)
            raise
    report_key(code, fp, key_out, as_json, f"authority {code} created")


@app.command("list")
def list_(as_json: bool = common.JsonOption) -> None:
    """List every authority with its scope, holders and keys."""
    with common.reading() as conn:
        views = authorities.list_authorities(conn)
    if as_json:
        common.emit_json({"authorities": [v.to_json() for v in views]})
        return
    from rich.table import Table

    table = Table("code", "name", "kinds", "components", "holders", "active keys")
    for v in views:
        active = [f[:16] for f, a in v.keys if a]
        table.add_row(
            v.code,
            v.name,
            ", ".join(v.kinds),
            ", ".join(v.components),
            "; ".join(v.holders),
            "\n".join(active),
        )
    common.out_console.print(table)


@key_app.command("add")
def key_add(
    code: str = typer.Argument(..., help="The authority's code."),
    key_out: Path = typer.Option(..., "--key-out", help="Where to write the new private key."),
    as_json: bool = common.JsonOption,
) -> None:
    """Add a new signing key to an authority (to rotate: add, then revoke the old one)."""
    reg_pass = common.registry_passphrase()
    key_pass = common.key_passphrase(confirm=True)
    with writing(common.engine(), reg_pass) as (conn, _reg):
        authorities.require_authority(conn, code)
        public = write_new_key(key_out, key_pass)
        try:
            fp = authorities.add_key(conn, Actor.current(), code, public)
        except BaseException:
            key_out.unlink(missing_ok=True)
            raise
    report_key(code, fp, key_out, as_json, f"key added to {code}")


@key_app.command("revoke")
def key_revoke(
    code: str = typer.Argument(..., help="The authority's code."),
    fingerprint: str = typer.Argument(..., help="The key's fingerprint (see `authority list`)."),
    reason: str = typer.Option("", "--reason", help="Why the key is revoked."),
    as_json: bool = common.JsonOption,
) -> None:
    """Revoke a key: orders the ledger records from now on are refused when signed with it."""
    reg_pass = common.registry_passphrase()
    with writing(common.engine(), reg_pass) as (conn, _reg):
        authorities.revoke_key(conn, Actor.current(), code, fingerprint, reason)
    if as_json:
        common.emit_json({"authority": code, "revoked": fingerprint})
    else:
        common.say(f"key {fingerprint} of {code} revoked")
