"""`muster verify --from DIR` and `--proof FILE` through the installed executable: only the
key given is trusted, a tampered export exits 3 naming the first thing that does not
verify, and one proof is checked alone, with no database."""

from __future__ import annotations

import base64
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from muster.domain.kinds import OrderKind
from muster.ledger import signing, tiles
from muster.registry import drafts
from muster.store.dialects import make_engine
from tests.e2e.cli_helpers import PASS, Cli
from tests.e2e.test_cli_contract import setup_registry
from tests.factories import csv_text, record_unchecked, roll_rows

ORIGIN = "muster.audit/gnb"
VKEY = "exported/keys/registry.vkey"


def registry(workdir: Path) -> tuple[Cli, str]:
    """A registry of 30 people with ORIGIN, exported to `exported`; the order number."""
    workdir.mkdir()
    cli = Cli(workdir)
    (workdir / "roll.csv").write_text(csv_text(roll_rows(30)), encoding="utf-8")
    cli.run("init", "--origin", ORIGIN)
    number = setup_registry(cli)
    cli.run("ledger", "export", "exported")
    return cli, number


@pytest.fixture(scope="module")
def ours(tmp_path_factory: pytest.TempPathFactory) -> tuple[Cli, str]:
    return registry(tmp_path_factory.mktemp("verify") / "ours")


@pytest.fixture
def cli(ours: tuple[Cli, str], tmp_path: Path) -> Cli:
    """A copy of our registry's directory, to tamper with."""
    import shutil

    shutil.copytree(ours[0].workdir, tmp_path / "copy")
    return Cli(tmp_path / "copy")


def fingerprint(cli: Cli) -> str:
    return str(cli.json("init")["registry_key"])


def failure(proc: Any) -> str:
    """The one line saying why verification failed."""
    assert proc.returncode == 3, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    last = proc.stderr.splitlines()[-1]
    assert last.startswith("verification failed: "), proc.stderr
    return str(last.removeprefix("verification failed: "))


def test_every_verify_names_the_origin_and_key_it_checked_against(cli: Cli) -> None:
    fp = fingerprint(cli)
    own = cli.run("verify", "--from", "exported")
    assert own.stdout.splitlines()[0].startswith("all holds: tree size 6")
    assert own.stdout.splitlines()[1] == (
        f"registry {ORIGIN}, key fingerprint {fp}; checked against the export's own key only"
    )
    assert "give the registry's key (--key registry.vkey, or --fingerprint)" in own.stderr
    given = cli.run("verify", "--from", "exported", "--key", VKEY)
    assert given.stdout.splitlines()[1].endswith("; trusted: the key given with --key")
    assert "give the registry's key" not in given.stderr
    pinned = cli.json("verify", "--from", "exported", "--fingerprint", fp)
    assert pinned["ok"] and pinned["key_source"] == "fingerprint"
    assert pinned["origin"] == ORIGIN and pinned["key_fingerprint"] == fp
    # the key an auditor is given: `muster ledger key` prints what exports hold
    printed = cli.run("ledger", "key").stdout
    assert printed == (cli.workdir / VKEY).read_text() and printed.startswith(f"{ORIGIN}+")
    assert cli.json("ledger", "key") == {
        "origin": ORIGIN,
        "verifier_key": printed.strip(),
        "fingerprint": fp,
    }
    as_text = cli.json("verify", "--from", "exported", "--key", printed.strip())
    assert as_text["ok"] and as_text["key_source"] == "key"
    database = cli.json("verify", "--key", VKEY)
    assert database["ok"] and database["key_source"] == "key" and database["key_fingerprint"] == fp


def test_an_export_of_another_registry_with_the_same_origin_fails_with_our_key(
    cli: Cli, tmp_path: Path
) -> None:
    theirs, _number = registry(tmp_path / "theirs")
    foreign = str(theirs.workdir / "exported")
    # checked against its own key it holds, and the output says whose key that was
    alone = cli.run("verify", "--from", foreign)
    assert alone.returncode == 0
    assert f"key fingerprint {fingerprint(theirs)}; checked against the export's own" in (
        alone.stdout
    )
    given = cli.run("verify", "--from", foreign, "--key", VKEY, ok=False)
    assert failure(given).startswith(
        f"keys/registry.vkey: the registry key {ORIGIN} {fingerprint(theirs)} is not the key "
        f"given ({ORIGIN} {fingerprint(cli)})"
    )
    pinned = cli.run("verify", "--from", foreign, "--fingerprint", fingerprint(cli), ok=False)
    assert failure(pinned).startswith("keys/registry.vkey: the registry key has the fingerprint")
    # their registry's database checked against our key
    assert failure(theirs.run("verify", "--key", str(cli.workdir / VKEY), ok=False)).startswith(
        "table registry: the registry key"
    )


def tree_size(cli: Cli) -> None:
    path = cli.workdir / "exported" / "checkpoint"
    path.write_text(re.sub(r"\n6\n", "\n7\n", path.read_text(), count=1))


def bad_signature(cli: Cli) -> None:
    path = cli.workdir / "exported" / "checkpoint"
    lines = path.read_text().split("\n")
    name, sig = lines[-2].rsplit(" ", 1)
    raw = bytearray(base64.b64decode(sig))
    raw[-1] ^= 1
    lines[-2] = f"{name} {base64.b64encode(bytes(raw)).decode()}"
    path.write_text("\n".join(lines))


def framing(cli: Cli) -> None:
    path = cli.workdir / "exported" / "tile/entries/000.p/6"
    path.write_bytes(path.read_bytes()[:-1])


def deleted(cli: Cli) -> None:
    (cli.workdir / "exported" / "tile/entries/000.p/6").unlink()


def altered_entry(cli: Cli) -> None:
    path = cli.workdir / "exported" / "tile/entries/000.p/6"
    bundle = tiles.decode_bundle(path.read_bytes(), "")
    bundle[1] = bundle[1].replace(b"Registro GNB", b"Registro GNX")
    path.write_bytes(tiles.encode_bundle(bundle))


@pytest.mark.parametrize(
    ("tamper", "first"),
    [
        (tree_size, "checkpoint: the signature by the registry key muster.audit/gnb+"),
        (bad_signature, "checkpoint: the signature by the registry key muster.audit/gnb+"),
        (framing, "tile/entries/000.p/6: entry 5 is "),
        (
            deleted,
            "tile/entries/000.p/6: missing; the log holds 6 entries and this bundle holds "
            "entries 0 to 5",
        ),
        (altered_entry, "checkpoint: its root hash does not match the exported entries"),
    ],
)
def test_a_tampered_export_exits_3_naming_the_first_problem(
    cli: Cli, tamper: Any, first: str
) -> None:
    tamper(cli)
    for key in ([], ["--key", VKEY]):
        proc = cli.run("verify", "--from", "exported", *key, ok=False)
        assert failure(proc).startswith(first), proc.stderr
        assert proc.stdout.startswith("FAILED: ")
        report = json.loads(
            cli.run("verify", "--from", "exported", *key, "--json", ok=False).stdout
        )
        assert report["ok"] is False and report["problems"][0].startswith(first)


def test_one_proof_is_checked_alone_with_the_registry_key(cli: Cli, ours: tuple[Cli, str]) -> None:
    number = ours[1]
    (cli.workdir / "proof.json").write_text(cli.run("ledger", "proof", "--order", number).stdout)
    (cli.workdir / "muster.db").unlink()  # no database from here on
    proc = cli.run("verify", "--proof", "proof.json", "--key", VKEY)
    assert proc.stdout.startswith("inclusion proof holds: entry 5 ")
    assert f"registry {ORIGIN}, key fingerprint " in proc.stdout
    report = cli.json("verify", "--proof", "proof.json", "--key", VKEY)
    assert report["ok"] and report["kind"] == "inclusion" and report["entry"] == 5
    assert report["checkpoints"] == ["the checkpoint in the proof"]
    # the proof of another entry's leaf hash, or another root, does not hold
    proof = json.loads((cli.workdir / "proof.json").read_text())
    proof["entry"] = 4
    (cli.workdir / "moved.json").write_text(json.dumps(proof))
    moved = cli.run("verify", "--proof", "moved.json", "--key", VKEY, ok=False)
    assert failure(moved) == (
        "the inclusion proof: the proof does not lead from the leaf hash at 4 to the root hash"
    )


def test_a_consistency_proof_carries_its_checkpoint(cli: Cli) -> None:
    (cli.workdir / "c.json").write_text(
        cli.run("ledger", "proof", "--consistency-from", "3").stdout
    )
    (cli.workdir / "cp").write_text(cli.run("ledger", "checkpoint").stdout)
    alone = cli.json("verify", "--proof", "c.json", "--key", VKEY)
    assert alone["ok"] and alone["kind"] == "consistency" and alone["old_size"] == 3
    assert alone["checkpoints"] == ["the checkpoint in the proof"]
    old = cli.workdir / "exported" / "checkpoints" / "3"
    with_old = cli.json("verify", "--proof", "c.json", "--key", VKEY, "--checkpoint", str(old))
    assert with_old["ok"] and len(with_old["checkpoints"]) == 2
    # one kept from an earlier release, without a checkpoint, needs one given
    proof = json.loads((cli.workdir / "c.json").read_text())
    del proof["checkpoint"]
    (cli.workdir / "earlier.json").write_text(json.dumps(proof))
    bare = cli.run("verify", "--proof", "earlier.json", "--key", VKEY, ok=False)
    assert bare.returncode == 1
    assert "the proof carries no signed checkpoint: give the one it was made against" in (
        bare.stderr
    )
    given = cli.json("verify", "--proof", "earlier.json", "--key", VKEY, "--checkpoint", "cp")
    assert given["ok"]


def test_proofs_from_the_api_are_checked_too(cli: Cli) -> None:
    from fastapi.testclient import TestClient

    from muster.api.app import create_app
    from muster.config import Settings

    cli.run("user", "add", "auditor1", "--role", "auditor", env={"MUSTER_USER_PASSWORD": "x" * 16})
    token = cli.run("token", "create", "auditor1").stdout.splitlines()[-1]
    settings = Settings(database_url=cli.env["MUSTER_DATABASE_URL"])  # type: ignore[call-arg]
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings)) as client:
        got = {
            "inclusion.json": client.get(
                "/api/v1/ledger/proofs/inclusion", params={"entry": 3}, headers=headers
            ),
            "consistency.json": client.get(
                "/api/v1/ledger/proofs/consistency", params={"old_size": 1}, headers=headers
            ),
            "checkpoint.json": client.get("/api/v1/ledger/checkpoint", headers=headers),
        }
    for name, response in got.items():
        assert response.status_code == 200, response.text
        (cli.workdir / name).write_text(response.text)
    # the API's proofs are the CLI's, field for field
    assert got["inclusion.json"].json() == cli.json("ledger", "proof", "--entry", "3")
    assert got["consistency.json"].json() == cli.json("ledger", "proof", "--consistency-from", "1")
    for name in ("inclusion.json", "consistency.json"):
        assert cli.json("verify", "--proof", name, "--key", VKEY)["ok"]
        report = cli.json(
            "verify", "--proof", name, "--key", VKEY, "--checkpoint", "checkpoint.json"
        )
        assert report["ok"], report


def test_a_proof_of_what_the_ledger_does_not_hold_is_refused(cli: Cli) -> None:
    size = cli.json("ledger", "proof", "--entry", "0")["tree_size"]
    cases = {
        ("--entry", "999"): f"--entry 999: no ledger entry 999: the ledger holds entries 0 to "
        f"{size - 1}",
        ("--consistency-from", "999"): f"--consistency-from 999: no tree of size 999: the "
        f"ledger holds {size} entries",
        (): "give --order NUMBER, --entry N or --consistency-from N",
    }
    for args, message in cases.items():
        proc = cli.run("ledger", "proof", *args, ok=False)
        assert proc.returncode == 1 and message in proc.stderr, (args, proc.stderr)
        assert proc.stdout == ""


def test_what_verify_refuses_to_try(cli: Cli) -> None:
    (cli.workdir / "p.json").write_text(json.dumps({"root": "00", "proof": []}))
    cases = {
        ("--proof", "p.json"): (2, "--proof needs the registry's key: --key registry.vkey"),
        ("--proof", "p.json", "--from", "exported", "--key", VKEY): (
            2,
            "give --from DIR or --proof FILE, not both",
        ),
        ("--checkpoint", "cp"): (2, "--checkpoint goes with --proof FILE"),
        ("--proof", "p.json", "--key", VKEY): (1, "p.json: the fields proof, root are not a proof"),
        ("--from", "exported", "--key", "nothing.vkey"): (
            1,
            "--key nothing.vkey: no such file, and not a verifier key",
        ),
        ("--from", "exported", "--fingerprint", "1234"): (1, "--fingerprint '1234': expected 64"),
        ("--from", "nowhere"): (1, "nowhere: not a Muster ledger export"),
    }
    for args, (code, message) in cases.items():
        proc = cli.run("verify", *args, ok=False)
        assert proc.returncode == code and message in proc.stderr, (args, proc.stderr)
        assert proc.stdout == "" and "Traceback" not in proc.stderr


def test_an_order_outside_its_authoritys_components_written_directly_exits_3(
    tmp_path: Path,
) -> None:
    """CG-GNB's real key signs an absence report of an Army member, and the order is written
    past recording's checks: `muster verify` of the database and of an export exit 3 naming
    it."""
    cli = Cli(tmp_path)
    rows = [*roll_rows(3), *roll_rows(3, start=4, component="EB")]
    (tmp_path / "roll.csv").write_text(csv_text(rows), encoding="utf-8")
    cli.run("init")
    for code, kinds, components in (
        ("REG-ALL", "enlistment", "GNB,EB"),
        ("CG-GNB", "absence,strike-off", "GNB"),
    ):
        cli.run(
            "authority", "create", code, "--name", f"Office {code}", "--kinds", kinds,
            "--components", components, "--key-out", f"{code}.pem",
        )  # fmt: skip
    cli.run(
        "roll", "import", "roll.csv", "--authority", "REG-ALL", "--key", "REG-ALL.pem",
        "--signed-on", "2014-01-01",
    )  # fmt: skip
    key = signing.load_private_key(
        (tmp_path / "CG-GNB.pem").read_bytes(), PASS["MUSTER_KEY_PASSPHRASE"].encode()
    )
    request = drafts.OrderRequest(
        kind=OrderKind.ABSENCE,
        number="AUS-EB",
        authority="CG-GNB",
        signed_on=date(2018, 12, 21),
        effective=date(2018, 12, 21),
        refs=["EB-0000004"],
    )
    engine = make_engine(cli.env["MUSTER_DATABASE_URL"])
    try:
        fp = signing.fingerprint(signing.public_key_raw(key))
        seq = record_unchecked(engine, key, fp, request, PASS["MUSTER_REGISTRY_PASSPHRASE"])
    finally:
        engine.dispose()
    named = (
        f"ledger entry {seq} (order AUS-EB): authority CG-GNB may not sign for component(s) EB "
        "(its scope: GNB)"
    )
    assert failure(cli.run("verify", ok=False)) == named
    report = json.loads(cli.run("verify", "--json", ok=False).stdout)
    assert report["ok"] is False and report["problems"] == [named]
    cli.run("ledger", "export", "exported")
    assert failure(cli.run("verify", "--from", "exported", ok=False)) == named
