"""fulfillment runs: the lease of the executor holding a run (one execution at a time)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.db.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = mamori.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("fulfillment_runs") as batch_op:
        batch_op.add_column(sa.Column("lease_token", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("lease_until", UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fulfillment_runs") as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("lease_token")
