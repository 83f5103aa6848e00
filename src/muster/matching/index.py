"""The candidate index: every member ever on the roll, filed under a few exact blocking keys.

Its parts, one job each: the members' columns (`columns`), filing them under their keys
(`filing`, with the keys' hashes in `hashes`), looking up a traveler's candidates with the
vectorised pre-score (`lookup`), and the saved file (`index_file`). Members added or amended
later are filed at once in a small overlay, so the roll's orders are followed without a
rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from muster.errors import MusterError
from muster.matching.columns import MemberColumns, RollColumns, Strings, attribute_column
from muster.matching.filing import KeyTable, file_roll
from muster.matching.frequencies import AttributeFrequencies, NameFrequencies
from muster.matching.hashes import MAX_ROWS, key_hash
from muster.matching.index_file import load_index, save_index
from muster.matching.keys import member_keys
from muster.matching.lookup import candidates
from muster.matching.normalize import attribute_value
from muster.matching.records import Member
from muster.matching.scoring import Identity

INDEX_STEPS = 3  # the steps `CandidateIndex.from_columns` reports to its `progress`


class CandidateIndex:
    """Members by blocking key, with the name frequencies learnt from them."""

    def __init__(self) -> None:
        self.freq = NameFrequencies()
        self.values = AttributeFrequencies()  # of the other identifying attributes
        self.columns = MemberColumns()
        self.table = KeyTable()
        self._rows: dict[str, int] | None = None  # by key, once a member has been added

    def __len__(self) -> int:
        return self.columns.n

    # -- building ------------------------------------------------------------------------

    @classmethod
    def build(cls, members: Iterable[Member]) -> CandidateIndex:
        """An index of all `members` (a later row with the same key replaces an earlier one)."""
        columns = RollColumns()
        for member in members:
            columns.add_member(member)
        return cls.from_columns(columns)

    @classmethod
    def from_columns(
        cls,
        columns: RollColumns,
        workers: int = 1,
        progress: Callable[[str], None] | None = None,
    ) -> CandidateIndex:
        """An index of a roll gathered as columns; with `workers` > 1 the distinct surnames are
        parsed in that many processes (forked: only from a process without other threads).
        `progress` is told each of the INDEX_STEPS steps as it starts."""
        step = progress or (lambda _message: None)
        step(f"indexing {len(columns):,} people: dates of birth and cédulas")
        if len(columns) >= MAX_ROWS:
            raise MusterError(f"a match index holds at most {MAX_ROWS - 1:,} members")
        index = cls()
        given, surnames, births, sexes = (list(d) for d in columns.values)
        members = index.columns = MemberColumns.of(
            columns.keys, columns.serials, columns.national_ids,
            (given, surnames, births, sexes), columns.ids,
        )  # fmt: skip
        step(f"indexing {len(columns):,} people: names and their keys")
        index.table.set_keys(file_roll(members, index.freq, given, surnames, workers))
        step(f"indexing {len(columns):,} people: attributes")
        for name, values in columns.attributes.items():
            parts = members.attribute(name)
            found = (parts.intern(attribute_value(v)) for v in values)
            members.cols[attribute_column(name)][:] = np.fromiter(found, np.int32, members.n)
        index.values = members.count_attributes()
        return index

    # -- members ------------------------------------------------------------------------

    @property
    def members(self) -> Iterator[Member]:
        """Every member ever filed, by row (read from the columns as they are reached)."""
        return (self.columns.member(row) for row in range(len(self)))

    def member(self, row: int) -> Member:
        return self.columns.member(row)

    def serial(self, row: int) -> str:
        return self.columns.serials[row]

    def key(self, row: int) -> str:
        return self.columns.key(row)

    def identity(self, row: int) -> Identity:
        """The member in `row` as an identity (each distinct name part parsed once)."""
        return self.columns.identities([row])[0]

    def identities(self, rows: Sequence[int]) -> list[Identity]:
        """The members in `rows` as identities (their columns read in one step)."""
        return self.columns.identities(rows)

    # -- following the roll ----------------------------------------------------------------

    def add(self, member: Member) -> None:
        """File a member (an enlistment), or replace the one with the same key (an amendment)."""
        columns = self.columns
        if self._rows is None:
            self._rows = {columns.key(i): i for i in range(columns.n)}
        row = self._rows.get(member.key)
        if row is not None:
            old = self.identity(row)
            self.freq.add(old.name, sign=-1)
            self.values.add(old.attributes, sign=-1)
            columns.serials.set(row, member.serial_number)
            columns.national_ids.set(row, member.national_id)
        else:
            row = columns.n
            if row >= MAX_ROWS - 1:
                raise MusterError(f"a match index holds at most {MAX_ROWS - 1:,} members")
            columns.grow(row + 1)
            self._rows[member.key] = row
            columns.serials.append(member.serial_number)
            columns.national_ids.append(member.national_id)
            if columns.keys is not None:
                columns.keys.append(member.key)
        if columns.keys is None and member.key != member.serial_number:
            columns.keys = Strings.of([columns.serials[i] for i in range(columns.n)])
            columns.keys.set(row, member.key)
        columns.set_row(row, member)
        identity = self.identity(row)
        self.freq.add(identity.name)
        self.values.add(identity.attributes)
        # the keys of the old version stay: they only bring extra candidates
        self.table.file(row, [key_hash(key) for key in member_keys(identity)])

    # -- looking up ---------------------------------------------------------------------

    def candidates(self, traveler: Identity, limit: int) -> list[int]:
        """Rows of the `limit` members likeliest to be the traveler, best first (`lookup`)."""
        return candidates(self.table, self.columns, traveler, limit)

    # -- saving and loading ---------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write `path` (.npz) and its manifest `path.with_suffix('.json')` with the digest."""
        save_index(self.columns, self.table, self.freq, path)

    @classmethod
    def load(cls, path: Path) -> CandidateIndex:
        """An index saved by `save`, refused if its digest or format does not match."""
        index = cls()
        index.columns, index.table, index.freq = load_index(path)
        index.values = index.columns.count_attributes()
        return index
