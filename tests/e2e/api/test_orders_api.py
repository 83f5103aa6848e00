"""Drafting and signing over HTTP: the server keeps the bytes, the signer sends a signature."""

from __future__ import annotations

import base64

from muster.accounts.accounts import Role
from muster.ledger import signing
from tests.e2e.api.conftest import Api, signed_draft, travel_draft


def test_draft_sign_record_and_show(api: Api) -> None:
    body = signed_draft(api, 9001)
    recorded = api.client.post("/api/v1/orders", json=body, headers=api.headers(Role.AUTHORITY))
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["number"] == "AV-9001"
    shown = api.client.get("/api/v1/orders/AV-9001", headers=api.headers(Role.AUDITOR)).json()
    assert shown["content"]["valid_until"] == "2019-02-10"
    assert shown["recorded"]["account"] == "authority-user"  # every write names its account
    again = api.client.post("/api/v1/orders", json=body, headers=api.headers(Role.AUTHORITY))
    assert again.status_code == 409 and "already signed" in again.json()["detail"]


def test_a_bad_signature_is_refused(api: Api) -> None:
    made = api.client.post(
        "/api/v1/orders/drafts", json=travel_draft(9002), headers=api.headers(Role.CLERK)
    ).json()
    forged = signing.sign(signing.generate_private_key(), base64.b64decode(made["bytes"]))
    response = api.client.post(
        "/api/v1/orders",
        headers=api.headers(Role.AUTHORITY),
        json={
            "draft_id": made["draft_id"],
            "signature": base64.b64encode(forged).decode(),
            "key": api.signer.fingerprint,
        },
    )
    assert response.status_code == 400
    assert response.json()["code"] == "SignatureError"


def test_an_authority_account_acts_only_for_its_office(api: Api) -> None:
    other = dict(travel_draft(9003), authority="REG-GNB")
    response = api.client.post(
        "/api/v1/orders/drafts", json=other, headers=api.headers(Role.AUTHORITY)
    )
    assert response.status_code == 403 and "CG-GNB" in response.json()["detail"]


def test_a_refused_transition_is_a_conflict(api: Api) -> None:
    body = {
        "kind": "strike-off",
        "number": "SO-X",
        "authority": "CG-GNB",
        "signed_on": "2018-12-21",
        "subjects": ["GNB-0000001"],
    }
    made = api.client.post(
        "/api/v1/orders/drafts", json=body, headers=api.headers(Role.CLERK)
    ).json()
    signature = signing.sign(api.signer.key, base64.b64decode(made["bytes"]))
    response = api.client.post(
        "/api/v1/orders",
        headers=api.headers(Role.AUTHORITY),
        json={
            "draft_id": made["draft_id"],
            "signature": base64.b64encode(signature).decode(),
            "key": api.signer.fingerprint,
        },
    )
    assert response.status_code == 409
    assert "strike-off refused" in response.json()["detail"]


def test_a_refused_field_is_named_as_the_json_names_it(api: Api) -> None:
    body = {
        "kind": "strike-off",
        "number": "SO-Y",
        "authority": "CG-GNB",
        "signed_on": "2018-12-21",
    }
    response = api.client.post("/api/v1/orders/drafts", json=body, headers=api.headers(Role.CLERK))
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "InvalidInputError" and problem["fields"] == ["subjects"]
    assert problem["detail"] == "a strike-off order needs subjects"
