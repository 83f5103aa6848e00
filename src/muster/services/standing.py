"""Members' status and category, for the results of a batch match: now, or as of a date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Connection

from muster.services.queries import fold_at
from muster.services.recording import load_person_files, revoked_map
from muster.store.tables import roll

CHUNK = 500


def standing(
    conn: Connection, person_ids: Sequence[int], as_of: date | None = None
) -> dict[int, tuple[str, str]]:
    """Each person's (status, category) on the roll as it stands, or as the orders in effect
    on `as_of` left it; a person not on the roll on that date is left out."""
    found: dict[int, tuple[str, str]] = {}
    ids = sorted(set(person_ids))
    if as_of is None:
        for i in range(0, len(ids), CHUNK):
            query = select(roll.c.person_id, roll.c.status, roll.c.category).where(
                roll.c.person_id.in_(ids[i : i + CHUNK])
            )
            for pid, status, category in conn.execute(query):
                found[int(pid)] = (str(status), str(category))
        return found
    revoked = revoked_map(conn)
    for i in range(0, len(ids), CHUNK):
        for pid, person in load_person_files(conn, ids[i : i + CHUNK]).items():
            state = fold_at(person, revoked, as_of)
            if state is not None:
                found[pid] = (state.status.value, state.category.value)
    return found
