"""consent states by scope and time (the earliest state of a scope, for audiences' age rule)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 19:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consent_states") as batch_op:
        batch_op.create_index("ix_consent_states_scope_occurred", ["scope", "occurred_at"])


def downgrade() -> None:
    with op.batch_alter_table("consent_states") as batch_op:
        batch_op.drop_index("ix_consent_states_scope_occurred")
