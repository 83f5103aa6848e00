"""An enlistment's subject table built a chunk at a time: the bytes of the whole at once."""

from __future__ import annotations

import zlib
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from muster.domain.roll_import import ROLL_COLUMNS
from muster.ledger.canonical import canonical_table
from muster.registry import roll_import
from muster.registry.roll_import import SubjectTable

ROW = st.tuples(*[st.text(max_size=4)] * len(ROLL_COLUMNS))


@settings(max_examples=100)
@given(st.lists(st.lists(ROW, max_size=5), max_size=6), st.sampled_from([1, 40, 1 << 20]))
def test_table_and_its_zlib_stream_are_those_of_all_rows(chunks, pack_bytes) -> None:  # type: ignore[no-untyped-def]
    with mock.patch.object(roll_import, "PACK_BYTES", pack_bytes):
        table = SubjectTable(ROLL_COLUMNS)
        for chunk in chunks:
            table.add(chunk)
        data, packed = table.finish()
    whole = canonical_table(ROLL_COLUMNS, [row for chunk in chunks for row in chunk])
    assert data == whole and packed == zlib.compress(whole, 1)
