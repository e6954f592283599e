"""console registers: indexes for keyset pages over large registers and audit filters

The console pages its registers newest first with keyset cursors (never OFFSET): subjects by
(created_at, id), provisions by (provided_at, id), one provision's records by (provision_id, provided_at, id);
the audit log is filtered by actor and by time, newest first.

Revision ID: 0017_console2
Revises: 0017_console1
Create Date: 2026-12-08 23:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017_console2"
down_revision: str | None = "0017_console1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_subjects_created_id", "subjects", ["created_at", "id"]),
    ("ix_provisions_provided_id", "provisions", ["provided_at", "id"]),
    ("ix_provision_records_provision_page", "provision_records", ["provision_id", "provided_at", "id"]),
    ("ix_audit_events_actor_seq", "audit_events", ["actor", "seq"]),
    ("ix_audit_events_occurred_at", "audit_events", ["occurred_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
