"""Mamori's own tables that hold personal data past a retention period, and how a sweep treats them.

Each entry names the table, the clock column, the rows that are finished (only those age), the
retention (from the bundle), the columns emptied and the child rows deleted. Tables not listed
keep their data on purpose; ``docs/guides/operator.md`` (Retention) says which and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Table, delete, func, or_, select, update
from sqlalchemy.orm import Session

from mamori.db.base import Base
from mamori.fulfillment import models as _fulfillment_models  # noqa: F401 - registers the tables swept here
from mamori.inquiries import models as _inquiry_models  # noqa: F401
from mamori.policy.schema import PolicyBundle
from mamori.retention.rules import cutoff
from mamori.retention.sweep import BATCH, Counts, Progress

OWN_BATCH = 1000


def _category_retention(category: str) -> Callable[[PolicyBundle], str | None]:
    """The longest retention among the purposes of a subject category (None: no such category)."""

    def retention(bundle: PolicyBundle) -> str | None:
        from mamori.policy.sections.cameras import period_days

        periods = [p.retention for c in bundle.subject_categories if c.id == category for p in c.purposes]
        return max(periods, key=period_days) if periods else None

    return retention


def _documents_retention(bundle: PolicyBundle) -> str:
    return f"P{bundle.request_handling.documents_retention_days}D"


@dataclass(frozen=True)
class OwnTable:
    table: str
    clock: str
    finished: Callable[[Table], ColumnElement[bool]]
    retention: Callable[[PolicyBundle], str | None]
    clear: dict[str, Any]
    children: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def left(self, table: Table) -> ColumnElement[bool]:
        """Rows that still hold a value the sweep empties."""
        return or_(
            *(table.c[c].is_not(None) if v is None else table.c[c] != v for c, v in self.clear.items())
        )


OWN_TABLES: tuple[OwnTable, ...] = (
    # Closed inquiries: the inquirer's name and contact details and the messages go after the
    # retention of the "inquirers" purposes, counted from closing; the ticket (category, times)
    # stays for the statistics of the management review.
    OwnTable(
        table="inquiries",
        clock="closed_at",
        finished=lambda t: t.c.state == "closed",
        retention=_category_retention("inquirers"),
        clear={"name_encrypted": None, "email_encrypted": None, "phone_encrypted": None, "email_index": None},
        children=(("inquiry_messages", "inquiry_id"),),
    ),
    # Finished fulfillment runs: the identities, corrections, keys found and the access package
    # go after request_handling.documents_retention_days; the counts per table stay as evidence.
    OwnTable(
        table="fulfillment_runs",
        clock="finished_at",
        finished=lambda t: t.c.status.in_(("done", "failed")),
        retention=_documents_retention,
        clear={
            "identities_encrypted": "",
            "changes_encrypted": None,
            "snapshot_encrypted": None,
            "package_encrypted": None,
        },
    ),
)


def own_table(name: str) -> OwnTable | None:
    return next((t for t in OWN_TABLES if t.table == name), None)


def sweep_own(  # noqa: PLR0913 - one table's sweep
    session: Session,
    spec: OwnTable,
    limit: datetime,
    counts: Counts,
    progress: Progress,
    *,
    dry_run: bool,
    batch: int = BATCH,
) -> Counts:
    """Empty the finished rows of ``spec.table`` whose clock is before ``limit``, batch by batch."""
    table = Base.metadata.tables[spec.table]
    expired = (table.c[spec.clock] < limit) & spec.finished(table) & spec.left(table)
    key = table.c.id
    batch = min(batch, OWN_BATCH)  # ids go out as bound parameters
    if dry_run:
        counts.expired = int(
            session.execute(select(func.count()).select_from(table).where(expired)).scalar_one()
        )
        return counts
    while True:
        after = key > _uuid(counts.cursor[0]) if counts.cursor else expired
        ids = list(session.scalars(select(key).where(expired, after).order_by(key).limit(batch)))
        if not ids:
            return counts
        for child, column in spec.children:
            child_table = Base.metadata.tables[child]
            session.execute(delete(child_table).where(child_table.c[column].in_(ids)))
        result = cast(
            "CursorResult[Any]", session.execute(update(table).where(key.in_(ids)).values(spec.clear))
        )
        counts.changed += result.rowcount
        counts.expired += len(ids)
        counts.residual += int(
            session.execute(
                select(func.count()).select_from(table).where(key.in_(ids), spec.left(table))
            ).scalar_one()
        )
        counts.cursor = [str(ids[-1])]
        progress(counts)


def own_cutoff(spec: OwnTable, bundle: PolicyBundle, now: datetime) -> tuple[str, datetime] | None:
    period = spec.retention(bundle)
    return (period, cutoff(now, period)) if period else None


def _uuid(text: str) -> Any:
    import uuid

    return uuid.UUID(text)
