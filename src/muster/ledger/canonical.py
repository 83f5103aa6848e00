"""Canonical bytes: RFC 8785 (JSON Canonicalization Scheme) for everything that is signed.

Small objects go through the `rfc8785` reference implementation. Large subject tables
(`{"columns": [...], "rows": [[...], ...]}` with ASCII keys, string and integer values) go
through orjson, whose output for exactly that shape is the RFC 8785 form (a test checks the
two agree); it is some fifty times faster on a two-million-row enlistment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import orjson
import rfc8785


def canonical_json(obj: Any) -> bytes:
    """The RFC 8785 bytes of a JSON value."""
    return rfc8785.dumps(obj)


def canonical_table(columns: Sequence[str], rows: Sequence[Sequence[str | int]]) -> bytes:
    """The RFC 8785 bytes of a subject table (ASCII column names, strings and integers)."""
    return orjson.dumps({"columns": list(columns), "rows": rows})


class CanonicalTableParts:
    """`canonical_table(columns, rows)` a chunk of rows at a time: the parts, joined, are
    exactly its bytes (`head`, each chunk's part, then `TAIL`)."""

    TAIL = b"]}"

    def __init__(self, columns: Sequence[str]) -> None:
        whole = canonical_table(columns, [])  # {"columns":[...],"rows":[]}
        self.head = whole[: -len(self.TAIL)]
        self._first = True

    def part(self, rows: Sequence[Sequence[str | int]]) -> bytes:
        """The bytes of these rows, the next in the table after those of earlier parts."""
        if not rows:
            return b""
        inner = orjson.dumps(rows)[1:-1]  # the rows without their array's brackets
        if self._first:
            self._first = False
            return inner
        return b"," + inner


def sha256_hex(data: bytes) -> str:
    """Lowercase hexadecimal SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def parse_table(data: bytes) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of a subject table read back from its canonical bytes."""
    obj = orjson.loads(data)
    return list(obj["columns"]), obj["rows"]
