"""status periods: each person's state over time, read by every "status on day D"

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:30:00

Creates `person_periods` and fills it for everyone an order other than their enlistment has
named. The fold now applies orders by effective date (then ledger position) instead of ledger
order alone, so the same pass stores each such person's roll state again. A ledger whose
orders do not fold in that order is refused, naming the person and the order, and the upgrade
is rolled back: nothing is changed.

The backfill runs Muster's own projection code (`reproject_touched`) on the tables as this
revision declares them; a later migration that changes those tables must freeze this step.
"""

import sqlalchemy as sa
from alembic import op

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

    from muster.registry.recording import reproject_touched

    reproject_touched(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("person_periods", schema=None) as batch_op:
        batch_op.drop_index("ix_person_periods_valid_from")
    op.drop_table("person_periods")
