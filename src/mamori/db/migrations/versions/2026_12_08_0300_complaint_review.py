"""inquiries: a complaint marked for the management review (when, by whom, why)

Revision ID: 0018_h19
Revises: 0018_h19perf
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_h19"
down_revision: str | None = "0018_h19perf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inquiries") as batch:
        batch.add_column(sa.Column("review_marked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("review_marked_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("review_note", sa.Text(), nullable=True))
        batch.create_index("ix_inquiries_review_marked_at", ["review_marked_at"])


def downgrade() -> None:
    with op.batch_alter_table("inquiries") as batch:
        batch.drop_index("ix_inquiries_review_marked_at")
        batch.drop_column("review_note")
        batch.drop_column("review_marked_by")
        batch.drop_column("review_marked_at")
