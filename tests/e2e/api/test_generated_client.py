"""A client generated from the OpenAPI document (`openapi-python-client`, at test time, into a
temporary folder) screens a traveler and drafts and signs an order: the document is enough
to talk to the server."""

from __future__ import annotations

import base64
import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from muster.accounts.accounts import Role
from muster.ledger import signing
from tests.e2e.api.conftest import Api

PACKAGE = "muster_client"


@pytest.fixture(scope="module")
def generated(api: Api, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("client")
    document = folder / "openapi.json"
    document.write_bytes(api.client.get("/api/v1/openapi.json").content)
    bin_dir = Path(sys.executable).parent
    made = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(document),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        stdin=subprocess.DEVNULL,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    # Every part of the document was understood: nothing skipped.
    assert "Warning" not in made.stdout + made.stderr, made.stdout + made.stderr
    sys.path.insert(0, str(folder))
    try:
        yield folder
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def module(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def client_for(api: Api, role: Role) -> Any:
    """The generated client, over the test server, with a token of `role`."""
    client = module("client").Client(base_url="http://testserver", raise_on_unexpected_status=True)
    transport = TestClient(api.client.app, headers=api.headers(role))  # type: ignore[arg-type]
    client.set_httpx_client(transport)
    return client


def test_a_screening(api: Api, generated: Path) -> None:
    models = module("models")
    screen = module("api.border.screen_traveler")
    body = models.Screening(
        post="SBOL",
        direction=models.ScreeningDirection.EXIT,
        identity=models.Identity(given_names="ANA", surnames="NADIE", birth_date="1990-01-01"),
    )
    answer = screen.sync(client=client_for(api, Role.OFFICER), body=body)
    assert isinstance(answer, models.ScreeningAnswer), answer
    assert answer.decision.value in ("clear", "authorized", "refer", "deny")
    assert answer.match.verdict.value == "no_match"
    assert answer.crossing_id.startswith("X")
    elsewhere = models.Screening(
        post="PAR", direction=models.ScreeningDirection.EXIT, identity=body.identity
    )
    refused = screen.sync(client=client_for(api, Role.OFFICER), body=elsewhere)
    assert isinstance(refused, models.Problem) and refused.status == 403


def test_a_draft_signed_and_recorded(api: Api, generated: Path) -> None:
    models = module("models")
    draft = module("api.orders.draft")
    sign = module("api.orders.sign")
    show = module("api.orders.show_order")
    request = models.DraftRequest(
        kind=models.DraftRequestKind.TRAVEL_AUTHORIZATION,
        number="AV-GEN-1",
        authority="CG-GNB",
        signed_on=date(2019, 1, 5),
        subjects=["GNB-0000005"],
        valid_from=date(2019, 1, 10),
        valid_until=date(2019, 2, 10),
    )
    made = draft.sync(client=client_for(api, Role.CLERK), body=request)
    assert isinstance(made, models.Draft), made
    signature = signing.sign(api.signer.key, base64.b64decode(made.bytes_))
    body = models.Signature(
        draft_id=made.draft_id,
        signature=base64.b64encode(signature).decode(),
        key=api.signer.fingerprint,
    )
    recorded = sign.sync(client=client_for(api, Role.AUTHORITY), body=body)
    assert isinstance(recorded, models.RecordedOrder), recorded
    assert (recorded.number, recorded.kind, recorded.subjects) == (
        "AV-GEN-1",
        "travel-authorization",
        1,
    )
    shown = show.sync("av-gen-1", client=client_for(api, Role.AUDITOR))
    assert isinstance(shown, models.OrderView), shown
    assert shown.ledger_entry == recorded.ledger_entry
    again = sign.sync(client=client_for(api, Role.AUTHORITY), body=body)
    assert isinstance(again, models.Problem) and again.status == 409
