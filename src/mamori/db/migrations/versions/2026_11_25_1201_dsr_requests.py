"""dsr requests

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import mamori.db.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dsr_print_batches",
        sa.Column("created_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsr_print_batches")),
    )
    op.create_table(
        "dsr_cases",
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("request_type", sa.String(length=40), nullable=False),
        sa.Column("ground", sa.String(length=40), nullable=True),
        sa.Column("erasure", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("jurisdiction", sa.String(length=2), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=True),
        sa.Column("inquiry_id", sa.Uuid(), nullable=True),
        sa.Column("policy_version_id", sa.Uuid(), nullable=False),
        sa.Column("requester_kind", sa.String(length=30), nullable=False),
        sa.Column("representation", sa.String(length=20), nullable=True),
        sa.Column("requester_name_encrypted", sa.Text(), nullable=False),
        sa.Column("requester_email_encrypted", sa.Text(), nullable=True),
        sa.Column("requester_email_index", sa.String(length=64), nullable=True),
        sa.Column("requester_address_encrypted", sa.Text(), nullable=True),
        sa.Column("details_encrypted", sa.Text(), nullable=True),
        sa.Column("response_method", sa.String(length=20), nullable=False),
        sa.Column("received_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("target_on", sa.Date(), nullable=False),
        sa.Column("art39_on", sa.Date(), nullable=False),
        sa.Column("cap_on", sa.Date(), nullable=True),
        sa.Column("reminded_at", mamori.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("my_number_front_only", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column(
            "reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("explanation_encrypted", sa.Text(), nullable=True),
        sa.Column("fee_yen", sa.Integer(), nullable=False),
        sa.Column("fee_paid_yen", sa.Integer(), nullable=True),
        sa.Column("fee_paid_at", mamori.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("fee_payment_method", sa.String(length=40), nullable=True),
        sa.Column("decided_at", mamori.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("responded_at", mamori.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", mamori.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("documents_purged_at", mamori.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_version_id"],
            ["policy_versions.id"],
            name=op.f("fk_dsr_cases_policy_version_id_policy_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_dsr_cases_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsr_cases")),
        sa.UniqueConstraint("reference", name=op.f("uq_dsr_cases_reference")),
    )
    op.create_index(op.f("ix_dsr_cases_closed_at"), "dsr_cases", ["closed_at"], unique=False)
    op.create_index(op.f("ix_dsr_cases_inquiry_id"), "dsr_cases", ["inquiry_id"], unique=False)
    op.create_index(op.f("ix_dsr_cases_request_type"), "dsr_cases", ["request_type"], unique=False)
    op.create_index(
        op.f("ix_dsr_cases_requester_email_index"), "dsr_cases", ["requester_email_index"], unique=False
    )
    op.create_index(op.f("ix_dsr_cases_state"), "dsr_cases", ["state"], unique=False)
    op.create_index(op.f("ix_dsr_cases_subject_id"), "dsr_cases", ["subject_id"], unique=False)
    op.create_index(op.f("ix_dsr_cases_target_on"), "dsr_cases", ["target_on"], unique=False)
    op.create_table(
        "dsr_case_events",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["dsr_cases.id"], name=op.f("fk_dsr_case_events_case_id_dsr_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsr_case_events")),
    )
    op.create_index(op.f("ix_dsr_case_events_case_id"), "dsr_case_events", ["case_id"], unique=False)
    op.create_table(
        "dsr_documents",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("whose", sa.String(length=20), nullable=False),
        sa.Column("document_type", sa.String(length=80), nullable=True),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=80), nullable=True),
        sa.Column("uploaded_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("deleted_at", mamori.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["dsr_cases.id"], name=op.f("fk_dsr_documents_case_id_dsr_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsr_documents")),
    )
    op.create_index(op.f("ix_dsr_documents_case_id"), "dsr_documents", ["case_id"], unique=False)
    op.create_table(
        "dsr_letters",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("storage_key", sa.String(length=80), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["dsr_cases.id"], name=op.f("fk_dsr_letters_case_id_dsr_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsr_letters")),
    )
    op.create_index(op.f("ix_dsr_letters_case_id"), "dsr_letters", ["case_id"], unique=False)
    op.create_table(
        "dsr_tasks",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("changes_encrypted", sa.Text(), nullable=True),
        sa.Column("run_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("handed_over_at", mamori.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["dsr_cases.id"], name=op.f("fk_dsr_tasks_case_id_dsr_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsr_tasks")),
    )
    op.create_index(op.f("ix_dsr_tasks_case_id"), "dsr_tasks", ["case_id"], unique=False)
    op.create_index(op.f("ix_dsr_tasks_status"), "dsr_tasks", ["status"], unique=False)
    op.create_table(
        "dsr_web_submissions",
        sa.Column("token_index", sa.String(length=64), nullable=False),
        sa.Column("payload_encrypted", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("expires_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", mamori.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["dsr_cases.id"], name=op.f("fk_dsr_web_submissions_case_id_dsr_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsr_web_submissions")),
        sa.UniqueConstraint("token_index", name=op.f("uq_dsr_web_submissions_token_index")),
    )
    op.create_index("ix_dsr_web_submissions_expires", "dsr_web_submissions", ["expires_at"], unique=False)
    op.create_table(
        "dsr_deliveries",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("letter_id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=True),
        sa.Column("tracking_number", sa.String(length=40), nullable=True),
        sa.Column("mailed_at", mamori.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("token_index", sa.String(length=64), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", mamori.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("opened_at", mamori.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["dsr_print_batches.id"], name=op.f("fk_dsr_deliveries_batch_id_dsr_print_batches")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["dsr_cases.id"], name=op.f("fk_dsr_deliveries_case_id_dsr_cases")
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"], ["dsr_letters.id"], name=op.f("fk_dsr_deliveries_letter_id_dsr_letters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsr_deliveries")),
        sa.UniqueConstraint("token_index", name=op.f("uq_dsr_deliveries_token_index")),
    )
    op.create_index(op.f("ix_dsr_deliveries_batch_id"), "dsr_deliveries", ["batch_id"], unique=False)
    op.create_index(op.f("ix_dsr_deliveries_case_id"), "dsr_deliveries", ["case_id"], unique=False)
    op.create_table(
        "dsr_identity_checks",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("whose", sa.String(length=20), nullable=False),
        sa.Column("document_type", sa.String(length=80), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column(
            "matched",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reasons_encrypted", sa.Text(), nullable=True),
        sa.Column("checked_by", sa.String(length=200), nullable=False),
        sa.Column("checked_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["dsr_cases.id"], name=op.f("fk_dsr_identity_checks_case_id_dsr_cases")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["dsr_documents.id"],
            name=op.f("fk_dsr_identity_checks_document_id_dsr_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsr_identity_checks")),
    )
    op.create_index(op.f("ix_dsr_identity_checks_case_id"), "dsr_identity_checks", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_dsr_identity_checks_case_id"), table_name="dsr_identity_checks")
    op.drop_table("dsr_identity_checks")
    op.drop_index(op.f("ix_dsr_deliveries_case_id"), table_name="dsr_deliveries")
    op.drop_index(op.f("ix_dsr_deliveries_batch_id"), table_name="dsr_deliveries")
    op.drop_table("dsr_deliveries")
    op.drop_index("ix_dsr_web_submissions_expires", table_name="dsr_web_submissions")
    op.drop_table("dsr_web_submissions")
    op.drop_index(op.f("ix_dsr_tasks_status"), table_name="dsr_tasks")
    op.drop_index(op.f("ix_dsr_tasks_case_id"), table_name="dsr_tasks")
    op.drop_table("dsr_tasks")
    op.drop_index(op.f("ix_dsr_letters_case_id"), table_name="dsr_letters")
    op.drop_table("dsr_letters")
    op.drop_index(op.f("ix_dsr_documents_case_id"), table_name="dsr_documents")
    op.drop_table("dsr_documents")
    op.drop_index(op.f("ix_dsr_case_events_case_id"), table_name="dsr_case_events")
    op.drop_table("dsr_case_events")
    op.drop_index(op.f("ix_dsr_cases_target_on"), table_name="dsr_cases")
    op.drop_index(op.f("ix_dsr_cases_subject_id"), table_name="dsr_cases")
    op.drop_index(op.f("ix_dsr_cases_state"), table_name="dsr_cases")
    op.drop_index(op.f("ix_dsr_cases_requester_email_index"), table_name="dsr_cases")
    op.drop_index(op.f("ix_dsr_cases_request_type"), table_name="dsr_cases")
    op.drop_index(op.f("ix_dsr_cases_inquiry_id"), table_name="dsr_cases")
    op.drop_index(op.f("ix_dsr_cases_closed_at"), table_name="dsr_cases")
    op.drop_table("dsr_cases")
    op.drop_table("dsr_print_batches")
