"""datamap and fulfillment

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import mamori.db.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC = mamori.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fulfillment_runs",
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("case_ref", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("identity_kinds", JSON, nullable=False),
        sa.Column("identities_encrypted", sa.Text(), nullable=False),
        sa.Column("changes_encrypted", sa.Text(), nullable=True),
        sa.Column("snapshot_encrypted", sa.Text(), nullable=True),
        sa.Column("package_encrypted", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("started_at", UTC, nullable=True),
        sa.Column("finished_at", UTC, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfillment_runs")),
    )
    with op.batch_alter_table("fulfillment_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fulfillment_runs_case_ref"), ["case_ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_fulfillment_runs_status"), ["status"], unique=False)
    op.create_table(
        "fulfillment_run_systems",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("system", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["fulfillment_runs.id"],
            name=op.f("fk_fulfillment_run_systems_run_id_fulfillment_runs"),
        ),
        sa.PrimaryKeyConstraint("run_id", "system", name=op.f("pk_fulfillment_run_systems")),
    )
    op.create_table(
        "fulfillment_run_tables",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("system", sa.String(length=80), nullable=False),
        sa.Column("dataset", sa.String(length=80), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("residual", sa.Integer(), nullable=False),
        sa.Column("places", JSON, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["fulfillment_runs.id"],
            name=op.f("fk_fulfillment_run_tables_run_id_fulfillment_runs"),
        ),
        sa.PrimaryKeyConstraint("run_id", "system", "dataset", name=op.f("pk_fulfillment_run_tables")),
    )


def downgrade() -> None:
    op.drop_table("fulfillment_run_tables")
    op.drop_table("fulfillment_run_systems")
    with op.batch_alter_table("fulfillment_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fulfillment_runs_status"))
        batch_op.drop_index(batch_op.f("ix_fulfillment_runs_case_ref"))
    op.drop_table("fulfillment_runs")
