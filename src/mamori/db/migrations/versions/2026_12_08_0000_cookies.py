"""cookies: browser consent records and browser-to-subject links

Revision ID: 0017_cookies
Revises: 0017_centre
Create Date: 2026-12-08 00:00:00

Consents given in the cookie banner, per pseudonymous browser ID (no IP address is stored), and
the browsers a person used when signed in to the privacy centre.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import mamori.db.base

revision: str = "0017_cookies"
down_revision: str | None = "0017_centre"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cookie_consents",
        sa.Column("property_id", sa.String(length=80), nullable=False),
        sa.Column("browser_id", sa.Uuid(), nullable=False),
        sa.Column("inventory_hash", sa.String(length=64), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=True),
        sa.Column("choices", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("gpc", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("recorded_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cookie_consents")),
    )
    op.create_index(
        "ix_cookie_consents_browser", "cookie_consents", ["browser_id", "property_id", "recorded_at"]
    )
    op.create_table(
        "cookie_browser_links",
        sa.Column("browser_id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("linked_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_cookie_browser_links_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cookie_browser_links")),
    )
    op.create_index(
        op.f("ix_cookie_browser_links_browser_id"), "cookie_browser_links", ["browser_id"], unique=False
    )
    op.create_index(
        op.f("ix_cookie_browser_links_subject_id"), "cookie_browser_links", ["subject_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_cookie_browser_links_subject_id"), table_name="cookie_browser_links")
    op.drop_index(op.f("ix_cookie_browser_links_browser_id"), table_name="cookie_browser_links")
    op.drop_table("cookie_browser_links")
    op.drop_index("ix_cookie_consents_browser", table_name="cookie_consents")
    op.drop_table("cookie_consents")
