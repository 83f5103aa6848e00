"""Signing a draft made over HTTP: the answer of `POST /orders/drafts` read and checked, and
the body of `POST /orders` for it. Needs no database: the signer may be offline."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from muster.domain.errors import InvalidInputError
from muster.domain.orders import OrderContent
from muster.ledger import signing
from muster.ledger.canonical import canonical_json, sha256_hex


@dataclass(frozen=True)
class DraftToSign:
    """A draft's id and the exact bytes to sign, with the order they hold."""

    draft_id: str
    order_bytes: bytes
    content: OrderContent

    @property
    def sha256(self) -> str:
        return sha256_hex(self.order_bytes)


def read_draft_answer(text: str, source: str) -> DraftToSign:
    """The draft in an answer of `POST /orders/drafts`; refuses one whose parts disagree."""
    try:
        answer = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidInputError(f"{source}: not JSON ({err})") from None
    if not isinstance(answer, dict):
        raise InvalidInputError(f"{source}: expected the JSON object POST /orders/drafts answers")
    draft_id, encoded = answer.get("draft_id"), answer.get("bytes")
    if not isinstance(draft_id, str) or not draft_id or not isinstance(encoded, str):
        raise InvalidInputError(
            f"{source}: expected the fields draft_id and bytes of POST /orders/drafts' answer"
        )
    try:
        order_bytes = base64.b64decode(encoded, validate=True)
        obj = orjson.loads(order_bytes)
    except (binascii.Error, ValueError):
        raise InvalidInputError(f"{source}: bytes: expected base64 of an order's JSON") from None
    if not isinstance(obj, dict) or canonical_json(obj) != order_bytes:
        raise InvalidInputError(f"{source}: bytes: not an order in canonical (RFC 8785) form")
    try:
        content = OrderContent.from_json(obj)
    except (KeyError, ValueError, TypeError) as err:
        raise InvalidInputError(f"{source}: bytes: not an order ({err})") from None
    digest = answer.get("sha256")
    if digest is not None and digest != sha256_hex(order_bytes):
        raise InvalidInputError(f"{source}: sha256 does not match the bytes; ask for a new draft")
    shown = answer.get("content")
    if shown is not None and shown != obj:
        raise InvalidInputError(
            f"{source}: content differs from the bytes to sign; sign only what the bytes hold: "
            "ask for a new draft"
        )
    return DraftToSign(draft_id, order_bytes, content)


def signature_body(draft: DraftToSign, key: Ed25519PrivateKey) -> dict[str, Any]:
    """The body of `POST /orders`: the draft's id, the signature and the key's fingerprint."""
    signature = signing.sign(key, draft.order_bytes)
    return {
        "draft_id": draft.draft_id,
        "signature": base64.b64encode(signature).decode(),
        "key": signing.fingerprint(signing.public_key_raw(key)),
    }
