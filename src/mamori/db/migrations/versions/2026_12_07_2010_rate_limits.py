"""rate limits of the public forms: counters per keyed address and fixed window

Revision ID: 0016_web
Revises: 0016_audit
Create Date: 2026-12-07 20:10:00

The key is an HMAC of a client or recipient address (never the address); windows that ended are
deleted as new hits arrive, through the index on expires_at.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.db.base

revision: str = "0016_web"
down_revision: str | None = "0016_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("window_start", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_rate_limit_counters")),
    )
    with op.batch_alter_table("rate_limit_counters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_limit_counters_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rate_limit_counters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limit_counters_expires_at"))
    op.drop_table("rate_limit_counters")
