"""sub-processors: pending, approved or refused with who, when and evidence; foreign measures;
the approved sub-processors an entrustment may reach

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("sub_processors") as batch_op:
        batch_op.add_column(sa.Column("measures_basis", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("measures_checked_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("measures_interval", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("status", sa.String(length=20), nullable=False, server_default="pending")
        )
        batch_op.add_column(sa.Column("decided_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("decided_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("evidence_ref", sa.String(length=500), nullable=True))
        batch_op.add_column(
            sa.Column("created_by", sa.String(length=200), nullable=False, server_default="unknown")
        )
    # An approval recorded before this revision kept who and when, but no evidence.
    op.execute(
        "UPDATE sub_processors SET status = 'approved', decided_on = approved_on, decided_by = approved_by, "
        "evidence_ref = 'recorded before evidence was kept' WHERE approved_on IS NOT NULL"
    )
    with op.batch_alter_table("sub_processors") as batch_op:
        batch_op.drop_column("approved_on")
        batch_op.drop_column("approved_by")
    with op.batch_alter_table("entrustments") as batch_op:
        batch_op.add_column(sa.Column("sub_processors", JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("entrustments") as batch_op:
        batch_op.drop_column("sub_processors")
    with op.batch_alter_table("sub_processors") as batch_op:
        batch_op.add_column(sa.Column("approved_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("approved_by", sa.String(length=200), nullable=True))
    op.execute(
        "UPDATE sub_processors SET approved_on = decided_on, approved_by = decided_by "
        "WHERE status = 'approved'"
    )
    with op.batch_alter_table("sub_processors") as batch_op:
        for column in (
            "created_by", "evidence_ref", "decided_by", "decided_on", "status", "measures_interval",
            "measures_checked_on", "measures_basis",
        ):  # fmt: skip
            batch_op.drop_column(column)
