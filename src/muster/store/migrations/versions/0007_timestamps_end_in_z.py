"""timestamps end in Z

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 16:00:00

Muster writes every moment as UTC to the second ending in `Z` (`2019-03-15T12:00:00Z`), the
form the hashed ledger entries have always had; until now some tables were written with
`+00:00`. This rewrites those values to `Z`: the accounts' and tokens' times, drafts, referrals
and the crossings not yet sealed. The ledger is not touched, nor are the crossings already
sealed: their batch entry hashed them as they were, and `muster verify` compares them with it.
Readers take both forms, so downgrading changes nothing back.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SUFFIX = "+00:00"
# (table, column, which rows): the sealed crossings stay as their batch entry hashed them.
COLUMNS = (
    ("users", "created_at", None),
    ("tokens", "created_at", None),
    ("tokens", "expires_at", None),
    ("tokens", "revoked_at", None),
    ("drafts", "created_at", None),
    ("referrals", "resolved_at", None),
    ("crossings", "at", "batch_seq IS NULL"),
)


def upgrade() -> None:
    for table, column, which in COLUMNS:
        where = f"{column} LIKE '%{SUFFIX}'" + ("" if which is None else f" AND {which}")
        # SUBSTR, LENGTH and || mean the same on SQLite and PostgreSQL.
        op.execute(
            sa.text(
                f"UPDATE {table} SET {column} = "  # names from COLUMNS, not input
                f"SUBSTR({column}, 1, LENGTH({column}) - {len(SUFFIX)}) || 'Z' WHERE {where}"
            )
        )


def downgrade() -> None:
    """Nothing to undo: the code of 0006 reads `Z` as well."""
