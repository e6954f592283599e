"""second factor: TOTP secrets and recovery codes of staff users

Revision ID: 0017_console1
Revises: 0016_keys
Create Date: 2026-12-08 00:00:00

The roles that can see personal data sign in with a password and a TOTP code; the secret is
stored encrypted, recovery codes only as digests.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.db.base

revision: str = "0017_console1"
down_revision: str | None = "0016_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = mamori.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff_second_factors",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("confirmed_at", UTC, nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name=op.f("fk_staff_second_factors_user_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_staff_second_factors")),
    )
    op.create_table(
        "staff_recovery_codes",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name=op.f("fk_staff_recovery_codes_user_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_recovery_codes")),
        sa.UniqueConstraint("digest", name=op.f("uq_staff_recovery_codes_digest")),
    )
    with op.batch_alter_table("staff_recovery_codes") as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_recovery_codes_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_recovery_codes") as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_recovery_codes_user_id"))
    op.drop_table("staff_recovery_codes")
    op.drop_table("staff_second_factors")
