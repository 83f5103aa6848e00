"""index the roll by enlistment, component, status and category

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 23:05:00

The counts of the people on the roll on a day (`registry.standing.counts_on`: the API's
`/stats`, `muster stats` and the reports) are by component, status and category. Nearly
everyone holds their roll row from their enlistment on, and this index answers their count
by all four without reading the roll's rows; it replaces 0008's index, which lacked the
category (a count by category read every row of the roll).
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("roll", schema=None) as batch_op:
        batch_op.drop_index("ix_roll_enlisted_component_status")
        batch_op.create_index(
            "ix_roll_enlisted_component_status_category",
            ["enlisted_seq", "component", "status", "category"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("roll", schema=None) as batch_op:
        batch_op.drop_index("ix_roll_enlisted_component_status_category")
        batch_op.create_index(
            "ix_roll_enlisted_component_status",
            ["enlisted_seq", "component", "status"],
            unique=False,
        )
