"""privacy centre: one-time request status codes and preference sign-in links

Revision ID: 0017_centre
Revises: 0017_console2
Create Date: 2026-12-08 00:10:00

Codes, tokens, browser nonces and visit tokens are kept only as keyed hashes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.db.base

revision: str = "0017_centre"
down_revision: str | None = "0017_console2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = mamori.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "centre_status_codes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("sent_by", sa.String(length=10), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN, nullable=True),
        sa.Column("visit_index", sa.String(length=64), nullable=True),
        sa.Column("visit_expires_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["dsr_cases.id"], name=op.f("fk_centre_status_codes_case_id_dsr_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centre_status_codes")),
        sa.UniqueConstraint("visit_index", name=op.f("uq_centre_status_codes_visit_index")),
    )
    op.create_index(op.f("ix_centre_status_codes_case_id"), "centre_status_codes", ["case_id"])
    op.create_table(
        "centre_preference_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("identifier_id", sa.Uuid(), nullable=False),
        sa.Column("token_index", sa.String(length=64), nullable=False),
        sa.Column("nonce_index", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN, nullable=True),
        sa.Column("visit_index", sa.String(length=64), nullable=True),
        sa.Column("visit_expires_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_centre_preference_links_subject_id_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["identifier_id"],
            ["subject_identifiers.id"],
            name=op.f("fk_centre_preference_links_identifier_id_subject_identifiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centre_preference_links")),
        sa.UniqueConstraint("token_index", name=op.f("uq_centre_preference_links_token_index")),
        sa.UniqueConstraint("visit_index", name=op.f("uq_centre_preference_links_visit_index")),
    )
    op.create_index(op.f("ix_centre_preference_links_subject_id"), "centre_preference_links", ["subject_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_centre_preference_links_subject_id"), table_name="centre_preference_links")
    op.drop_table("centre_preference_links")
    op.drop_index(op.f("ix_centre_status_codes_case_id"), table_name="centre_status_codes")
    op.drop_table("centre_status_codes")
