"""h19perf: indexes for the console's request lists and dashboard over 100k+ cases

One state in due order (state, target_on, id); open cases in due order with the state read from the
index (closed_at, target_on, id, state), so "overdue" and "due this week" page and count without
sorting or reading rows; the dashboard's weekly figures by received and answered instant; open inquiries'
clocks.

Revision ID: 0018_h19perf
Revises: 0017_revisions
Create Date: 2026-12-09 03:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018_h19perf"
down_revision: str | None = "0017_revisions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_dsr_cases_state_target", "dsr_cases", ["state", "target_on", "id"]),
    ("ix_dsr_cases_unclosed_due", "dsr_cases", ["closed_at", "target_on", "id", "state"]),
    ("ix_dsr_cases_received_at", "dsr_cases", ["received_at"]),
    ("ix_dsr_cases_responded_target", "dsr_cases", ["responded_at", "target_on"]),
    ("ix_inquiries_received_language", "inquiries", ["received_at", "language", "category"]),
    (
        "ix_inquiries_open_clock",
        "inquiries",
        ["state", "paused_since", "first_responded_at", "first_response_due_at", "resolution_due_at"],
    ),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
