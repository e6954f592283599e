"""provisions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import mamori.db.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "parties",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column(
            "name",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "address",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "representative",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("contract_document", sa.Boolean(), nullable=False),
        sa.Column("measures_basis", sa.String(length=200), nullable=True),
        sa.Column("measures_checked_on", sa.Date(), nullable=True),
        sa.Column("measures_interval", sa.String(length=20), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
        sa.UniqueConstraint("key", name=op.f("uq_parties_key")),
    )
    op.create_table(
        "entrustments",
        sa.Column("processor_id", sa.Uuid(), nullable=False),
        sa.Column("duty", sa.String(length=80), nullable=False),
        sa.Column(
            "items",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "excess_items",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("route", sa.String(length=30), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["processor_id"], ["parties.id"], name=op.f("fk_entrustments_processor_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entrustments")),
    )
    with op.batch_alter_table("entrustments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entrustments_processor_id"), ["processor_id"], unique=False)

    op.create_table(
        "processor_assessments",
        sa.Column("processor_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("evidence_ref", sa.String(length=500), nullable=False),
        sa.Column("assessor", sa.String(length=200), nullable=False),
        sa.Column("created_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["processor_id"], ["parties.id"], name=op.f("fk_processor_assessments_processor_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processor_assessments")),
    )
    with op.batch_alter_table("processor_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_processor_assessments_processor_id"), ["processor_id"], unique=False
        )

    op.create_table(
        "processors",
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column(
            "duties",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("in_group", sa.Boolean(), nullable=False),
        sa.Column("contract_start", sa.Date(), nullable=True),
        sa.Column("contract_end", sa.Date(), nullable=True),
        sa.Column("assessment_interval", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["party_id"], ["parties.id"], name=op.f("fk_processors_party_id_parties")),
        sa.PrimaryKeyConstraint("party_id", name=op.f("pk_processors")),
    )
    op.create_table(
        "provisions",
        sa.Column("recipient_id", sa.Uuid(), nullable=False),
        sa.Column("basis", sa.String(length=80), nullable=False),
        sa.Column("art29_record", sa.Boolean(), nullable=False),
        sa.Column(
            "items",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("purpose_id", sa.String(length=80), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("route", sa.String(length=30), nullable=False),
        sa.Column("justification_encrypted", sa.Text(), nullable=True),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("contract_ref", sa.String(length=200), nullable=True),
        sa.Column(
            "recipient_snapshot",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("policy_version_id", sa.Uuid(), nullable=False),
        sa.Column("provided_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requested", sa.Integer(), nullable=False),
        sa.Column("provided", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_version_id"],
            ["policy_versions.id"],
            name=op.f("fk_provisions_policy_version_id_policy_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["parties.id"], name=op.f("fk_provisions_recipient_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provisions")),
    )
    with op.batch_alter_table("provisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provisions_recipient_id"), ["recipient_id"], unique=False)

    op.create_table(
        "receipts",
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column(
            "items",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("acquisition", sa.String(length=500), nullable=False),
        sa.Column("contract_ref", sa.String(length=200), nullable=True),
        sa.Column(
            "provider_snapshot",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("received_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["parties.id"], name=op.f("fk_receipts_provider_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
    )
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_receipts_provider_id"), ["provider_id"], unique=False)

    op.create_table(
        "sub_processors",
        sa.Column("processor_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column(
            "duties",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["processor_id"], ["parties.id"], name=op.f("fk_sub_processors_processor_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sub_processors")),
    )
    with op.batch_alter_table("sub_processors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sub_processors_processor_id"), ["processor_id"], unique=False)

    op.create_table(
        "provision_records",
        sa.Column("provision_id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("consent_event_id", sa.Uuid(), nullable=True),
        sa.Column("provided_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retention_end", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_event_id"],
            ["consent_events.id"],
            name=op.f("fk_provision_records_consent_event_id_consent_events"),
        ),
        sa.ForeignKeyConstraint(
            ["provision_id"], ["provisions.id"], name=op.f("fk_provision_records_provision_id_provisions")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_provision_records_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provision_records")),
    )
    with op.batch_alter_table("provision_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provision_records_provision_id"), ["provision_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_provision_records_retention_end"), ["retention_end"], unique=False
        )
        batch_op.create_index(
            "ix_provision_records_subject_provided", ["subject_id", "provided_at"], unique=False
        )

    op.create_table(
        "receipt_records",
        sa.Column("receipt_id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("received_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retention_end", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_receipt_records_receipt_id_receipts")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_receipt_records_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_records")),
    )
    with op.batch_alter_table("receipt_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_receipt_records_receipt_id"), ["receipt_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_receipt_records_retention_end"), ["retention_end"], unique=False)
        batch_op.create_index(
            "ix_receipt_records_subject_received", ["subject_id", "received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("receipt_records", schema=None) as batch_op:
        batch_op.drop_index("ix_receipt_records_subject_received")
        batch_op.drop_index(batch_op.f("ix_receipt_records_retention_end"))
        batch_op.drop_index(batch_op.f("ix_receipt_records_receipt_id"))

    op.drop_table("receipt_records")
    with op.batch_alter_table("provision_records", schema=None) as batch_op:
        batch_op.drop_index("ix_provision_records_subject_provided")
        batch_op.drop_index(batch_op.f("ix_provision_records_retention_end"))
        batch_op.drop_index(batch_op.f("ix_provision_records_provision_id"))

    op.drop_table("provision_records")
    with op.batch_alter_table("sub_processors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sub_processors_processor_id"))

    op.drop_table("sub_processors")
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_receipts_provider_id"))

    op.drop_table("receipts")
    with op.batch_alter_table("provisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provisions_recipient_id"))

    op.drop_table("provisions")
    op.drop_table("processors")
    with op.batch_alter_table("processor_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processor_assessments_processor_id"))

    op.drop_table("processor_assessments")
    with op.batch_alter_table("entrustments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entrustments_processor_id"))

    op.drop_table("entrustments")
    op.drop_table("parties")
