"""credential revocations and login attempts, shared by every server process

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 12:30:00

Creates `credential_revocations`, one row counting the credentials ended so far (it starts at
0: a server process reads it on every request and keeps the accounts it has authenticated
while it stays the same), and `login_attempts`, the failed logins the limits per client
address and per account name count (docs/decisions/0012). Nothing else changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    revocations = op.create_table(
        "credential_revocations",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("counter", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(revocations, [{"id": 1, "counter": 0}])
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempts_address_at", ["address", "at"], unique=False)
        batch_op.create_index("ix_login_attempts_at", ["at"], unique=False)
        batch_op.create_index("ix_login_attempts_name_at", ["name", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_name_at")
        batch_op.drop_index("ix_login_attempts_at")
        batch_op.drop_index("ix_login_attempts_address_at")
    op.drop_table("login_attempts")
    op.drop_table("credential_revocations")
