"""Withdrawing and declining drafts over HTTP: who may, what a closed draft answers, and
the lists of drafts each role sees."""

from __future__ import annotations

import base64

from muster.accounts.accounts import Role
from muster.ledger import signing
from tests.e2e.api.conftest import Api, travel_draft


def make(api: Api, n: int, role: Role = Role.CLERK) -> str:
    made = api.client.post("/api/v1/orders/drafts", json=travel_draft(n), headers=api.headers(role))
    assert made.status_code == 201, made.text
    draft_id: str = made.json()["draft_id"]
    return draft_id


def signature_for(api: Api, draft_id: str, n: int) -> dict[str, str]:
    made = api.client.get(f"/api/v1/orders/drafts/{draft_id}", headers=api.headers(Role.CLERK))
    assert made.status_code == 200
    with api.engine.connect() as conn:
        from muster.registry.signing_flow import load_draft

        data = load_draft(conn, draft_id).order_bytes
    return {
        "draft_id": draft_id,
        "signature": base64.b64encode(signing.sign(api.signer.key, data)).decode(),
        "key": api.signer.fingerprint,
    }


def test_the_authority_declines_with_a_reason_and_the_clerk_reads_it(api: Api) -> None:
    draft_id = make(api, 9101)
    body = signature_for(api, draft_id, 9101)  # signed before the refusal: refused after it
    awaiting = api.client.get("/api/v1/orders/drafts", headers=api.headers(Role.AUTHORITY))
    assert draft_id in [d["draft_id"] for d in awaiting.json()["drafts"]]
    declined = api.client.post(
        f"/api/v1/orders/drafts/{draft_id}/refusal",
        json={"reason": "the travel dates are wrong"},
        headers=api.headers(Role.AUTHORITY),
    )
    assert declined.status_code == 200, declined.text
    shown = declined.json()
    assert (shown["state"], shown["closed_by"], shown["closed_note"]) == (
        "declined",
        "authority-user",
        "the travel dates are wrong",
    )
    assert shown["closed_at"].endswith("Z")
    awaiting = api.client.get("/api/v1/orders/drafts", headers=api.headers(Role.AUTHORITY))
    assert draft_id not in [d["draft_id"] for d in awaiting.json()["drafts"]]
    mine = api.client.get("/api/v1/orders/drafts", headers=api.headers(Role.CLERK)).json()
    listed = {d["draft_id"]: d for d in mine["drafts"]}
    assert listed[draft_id]["closed_note"] == "the travel dates are wrong"
    assert all(d["created_by"] == "clerk-user" for d in mine["drafts"])
    signed = api.client.post("/api/v1/orders", json=body, headers=api.headers(Role.AUTHORITY))
    assert signed.status_code == 409 and signed.json()["code"] == "DraftClosedError"
    again = api.client.post(
        f"/api/v1/orders/drafts/{draft_id}/withdrawal", json={}, headers=api.headers(Role.CLERK)
    )
    assert again.status_code == 409 and again.json()["code"] == "DraftClosedError"
    order = api.client.get("/api/v1/orders/AV-9101", headers=api.headers(Role.AUDITOR))
    assert order.status_code == 404  # nothing recorded


def test_a_refusal_needs_a_reason_named_as_its_field(api: Api) -> None:
    draft_id = make(api, 9102)
    url = f"/api/v1/orders/drafts/{draft_id}/refusal"
    blank = api.client.post(url, json={"reason": "   "}, headers=api.headers(Role.AUTHORITY))
    assert blank.status_code == 400 and blank.json()["fields"] == ["reason"]
    missing = api.client.post(url, json={}, headers=api.headers(Role.AUTHORITY))
    assert missing.status_code == 422 and missing.json()["errors"][0]["loc"] == ["body", "reason"]
    long = api.client.post(url, json={"reason": "x" * 501}, headers=api.headers(Role.AUTHORITY))
    assert long.status_code == 422
    state = api.client.get(f"/api/v1/orders/drafts/{draft_id}", headers=api.headers(Role.CLERK))
    assert state.json()["state"] == "awaiting-signature"


def test_only_the_drafter_withdraws_and_a_recorded_draft_stays(api: Api) -> None:
    draft_id = make(api, 9103, Role.AUTHORITY)  # an authority drafting for itself
    url = f"/api/v1/orders/drafts/{draft_id}/withdrawal"
    other = api.client.post(url, json={"note": "x"}, headers=api.headers(Role.CLERK))
    assert other.status_code == 403 and other.json()["code"] == "DraftNotYoursError"
    done = api.client.post(url, json={"note": "duplicate"}, headers=api.headers(Role.AUTHORITY))
    assert done.status_code == 200 and done.json()["state"] == "withdrawn"
    assert done.json()["closed_note"] == "duplicate"

    recorded = make(api, 9104)
    body = signature_for(api, recorded, 9104)
    signed = api.client.post("/api/v1/orders", json=body, headers=api.headers(Role.AUTHORITY))
    assert signed.status_code == 201
    late = api.client.post(
        f"/api/v1/orders/drafts/{recorded}/withdrawal", json={}, headers=api.headers(Role.CLERK)
    )
    assert late.status_code == 409 and "already signed" in late.json()["detail"]
    state = api.client.get(f"/api/v1/orders/drafts/{recorded}", headers=api.headers(Role.CLERK))
    assert state.json()["state"] == "recorded" and state.json()["ledger_entry"] is not None
    missing = api.client.get("/api/v1/orders/drafts/d_none", headers=api.headers(Role.CLERK))
    assert missing.status_code == 404
