"""audience indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consent_states") as batch_op:
        batch_op.drop_index("ix_consent_states_scope_action")
        batch_op.create_index(
            "ix_consent_states_scope_action",
            ["scope", "action", "subject_id"],
            postgresql_include=["separate", "occurred_at", "expires_at", "on_behalf_by_id"],
        )
    with op.batch_alter_table("subject_identifiers") as batch_op:
        batch_op.create_index("ix_subject_identifiers_kind_subject", ["kind", "subject_id"])


def downgrade() -> None:
    with op.batch_alter_table("subject_identifiers") as batch_op:
        batch_op.drop_index("ix_subject_identifiers_kind_subject")
    with op.batch_alter_table("consent_states") as batch_op:
        batch_op.drop_index("ix_consent_states_scope_action")
        batch_op.create_index("ix_consent_states_scope_action", ["scope", "action", "subject_id"])
