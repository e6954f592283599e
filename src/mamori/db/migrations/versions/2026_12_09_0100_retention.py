"""retention: sweep runs, their tables, legal holds

Revision ID: 0018_h24b
Revises: 0018_pms
Create Date: 2026-12-09 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import mamori.db.base

revision: str = "0018_h24b"
down_revision: str | None = "0018_pms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC = mamori.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "retention_runs",
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("now", UTC, nullable=False),
        sa.Column("expired", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("residual", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_runs")),
    )
    with op.batch_alter_table("retention_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retention_runs_status"), ["status"], unique=False)
    op.create_table(
        "retention_run_tables",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("system", sa.String(length=80), nullable=False),
        sa.Column("dataset", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("retention", sa.String(length=20), nullable=False),
        sa.Column("cutoff", UTC, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("cursor", JSON, nullable=True),
        sa.Column("expired", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("residual", sa.Integer(), nullable=False),
        sa.Column("items", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["retention_runs.id"], name=op.f("fk_retention_run_tables_run_id_retention_runs")
        ),
        sa.PrimaryKeyConstraint("run_id", "system", "dataset", name=op.f("pk_retention_run_tables")),
    )
    op.create_table(
        "retention_holds",
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("system", sa.String(length=80), nullable=True),
        sa.Column("dataset", sa.String(length=80), nullable=True),
        sa.Column("identity_kinds", JSON, nullable=False),
        sa.Column("identities_encrypted", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("released_at", UTC, nullable=True),
        sa.Column("released_by", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_holds")),
    )
    # Own-table sweeps walk finished rows by their clock.
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.create_index("ix_inquiries_closed_at", ["closed_at"], unique=False)
    with op.batch_alter_table("fulfillment_runs", schema=None) as batch_op:
        batch_op.create_index("ix_fulfillment_runs_finished_at", ["finished_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fulfillment_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_fulfillment_runs_finished_at")
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_index("ix_inquiries_closed_at")
    op.drop_table("retention_holds")
    op.drop_table("retention_run_tables")
    with op.batch_alter_table("retention_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retention_runs_status"))
    op.drop_table("retention_runs")
