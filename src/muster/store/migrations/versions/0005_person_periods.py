"""status periods: each person's state over time, read by every "status on day D"

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:30:00

Creates `person_periods` and fills it for everyone an order other than their enlistment has
named. The fold now applies orders by effective date (then ledger position) instead of ledger
order alone, so the same pass stores each such person's roll state again. A ledger whose
orders do not fold in that order is refused, naming the person and the order, and the upgrade
is rolled back: nothing is changed.

The backfill is this revision's own: its SQL reads and writes the tables as they stand at
this revision, and only the domain's pure fold (`muster.domain.roll`) is called, so that the
migration does not change when the registry's code does.
"""

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

from muster.domain import numbers
from muster.domain.errors import RefusedError
from muster.domain.kinds import Category, OrderKind, Status
from muster.domain.reference import fold_text
from muster.domain.roll import OrderFacts, Period, PersonState, enlisted_state, periods

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_periods",
        sa.Column("person_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("opened_by", sa.BigInteger(), nullable=False),
        sa.Column("serial_number", sa.String(length=40), nullable=True),
        sa.Column("national_id", sa.String(length=16), nullable=False),
        sa.Column("given_names", sa.String(length=200), nullable=False),
        sa.Column("surnames", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("component", sa.String(length=8), nullable=False),
        sa.Column("rank", sa.String(length=80), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reinstated", sa.Boolean(), nullable=False),
        sa.Column("former_serials", sa.Text(), nullable=True),
        sa.Column("removed_rank", sa.String(length=80), nullable=True),
        sa.Column("name_key", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "valid_from"),
    )
    with op.batch_alter_table("person_periods", schema=None) as batch_op:
        batch_op.create_index("ix_person_periods_valid_from", ["valid_from"], unique=False)

    backfill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("person_periods", schema=None) as batch_op:
        batch_op.drop_index("ix_person_periods_valid_from")
    op.drop_table("person_periods")


# The tables as this revision reads and writes them (typed, so that dates come and go as
# dates on SQLite as on PostgreSQL).
STATE = (
    sa.column("serial_number", sa.String),
    sa.column("serial_key", sa.String),
    sa.column("national_id", sa.String),
    sa.column("given_names", sa.String),
    sa.column("surnames", sa.String),
    sa.column("birth_date", sa.Date),
    sa.column("sex", sa.String),
    sa.column("rank", sa.String),
    sa.column("category", sa.String),
    sa.column("unit", sa.String),
    sa.column("status", sa.String),
    sa.column("reinstated", sa.Boolean),
    sa.column("former_serials", sa.Text),
    sa.column("removed_rank", sa.String),
    sa.column("name_key", sa.String),
)
ROLL = sa.table(
    "roll",
    sa.column("person_id", sa.BigInteger),
    sa.column("component", sa.String),
    sa.column("enlisted_seq", sa.BigInteger),
    sa.column("enlisted_category", sa.String),
    *(sa.column(c.name, c.type) for c in STATE),
)
ORDERS = sa.table(
    "orders",
    sa.column("seq", sa.BigInteger),
    sa.column("number", sa.String),
    sa.column("kind", sa.String),
    sa.column("effective", sa.Date),
    sa.column("category", sa.String),
    sa.column("details", sa.Text),
    sa.column("revoked_by", sa.String),
    sa.column("revoked_on", sa.Date),
)
ORDER_SUBJECTS = sa.table(
    "order_subjects", sa.column("order_seq", sa.BigInteger), sa.column("person_id", sa.BigInteger)
)
FORMER_SERIALS = sa.table(
    "former_serials",
    sa.column("serial_number", sa.String),
    sa.column("person_id", sa.BigInteger),
    sa.column("serial_key", sa.String),
)
PERIODS = sa.table(
    "person_periods",
    sa.column("person_id", sa.BigInteger),
    sa.column("valid_from", sa.Date),
    sa.column("valid_until", sa.Date),
    sa.column("opened_by", sa.BigInteger),
    sa.column("component", sa.String),
    *(sa.column(c.name, c.type) for c in STATE if c.name != "serial_key"),
)
CHUNK = 5_000


@dataclass
class Ledger:
    """What every person's fold shares: each order's facts, the values its amendment
    replaced, and the revocations (on which day, by the order at which position)."""

    facts: dict[int, OrderFacts]
    previous: dict[int, dict[str, str]]
    revoked_on: dict[str, date]
    revoked_by: dict[str, int]


def read_ledger(conn: Any) -> Ledger:
    """Every order, read once."""
    ledger = Ledger({}, {}, {}, {})
    seq_of: dict[str, int] = {}
    for o in conn.execute(sa.select(ORDERS)):
        details = json.loads(o.details) if o.details else {}
        seq = int(o.seq)
        seq_of[o.number] = seq
        ledger.facts[seq] = OrderFacts(
            seq=seq,
            number=o.number,
            kind=OrderKind(o.kind),
            effective=o.effective,
            category=Category(o.category) if o.category else None,
            changes=details.get("changes", {}),
        )
        if "previous" in details:
            ledger.previous[seq] = details["previous"]
        if o.revoked_on is not None:
            ledger.revoked_on[o.number] = o.revoked_on
    for o in conn.execute(sa.select(ORDERS.c.number, ORDERS.c.revoked_by)):
        if o.revoked_by in seq_of:
            ledger.revoked_by[o.number] = seq_of[o.revoked_by]
    return ledger


def backfill(conn: Any) -> None:
    """Fold again everyone an order other than their enlistment names: their periods, their
    roll state and former serial numbers as the fold by effective date gives them."""
    ledger = read_ledger(conn)
    query = sa.select(ORDER_SUBJECTS.c.person_id).distinct().order_by(ORDER_SUBJECTS.c.person_id)
    pids = [int(pid) for pid in conn.execute(query).scalars()]
    states: list[tuple[PersonState, PersonState]] = []  # (stored, folded)
    spans: list[tuple[int, Period]] = []
    refused: list[str] = []
    for i in range(0, len(pids), CHUNK):
        for pid, stored, found in fold_people(conn, ledger, pids[i : i + CHUNK], refused):
            states.append((stored, found[-1].state))
            spans.extend((pid, p) for p in found)
    if refused:
        raise RefusedError(
            f"the orders of {len(refused)} person(s) do not fold by effective date, nothing "
            "upgraded:\n  " + "\n  ".join(refused[:50])
        )
    write_states(conn, states)
    if spans:
        conn.execute(sa.insert(PERIODS), [period_row(pid, p) for pid, p in spans])


def fold_people(
    conn: Any, ledger: Ledger, pids: Sequence[int], refused: list[str]
) -> Iterator[tuple[int, PersonState, list[Period]]]:
    """Each person's stored state and the periods their orders give; a person whose orders
    the rules refuse is noted in `refused` instead."""
    named: dict[int, list[int]] = {}
    query = (
        sa.select(ORDER_SUBJECTS.c.person_id, ORDER_SUBJECTS.c.order_seq)
        .where(ORDER_SUBJECTS.c.person_id.in_(pids))
        .order_by(ORDER_SUBJECTS.c.order_seq)
    )
    for r in conn.execute(query):
        named.setdefault(int(r.person_id), []).append(int(r.order_seq))
    for r in conn.execute(sa.select(ROLL).where(ROLL.c.person_id.in_(pids))):
        pid = int(r.person_id)
        stored = stored_state(r)
        later = [ledger.facts[seq] for seq in named.get(pid, [])]
        amendments = [o for o in later if o.kind is OrderKind.AMENDMENT]
        enlistment = ledger.facts[int(r.enlisted_seq)]
        try:
            start = enlisted_state(
                stored,
                Category(r.enlisted_category),
                amendments,
                ledger.previous,
                ledger.revoked_on,
            )
            found = periods(start, enlistment, later, ledger.revoked_on, ledger.revoked_by)
        except RefusedError as err:
            refused.append(f"person {pid}: {err}")
            continue
        yield pid, stored, found


def stored_state(r: Any) -> PersonState:
    return PersonState(
        person_id=int(r.person_id),
        serial_number=r.serial_number,
        national_id=r.national_id,
        given_names=r.given_names,
        surnames=r.surnames,
        birth_date=r.birth_date,
        sex=r.sex,
        component=r.component,
        rank=r.rank,
        category=Category(r.category),
        unit=r.unit,
        status=Status(r.status),
        reinstated=bool(r.reinstated),
        former_serial_numbers=tuple(s for s in (r.former_serials or "").split(";") if s),
        removed_rank=r.removed_rank,
    )


def state_values(s: PersonState) -> dict[str, Any]:
    """The roll's STATE columns of a state."""
    return {
        "serial_number": s.serial_number,
        "serial_key": None if s.serial_number is None else numbers.fold(s.serial_number),
        "national_id": s.national_id,
        "given_names": s.given_names,
        "surnames": s.surnames,
        "birth_date": s.birth_date,
        "sex": s.sex,
        "rank": s.rank,
        "category": s.category.value,
        "unit": s.unit,
        "status": s.status.value,
        "reinstated": s.reinstated,
        "former_serials": ";".join(s.former_serial_numbers) or None,
        "removed_rank": s.removed_rank,
        "name_key": fold_text(f"{s.given_names} {s.surnames}"),
    }


def period_row(pid: int, p: Period) -> dict[str, Any]:
    values = state_values(p.state)
    del values["serial_key"]
    return {
        "person_id": pid,
        "valid_from": p.start,
        "valid_until": p.until,
        "opened_by": p.opened_by,
        "component": p.state.component,
        **values,
    }


def write_states(conn: Any, states: Sequence[tuple[PersonState, PersonState]]) -> None:
    """The roll rows and former serial numbers of the states that changed. A serial number
    may pass from one of these people to another: those that change are cleared first, so
    that the unique index never sees a transient clash."""
    changed = [(old, new) for old, new in states if old != new]
    if not changed:
        return
    pid: Any = sa.bindparam("pid")
    moved = [
        {"pid": new.person_id} for old, new in changed if old.serial_number != new.serial_number
    ]
    if moved:
        clear = sa.update(ROLL).where(ROLL.c.person_id == pid)
        conn.execute(clear.values(serial_number=None, serial_key=None), moved)
    # Bound as `new_<column>`: SQLAlchemy keeps a column's own name for itself.
    names = [c.name for c in STATE]
    put = sa.update(ROLL).where(ROLL.c.person_id == pid)
    put = put.values({n: sa.bindparam(f"new_{n}") for n in names})
    rows = [
        {"pid": new.person_id, **{f"new_{n}": v for n, v in state_values(new).items()}}
        for _old, new in changed
    ]
    conn.execute(put, rows)
    people = [new.person_id for _old, new in changed]
    for i in range(0, len(people), 500):
        chunk = people[i : i + 500]
        conn.execute(sa.delete(FORMER_SERIALS).where(FORMER_SERIALS.c.person_id.in_(chunk)))
    formers = [
        {"serial_number": s, "person_id": new.person_id, "serial_key": numbers.fold(s)}
        for _old, new in changed
        for s in new.former_serial_numbers
    ]
    if formers:
        conn.execute(sa.insert(FORMER_SERIALS), formers)
