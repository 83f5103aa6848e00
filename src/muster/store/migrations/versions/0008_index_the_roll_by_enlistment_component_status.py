"""index the roll by enlistment, component and status

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 19:40:00

The reports count the people on the roll on a day by component and status
(`registry.figures.members_on`): nearly everyone holds their roll row from their
enlistment on, and this index answers their count by enlistment, component and status
without reading the roll's rows.
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("roll", schema=None) as batch_op:
        batch_op.create_index(
            "ix_roll_enlisted_component_status",
            ["enlisted_seq", "component", "status"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("roll", schema=None) as batch_op:
        batch_op.drop_index("ix_roll_enlisted_component_status")
