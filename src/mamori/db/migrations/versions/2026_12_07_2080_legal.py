"""dsr cases: the privacy officer's statement that the organisation holds the data nowhere else

Revision ID: 0016_legal
Revises: 0016_authz
Create Date: 2026-12-07 20:00:00

A disclosure (copy, portability, next of kin) is answered only after every system of the data map
was searched, or after this statement was recorded, with its reason, by the privacy officer.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.db.base

revision: str = "0016_legal"
down_revision: str | None = "0016_authz"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dsr_cases") as batch_op:
        batch_op.add_column(
            sa.Column("held_nowhere_else_at", mamori.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("held_nowhere_else_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("held_nowhere_else_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dsr_cases") as batch_op:
        batch_op.drop_column("held_nowhere_else_reason")
        batch_op.drop_column("held_nowhere_else_by")
        batch_op.drop_column("held_nowhere_else_at")
