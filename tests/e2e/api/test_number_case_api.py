"""The API finds orders and people by numbers in any case, and refuses a number taken in another."""

from __future__ import annotations

import base64

from muster.accounts.accounts import Role
from muster.ledger import signing
from tests.e2e.api.conftest import Api, signed_draft, travel_draft


def test_orders_and_people_in_any_case(api: Api) -> None:
    reader = api.headers(Role.AUDITOR)
    order = api.client.get("/api/v1/orders/aus-1", headers=reader)
    assert order.status_code == 200 and order.json()["number"] == "AUS-1"
    person = api.client.get("/api/v1/persons/gnb-0000002", headers=reader)
    assert person.status_code == 200 and person.json()["status"] == "absent"


def test_a_number_taken_in_another_case_is_refused(api: Api) -> None:
    recorded = api.client.post(
        "/api/v1/orders", json=signed_draft(api, 9101), headers=api.headers(Role.AUTHORITY)
    )
    assert recorded.status_code == 201, recorded.text
    body = {**travel_draft(9102), "number": "av-9101", "subjects": ["gnb-0000006"]}
    made = api.client.post("/api/v1/orders/drafts", json=body, headers=api.headers(Role.CLERK))
    assert made.status_code == 201, made.text  # drafting does not check the number
    signature = signing.sign(api.signer.key, base64.b64decode(made.json()["bytes"]))
    refused = api.client.post(
        "/api/v1/orders",
        headers=api.headers(Role.AUTHORITY),
        json={
            "draft_id": made.json()["draft_id"],
            "signature": base64.b64encode(signature).decode(),
            "key": api.signer.fingerprint,
        },
    )
    assert refused.status_code == 409 and refused.json()["code"] == "OrderNumberTakenError"
