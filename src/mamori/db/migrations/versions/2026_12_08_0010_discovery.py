"""discovery: scans, checkpoints, per-column classifications and spans (type, position, keyed hash)

Revision ID: 0017_discovery
Revises: 0017_cookies
Create Date: 2026-12-08 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import mamori.db.base

revision: str = "0017_discovery"
down_revision: str | None = "0017_cookies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_WHEN = mamori.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "discovery_scans",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("sample", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sources_total", sa.Integer(), nullable=False),
        sa.Column("sources_done", sa.Integer(), nullable=False),
        sa.Column("rows_scanned", sa.Integer(), nullable=False),
        sa.Column("spans_found", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("finished_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discovery_scans")),
    )
    op.create_index(op.f("ix_discovery_scans_status"), "discovery_scans", ["status"])
    op.create_table(
        "discovery_checkpoints",
        sa.Column("scan_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=400), nullable=False),
        sa.Column("position", sa.Text(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scan_id"], ["discovery_scans.id"], name=op.f("fk_discovery_checkpoints_scan_id_discovery_scans")
        ),
        sa.PrimaryKeyConstraint("scan_id", "source", name=op.f("pk_discovery_checkpoints")),
    )
    op.create_table(
        "discovery_columns",
        sa.Column("scan_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=400), nullable=False),
        sa.Column("column", sa.String(length=200), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("hits", _JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["scan_id"], ["discovery_scans.id"], name=op.f("fk_discovery_columns_scan_id_discovery_scans")
        ),
        sa.PrimaryKeyConstraint("scan_id", "source", "column", name=op.f("pk_discovery_columns")),
    )
    op.create_table(
        "discovery_spans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scan_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=400), nullable=False),
        sa.Column("column", sa.String(length=200), nullable=False),
        sa.Column("row", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["scan_id"], ["discovery_scans.id"], name=op.f("fk_discovery_spans_scan_id_discovery_scans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discovery_spans")),
    )
    op.create_index(op.f("ix_discovery_spans_scan_id"), "discovery_spans", ["scan_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_discovery_spans_scan_id"), table_name="discovery_spans")
    op.drop_table("discovery_spans")
    op.drop_table("discovery_columns")
    op.drop_table("discovery_checkpoints")
    op.drop_index(op.f("ix_discovery_scans_status"), table_name="discovery_scans")
    op.drop_table("discovery_scans")
