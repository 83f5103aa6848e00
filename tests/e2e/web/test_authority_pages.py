"""The authority's pages on the server's side (a TestClient over a small registry): the
signature a page sends is recorded as `POST /api/v1/orders` records it, or refused in words
with nothing written; the command line's signature file is accepted; each authority sees
and signs only its own drafts."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from muster.accounts import accounts
from muster.accounts.accounts import Role
from muster.api.deps import SESSION_COOKIE
from muster.ledger import signing
from muster.registry.draft_answer import read_draft_answer, signature_body
from muster.web.session import csrf_of_session
from tests.e2e.api.conftest import PASSWORD, Api, travel_draft

_numbers = iter(range(1000, 2000))


def made(api: Api, **change: Any) -> dict[str, Any]:
    """A travel-authorization draft of CG-GNB's, made through the API by a clerk."""
    body = {**travel_draft(next(_numbers)), **change}
    answer = api.client.post("/api/v1/orders/drafts", json=body, headers=api.headers(Role.CLERK))
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    found["number"] = body["number"]
    return found


def as_account(api: Api, token: str) -> dict[str, str]:
    api.client.cookies.clear()
    return {"Cookie": f"{SESSION_COOKIE}={token}"}


def page(api: Api, path: str, role: Role = Role.AUTHORITY, token: str | None = None) -> Any:
    token = token or api.token(role)
    return api.client.get(path, headers=as_account(api, token), follow_redirects=False)


def post_sign(
    api: Api,
    draft_id: str,
    data: dict[str, str] | None = None,
    files: dict[str, Any] | None = None,
    token: str | None = None,
) -> Any:
    token = token or api.token(Role.AUTHORITY)
    body = {"csrf_token": csrf_of_session(token), **(data or {})}
    return api.client.post(
        f"/drafts/{draft_id}/sign",
        data=body,
        files=files,
        headers=as_account(api, token),
        follow_redirects=False,
    )


def signed(
    api: Api, draft: dict[str, Any], key: Any = None, fingerprint: str = ""
) -> dict[str, str]:
    """What the page's own signing puts in the form."""
    signature = signing.sign(key or api.signer.key, base64.b64decode(draft["bytes"]))
    return {
        "signature": base64.b64encode(signature).decode(),
        "key": fingerprint or api.signer.fingerprint,
    }


def history(api: Api, ref: str) -> list[str]:
    answer = api.client.get(f"/api/v1/persons/{ref}", headers=api.headers(Role.CLERK))
    return [e["order"] for e in answer.json()["history"]]


def test_a_signature_sent_by_the_page_is_recorded_as_the_api_records_it(api: Api) -> None:
    draft = made(api)
    review = page(api, f"/drafts/{draft['draft_id']}")
    assert review.status_code == 200 and draft["number"] in review.text
    assert base64.b64encode(base64.b64decode(draft["bytes"])).decode() in review.text
    answer = post_sign(api, draft["draft_id"], signed(api, draft))
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/drafts/{draft['draft_id']}"
    assert draft["number"] in history(api, "GNB-0000005")
    shown = page(api, f"/drafts/{draft['draft_id']}")
    assert "Firmada y registrada en el libro mayor" in shown.text
    again = post_sign(api, draft["draft_id"], signed(api, draft))  # signed already
    assert again.status_code == 303
    assert history(api, "GNB-0000005").count(draft["number"]) == 1


def test_the_command_lines_signature_file_is_accepted(api: Api) -> None:
    draft = made(api)
    downloaded = page(api, f"/drafts/{draft['draft_id']}/draft.json")
    assert downloaded.status_code == 200
    assert f'filename="{draft["number"]}.draft.json"' in downloaded.headers["content-disposition"]
    to_sign = read_draft_answer(downloaded.text, "draft.json")  # as `muster order sign` reads it
    body = json.dumps(signature_body(to_sign, api.signer.key)).encode()
    answer = post_sign(api, draft["draft_id"], files={"signature_file": ("signature.json", body)})
    assert answer.status_code == 303, answer.text
    assert draft["number"] in history(api, "GNB-0000005")


@pytest.mark.parametrize(
    ("how", "words"),
    [
        ("another key", "La firma no se verifica sobre este borrador"),
        ("unknown key", "no está registrada en este registro"),
        ("malformed", "La firma enviada no es una firma"),
    ],
)
def test_a_signature_that_would_be_refused_is_said_in_words(api: Api, how: str, words: str) -> None:
    draft = made(api)
    stranger = signing.generate_private_key()
    data = {
        "another key": signed(api, draft, key=stranger),
        "unknown key": signed(
            api, draft, stranger, signing.fingerprint(signing.public_key_raw(stranger))
        ),
        "malformed": {"signature": "bm90IGEgc2lnbmF0dXJl", "key": api.signer.fingerprint},
    }[how]
    answer = post_sign(api, draft["draft_id"], data)
    assert answer.status_code == 400
    assert words in answer.text
    assert draft["number"] not in history(api, "GNB-0000005")


def test_a_signature_file_of_another_draft_is_refused(api: Api) -> None:
    draft, other = made(api), made(api)
    to_sign = read_draft_answer(json.dumps(other), "other")
    body = json.dumps(signature_body(to_sign, api.signer.key)).encode()
    answer = post_sign(api, draft["draft_id"], files={"signature_file": ("signature.json", body)})
    assert answer.status_code == 400
    assert "no es la firma de este borrador" in answer.text
    assert other["number"] not in history(api, "GNB-0000005")


def test_what_the_registry_refuses_when_recording_is_said_and_nothing_is_written(
    api: Api,
) -> None:
    draft = made(api)
    twin = made(api, number=draft["number"].lower())  # the same number, in another case
    assert post_sign(api, twin["draft_id"], signed(api, twin)).status_code == 303
    review = page(api, f"/drafts/{draft['draft_id']}")
    assert "el registro rechazaría esta orden" in review.text  # the review says so first
    answer = post_sign(api, draft["draft_id"], signed(api, draft))
    assert answer.status_code == 409
    assert f"El número de orden {draft['number']} ya está registrado" in answer.text
    assert history(api, "GNB-0000005").count(twin["number"]) == 1


def test_each_authority_sees_and_signs_only_its_own_drafts(api: Api) -> None:
    draft = made(api)
    with api.engine.begin() as conn:
        if "registrar" not in {u["name"] for u in accounts.list_users(conn)}:
            accounts.add_user(
                conn,
                "registrar",
                Role.AUTHORITY,
                PASSWORD,
                post_codes=[],
                authority="REG-GNB",
                created_by="test",
            )
        other = accounts.create_token(conn, "registrar", None)[0]
    assert draft["number"] in page(api, "/drafts").text
    assert draft["number"] not in page(api, "/drafts", token=other).text
    assert draft["number"] in page(api, "/drafts", Role.CLERK).text  # a clerk sees every draft
    refused = page(api, f"/drafts/{draft['draft_id']}", token=other)
    assert refused.status_code == 403 and "CG-GNB" in refused.text
    answer = post_sign(api, draft["draft_id"], signed(api, draft), token=other)
    assert answer.status_code == 403
    assert draft["number"] not in history(api, "GNB-0000005")


def test_a_clerk_reviews_a_draft_but_is_offered_no_signing(api: Api) -> None:
    draft = made(api)
    review = page(api, f"/drafts/{draft['draft_id']}", Role.CLERK)
    assert review.status_code == 200
    assert 'id="sign-form"' not in review.text and "authority.js" not in review.text
    assert "Solo CG-GNB firma esta orden" in review.text
