"""order and serial numbers unique regardless of case

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-12 10:00:00.000000

Every order number and serial number gets its folded key (`muster.domain.numbers.fold`) and a
unique index on it. Numbers recorded earlier that differ only in case are kept as signed (a
signed order is never rewritten): the later ones get `*_dup` 1, 2, … so the unique index
holds, the migration says which they are, and a lookup of such a number lists them all.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from alembic import op

from muster.domain.numbers import fold

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SHOWN = 20  # clashes named one by one in the migration's note; the rest are counted


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("orders") as batch_op:
        batch_op.add_column(sa.Column("number_key", sa.String(300), nullable=True))
        batch_op.add_column(
            sa.Column("number_dup", sa.SmallInteger(), nullable=False, server_default="0")
        )
    fold_orders(conn)
    with op.batch_alter_table("orders") as batch_op:
        batch_op.alter_column("number_key", existing_type=sa.String(300), nullable=False)
        batch_op.create_index("ux_orders_number_key", ["number_key", "number_dup"], unique=True)

    with op.batch_alter_table("roll") as batch_op:
        batch_op.add_column(sa.Column("serial_key", sa.String(120), nullable=True))
        batch_op.add_column(
            sa.Column("serial_dup", sa.SmallInteger(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("former_serials") as batch_op:
        batch_op.add_column(sa.Column("serial_key", sa.String(120), nullable=True))
    fold_serials(conn)
    with op.batch_alter_table("former_serials") as batch_op:
        batch_op.alter_column("serial_key", existing_type=sa.String(120), nullable=False)
        batch_op.create_index("ix_former_serials_serial_key", ["serial_key"], unique=False)
    with op.batch_alter_table("roll") as batch_op:
        batch_op.create_index("ux_roll_serial_key", ["serial_key", "serial_dup"], unique=True)
    if conn.dialect.name == "postgresql":
        # Without statistics on the new columns the planner scans the whole roll for a
        # subjects file instead of using the index (seconds instead of a tenth of a second).
        conn.execute(sa.text("ANALYZE orders, roll, former_serials"))


def downgrade() -> None:
    with op.batch_alter_table("roll") as batch_op:
        batch_op.drop_index("ux_roll_serial_key")
        batch_op.drop_column("serial_dup")
        batch_op.drop_column("serial_key")
    with op.batch_alter_table("former_serials") as batch_op:
        batch_op.drop_index("ix_former_serials_serial_key")
        batch_op.drop_column("serial_key")
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_index("ux_orders_number_key")
        batch_op.drop_column("number_dup")
        batch_op.drop_column("number_key")


def note(text: str) -> None:
    """A message for whoever runs the upgrade (`muster init` prints it)."""
    config = op.get_context().config
    if config is not None:
        config.attributes.setdefault("notes", []).append(text)


def fold_orders(conn: Any) -> None:
    """Fold every order number; orders whose numbers differ only in case are numbered 1, 2, …"""
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for seq, number in conn.execute(sa.text("SELECT seq, number FROM orders ORDER BY seq")):
        groups[fold(number)].append((int(seq), number))
    folded = [
        {"key": key, "dup": dup, "seq": seq}
        for key, held in groups.items()
        for dup, (seq, _number) in enumerate(held)
    ]
    if folded:
        conn.execute(
            sa.text("UPDATE orders SET number_key = :key, number_dup = :dup WHERE seq = :seq"),
            folded,
        )
    clashes = [held for held in groups.values() if len(held) > 1]
    if clashes:
        named = [
            " and ".join(f"{number} (ledger entry {seq})" for seq, number in held)
            for held in clashes
        ]
        note(
            f"{len(clashes)} order number(s) differ only in case from another order's: "
            f"{listed(named)}. Order numbers are now unique regardless of case; these orders "
            "are kept as signed, and a lookup of such a number lists them all."
        )


def fold_serials(conn: Any) -> None:
    """Fold every serial number, current and former; people whose serials differ only in case
    (the first enlisted keeps 0) get serial_dup 1, 2, …"""
    conn.execute(sa.text("UPDATE roll SET serial_key = serial_number"))
    conn.execute(sa.text("UPDATE former_serials SET serial_key = serial_number"))
    # Most serial numbers are written in capitals and need nothing more.
    for table, key_col in (("roll", "person_id"), ("former_serials", "serial_number")):
        rows = conn.execute(
            sa.text(f"SELECT {key_col}, serial_number FROM {table} WHERE serial_number IS NOT NULL")
        )
        changed = [{"k": k, "key": fold(s)} for k, s in rows if fold(s) != s]
        if changed:
            conn.execute(
                sa.text(f"UPDATE {table} SET serial_key = :key WHERE {key_col} = :k"), changed
            )
    # A person holds one serial number for life: on the roll now, or among the former ones.
    held = sa.text(
        "SELECT serial_key, person_id, serial_number FROM roll WHERE serial_key IS NOT NULL "
        "UNION ALL SELECT serial_key, person_id, serial_number FROM former_serials"
    )
    clashing = sa.text(
        "SELECT h.serial_key, h.person_id, h.serial_number FROM ("
        + held.text
        + ") h WHERE h.serial_key IN (SELECT serial_key FROM ("
        + held.text
        + ") g GROUP BY serial_key HAVING count(DISTINCT person_id) > 1) "
        "ORDER BY h.serial_key, h.person_id"
    )
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for key, pid, serial in conn.execute(clashing):
        if not groups[key] or groups[key][-1][0] != int(pid):
            groups[key].append((int(pid), serial))
    dups = [
        {"dup": dup, "pid": pid}
        for people in groups.values()
        for dup, (pid, _serial) in enumerate(people)
        if dup
    ]
    if dups:
        conn.execute(sa.text("UPDATE roll SET serial_dup = :dup WHERE person_id = :pid"), dups)
        named = [
            " and ".join(f"{serial} (person {pid})" for pid, serial in people)
            for people in groups.values()
        ]
        note(
            f"{len(groups)} serial number(s) differ only in case from another person's: "
            f"{listed(named)}. Serial numbers are now unique regardless of case; these people "
            "keep their serial numbers as enlisted, and a lookup of such a number lists them all."
        )


def listed(items: Iterable[str]) -> str:
    items = list(items)
    more = f"; and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return "; ".join(items[:SHOWN]) + more
