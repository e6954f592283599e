"""datamap and fulfillment

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _ = (sa, op)  # tables are added here by the datamap and fulfillment work


def downgrade() -> None:
    pass
