"""What the signing forms send, read before anything is checked against the registry: the
page's own fields, or the file `muster order sign` writes; anything else is refused by the
message the page shows."""

from __future__ import annotations

import base64
import json

import pytest

from muster.web.pages import authority
from muster.web.pages.authority import MALFORMED, WRONG_FILE, SentSignature, sent_signature

SIGNATURE = base64.b64encode(bytes(range(64))).decode()
KEY = "ab" * 32


def test_the_pages_own_fields_are_read() -> None:
    assert sent_signature("d_x", SIGNATURE, KEY, None) == SentSignature(bytes(range(64)), KEY)


def test_the_command_lines_file_is_read_for_its_own_draft_only() -> None:
    body = {"draft_id": "d_x", "signature": SIGNATURE, "key": KEY}
    found = sent_signature("d_x", "", "", json.dumps(body).encode())
    assert found == SentSignature(bytes(range(64)), KEY)
    assert sent_signature("d_other", "", "", json.dumps(body).encode()) == WRONG_FILE
    assert sent_signature("d_x", "", "", b"\xff not json") == WRONG_FILE
    assert sent_signature("d_x", "", "", b"[1, 2]") == WRONG_FILE


@pytest.mark.parametrize(
    ("signature", "key"),
    [
        ("", KEY),
        ("not base64!", KEY),
        (base64.b64encode(bytes(63)).decode(), KEY),  # one byte short
        (SIGNATURE, ""),
        (SIGNATURE, KEY.upper()),  # fingerprints are lowercase hexadecimal
        (SIGNATURE, KEY[:-1]),
    ],
)
def test_anything_else_is_refused(signature: str, key: str) -> None:
    assert sent_signature("d_x", signature, key, None) == MALFORMED


def test_a_draft_downloads_under_a_name_safe_for_any_shell() -> None:
    assert authority.draft_file_name("CG-GNB-OA-2018/12 21") == "CG-GNB-OA-2018_12_21.draft.json"
