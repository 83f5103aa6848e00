"""Ledger entry envelopes: what each kind of entry holds, as canonical JSON.

Every entry is the RFC 8785 JSON of one object with an `entry` type. An order entry carries
the signed order bytes in base64, untouched, so a verifier checks the signature over exactly
the bytes that were signed and never re-serialises them.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from muster.ledger.canonical import canonical_json

ENTRY_FORMAT = 1
REGISTRY_CREATED = "registry-created"
AUTHORITY_CREATED = "authority-created"
KEY_ADDED = "key-added"
KEY_REVOKED = "key-revoked"
ORDER = "order"
CROSSING_BATCH = "crossing-batch"
ENTRY_TYPES = (REGISTRY_CREATED, AUTHORITY_CREATED, KEY_ADDED, KEY_REVOKED, ORDER, CROSSING_BATCH)


def b64(data: bytes) -> str:
    """Standard base64 text of some bytes."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """The bytes of standard base64 text."""
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True, slots=True)
class Recorded:
    """When and by whom an entry was recorded."""

    at: str  # ISO 8601 UTC
    os_user: str
    account: str | None = None

    def to_json(self) -> dict[str, Any]:
        obj: dict[str, Any] = {"at": self.at, "os_user": self.os_user}
        if self.account is not None:
            obj["account"] = self.account
        return obj


def make_entry(entry_type: str, body: Mapping[str, Any], recorded: Recorded) -> bytes:
    """The canonical bytes of an entry of a type with its body fields."""
    obj = {"entry": entry_type, "v": ENTRY_FORMAT, "recorded": recorded.to_json(), **body}
    return canonical_json(obj)


def order_entry(
    order_bytes: bytes, signature: bytes, fingerprint: str, recorded: Recorded
) -> bytes:
    """The entry recording a signed order."""
    body = {"order": b64(order_bytes), "signature": b64(signature), "key": fingerprint}
    return make_entry(ORDER, body, recorded)


def read_entry(data: bytes) -> dict[str, Any]:
    """An entry's JSON object; raises ValueError when it is not a Muster entry."""
    obj = orjson.loads(data)
    if not isinstance(obj, dict) or obj.get("entry") not in ENTRY_TYPES or obj.get("v") != 1:
        raise ValueError("not a Muster ledger entry")
    return obj
