import string

import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from muster.ledger.canonical import (
    CanonicalTableParts,
    canonical_json,
    canonical_table,
    parse_table,
)

cell = st.one_of(st.text(), st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1))
column = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=12)


@given(st.lists(column, min_size=1, max_size=4, unique=True), st.data())
def test_table_bytes_are_rfc8785(columns: list[str], data: st.DataObject) -> None:
    rows = data.draw(st.lists(st.lists(cell, min_size=len(columns), max_size=len(columns))))
    fast = canonical_table(columns, rows)
    assert fast == rfc8785.dumps({"columns": columns, "rows": rows})
    assert parse_table(fast) == (columns, rows)


def test_canonical_json_sorts_keys_and_keeps_utf8() -> None:
    assert canonical_json({"b": 1, "a": "GONZÁLEZ"}) == '{"a":"GONZÁLEZ","b":1}'.encode()


@given(st.lists(st.lists(st.lists(cell, min_size=2, max_size=2), max_size=4), max_size=5))
def test_table_parts_joined_are_the_table(chunks: list[list[list[str | int]]]) -> None:
    parts = CanonicalTableParts(["a", "b"])
    joined = parts.head + b"".join(parts.part(c) for c in chunks) + parts.TAIL
    assert joined == canonical_table(["a", "b"], [r for c in chunks for r in c])
