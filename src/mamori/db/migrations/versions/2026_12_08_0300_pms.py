"""management system: risks and their ratings, audits, findings, evidence, corrective actions, training

Revision ID: 0018_pms
Revises: 0018_h21
Create Date: 2026-12-08 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mamori.db.base import PortableJSON, UTCDateTime

revision: str = "0018_pms"
down_revision: str | None = "0018_h21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ratings() -> list[sa.Column[int]]:
    return [
        sa.Column("likelihood", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("residual_likelihood", sa.Integer(), nullable=False),
        sa.Column("residual_impact", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "pms_risks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("system", sa.String(80), nullable=False),
        sa.Column("dataset", sa.String(80), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        *_ratings(),
        sa.Column("measures", PortableJSON, nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pms_risks")),
    )
    op.create_index(op.f("ix_pms_risks_system"), "pms_risks", ["system"])
    op.create_index(op.f("ix_pms_risks_review_on"), "pms_risks", ["review_on"])
    op.create_table(
        "pms_risk_ratings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("risk_id", sa.Uuid(), nullable=False),
        *_ratings(),
        sa.Column("measures", PortableJSON, nullable=False),
        sa.Column("rated_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["pms_risks.id"], name=op.f("fk_pms_risk_ratings_risk_id_pms_risks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pms_risk_ratings")),
    )
    op.create_index(op.f("ix_pms_risk_ratings_risk_id"), "pms_risk_ratings", ["risk_id"])
    op.create_index(op.f("ix_pms_risk_ratings_recorded_at"), "pms_risk_ratings", ["recorded_at"])
    op.create_table(
        "pms_audits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("auditor", sa.String(200), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("checklist", PortableJSON, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pms_audits")),
        sa.UniqueConstraint("reference", name=op.f("uq_pms_audits_reference")),
    )
    op.create_table(
        "pms_findings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("audit_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("check_code", sa.String(40), nullable=True),
        sa.Column("text_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["pms_audits.id"], name=op.f("fk_pms_findings_audit_id_pms_audits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pms_findings")),
    )
    op.create_index(op.f("ix_pms_findings_audit_id"), "pms_findings", ["audit_id"])
    op.create_table(
        "pms_evidence",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("finding_id", sa.Uuid(), nullable=False),
        sa.Column("name_encrypted", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(64), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["pms_findings.id"], name=op.f("fk_pms_evidence_finding_id_pms_findings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pms_evidence")),
    )
    op.create_index(op.f("ix_pms_evidence_finding_id"), "pms_evidence", ["finding_id"])
    op.create_table(
        "pms_actions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("source_ref", sa.String(80), nullable=True),
        sa.Column("title_encrypted", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("verified_at", UTCDateTime(), nullable=True),
        sa.Column("verified_by", sa.String(200), nullable=True),
        sa.Column("verification_encrypted", sa.Text(), nullable=True),
        sa.Column("ineffective_count", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pms_actions")),
    )
    op.create_index(op.f("ix_pms_actions_source"), "pms_actions", ["source"])
    op.create_index(op.f("ix_pms_actions_due_on"), "pms_actions", ["due_on"])
    op.create_index(op.f("ix_pms_actions_state"), "pms_actions", ["state"])
    op.create_table(
        "pms_training",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("course", sa.String(80), nullable=False),
        sa.Column("person", sa.String(200), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(20), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pms_training")),
    )
    op.create_index(op.f("ix_pms_training_course"), "pms_training", ["course"])
    op.create_index(op.f("ix_pms_training_person"), "pms_training", ["person"])


def downgrade() -> None:
    for table in (
        "pms_training",
        "pms_actions",
        "pms_evidence",
        "pms_findings",
        "pms_audits",
        "pms_risk_ratings",
    ):
        op.drop_table(table)
    op.drop_table("pms_risks")
