"""close a draft: withdrawn by whoever drafted it, or declined by its authority

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 23:10:00

Adds to `drafts` how a draft awaiting its signature was closed without being signed:
`closed_as` (`withdrawn` or `declined`), `closed_by` (the account), `closed_at` (a UTC
timestamp as `created_at` is stored) and `closed_note` (the withdrawal's note or the
refusal's reason). All four are empty for an open or a recorded draft. Drafts are unsigned
proposals: nothing of the roll or the ledger changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_as", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("closed_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("closed_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_column("closed_note")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("closed_by")
        batch_op.drop_column("closed_as")
