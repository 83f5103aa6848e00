"""An API over a small real registry, with one account per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from muster.accounts import accounts
from muster.accounts.accounts import Role
from muster.api.app import create_app
from muster.config import Settings
from muster.domain.kinds import OrderKind as K
from muster.store.dialects import make_engine
from tests.factories import (
    PASSPHRASE,
    Signer,
    enlist,
    issue,
    new_authority,
    new_registry,
    record_crossing,
    roll_rows,
)

PASSWORD = "a long enough password"
ROLE_POSTS = {Role.OFFICER: ["SBOL"], Role.SUPERVISOR: ["SBOL"]}


@dataclass
class Api:
    """A test client, the registry's engine, and a way to get a token for any role."""

    client: TestClient
    engine: Engine
    signer: Signer

    def token(self, role: Role) -> str:
        with self.engine.begin() as conn:
            return accounts.create_token(conn, f"{role.value}-user", None)[0]

    def headers(self, role: Role | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.token(role)}"}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    path: Path = tmp_path_factory.mktemp("api") / "muster.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    new_registry(engine)
    clerk = new_authority(engine, "REG-GNB", [K.ENLISTMENT], ["GNB"])
    command = new_authority(
        engine, "CG-GNB", [K.ABSENCE, K.STRIKE_OFF, K.TRAVEL_AUTHORIZATION], ["GNB"]
    )
    enlist(engine, clerk, roll_rows(10), "ENL-1")
    issue(engine, command, K.ABSENCE, "AUS-1", "2016-01-01", ["GNB-0000002"])
    with engine.begin() as conn:
        for role in Role:
            accounts.add_user(
                conn,
                f"{role.value}-user",
                role,
                PASSWORD,
                post_codes=ROLE_POSTS.get(role, []),
                authority="CG-GNB" if role is Role.AUTHORITY else None,
                created_by="test",
            )
    settings = Settings(database_url=url, registry_passphrase=PASSPHRASE)  # type: ignore[arg-type]
    with TestClient(create_app(settings)) as client:
        wait_ready(client)
        yield Api(client, engine, command)
    engine.dispose()


def travel_draft(n: int) -> dict[str, object]:
    """A travel-authorization draft request with a fresh number."""
    return {
        "kind": "travel-authorization",
        "number": f"AV-{n}",
        "authority": "CG-GNB",
        "signed_on": "2019-01-05",
        "subjects": ["GNB-0000005"],
        "valid_from": "2019-01-10",
        "valid_until": "2019-02-10",
    }


def signed_draft(api: Api, n: int) -> dict[str, str]:
    """A draft made by a clerk and signed with the authority's key, ready to submit."""
    import base64

    from muster.ledger import signing

    made = api.client.post(
        "/api/v1/orders/drafts", json=travel_draft(n), headers=api.headers(Role.CLERK)
    ).json()
    signature = signing.sign(api.signer.key, base64.b64decode(made["bytes"]))
    return {
        "draft_id": made["draft_id"],
        "signature": base64.b64encode(signature).decode(),
        "key": api.signer.fingerprint,
    }


def add_crossing(api: Api, decision: str, post: str = "SBOL") -> str:
    """A crossing recorded at a post, as a screening would record it."""
    from tests.factories import crossing_record

    with api.engine.begin() as conn:
        return record_crossing(conn, crossing_record(decision, post, "officer-user"))


def wait_ready(client: TestClient, timeout_s: float = 60.0) -> TestClient:
    """Wait until the service answers ready (it indexes the roll in the background)."""
    import time

    deadline = time.monotonic() + timeout_s
    while client.get("/api/v1/health").status_code != 200:
        assert time.monotonic() < deadline, "the service never became ready"
        time.sleep(0.02)
    return client
