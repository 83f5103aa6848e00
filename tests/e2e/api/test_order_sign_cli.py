"""A draft made over HTTP, signed with `muster order sign`, recorded with the body it prints."""

from __future__ import annotations

import json
from pathlib import Path

from muster.accounts.accounts import Role
from muster.ledger import signing
from tests.e2e.api.conftest import Api, travel_draft
from tests.e2e.cli_helpers import PASS, Cli


def drafted(api: Api, n: int, tmp_path: Path) -> tuple[Cli, dict[str, object]]:
    """A clerk's draft saved as `draft.json`, the signer's key as `key.pem`, and a CLI there."""
    made = api.client.post(
        "/api/v1/orders/drafts", json=travel_draft(n), headers=api.headers(Role.CLERK)
    )
    assert made.status_code == 201, made.text
    (tmp_path / "draft.json").write_text(made.text, encoding="utf-8")
    pem = signing.private_key_to_pem(api.signer.key, PASS["MUSTER_KEY_PASSPHRASE"].encode())
    (tmp_path / "key.pem").write_bytes(pem)
    return Cli(tmp_path), made.json()


def test_a_draft_made_over_http_is_signed_by_the_cli_and_recorded(api: Api, tmp_path: Path) -> None:
    cli, answer = drafted(api, 9101, tmp_path)
    proc = cli.run("order", "sign", "draft.json", "--key", "key.pem")
    assert "AV-9101" in proc.stderr and "2019-02-10" in proc.stderr  # what will be signed
    assert api.signer.fingerprint in proc.stderr
    body = json.loads(proc.stdout)  # exactly the body of POST /orders
    assert body["draft_id"] == answer["draft_id"] and body["key"] == api.signer.fingerprint
    recorded = api.client.post("/api/v1/orders", json=body, headers=api.headers(Role.AUTHORITY))
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["number"] == "AV-9101"
    shown = api.client.get("/api/v1/orders/AV-9101", headers=api.headers(Role.AUDITOR)).json()
    assert shown["key"] == api.signer.fingerprint and shown["subjects"] == 1


def test_a_draft_whose_content_differs_from_its_bytes_is_not_signed(
    api: Api, tmp_path: Path
) -> None:
    cli, answer = drafted(api, 9102, tmp_path)
    content = dict(answer["content"])  # type: ignore[call-overload]
    content["valid_until"] = "2029-02-10"
    (tmp_path / "draft.json").write_text(json.dumps({**answer, "content": content}))
    proc = cli.run("order", "sign", "draft.json", "--key", "key.pem", ok=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "content differs from the bytes to sign" in proc.stderr
    (tmp_path / "draft.json").write_text("{not json")
    proc = cli.run("order", "sign", "draft.json", "--key", "key.pem", ok=False)
    assert proc.returncode == 1 and "draft.json: not JSON" in proc.stderr
    missing = cli.run("order", "sign", "nowhere.json", "--key", "key.pem", ok=False)
    assert missing.returncode == 1 and "nowhere.json: no such file" in missing.stderr
