"""The provision registers as the console lists them: keyset pages over millions of records.

Nothing here decrypts: a page shows ids, parties, counts and dates; a person's data is read
through the audited reads of :mod:`mamori.provisions.reading` and :mod:`mamori.subjects.service`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.db.paging import Cursor, newest_first
from mamori.provisions.models import Party, Provision, ProvisionRecord


@dataclass(frozen=True, slots=True)
class ProvisionRow:
    id: uuid.UUID
    recipient: str
    recipient_name: str
    basis: str
    country: str
    route: str
    items: list[str]
    provided_at: datetime
    provided: int
    refused: int
    requested_by: str


@dataclass(frozen=True, slots=True)
class ProvisionPage:
    rows: list[ProvisionRow]
    next_before: Cursor | None


@dataclass(frozen=True, slots=True)
class RecordRow:
    id: uuid.UUID
    subject_id: uuid.UUID
    provided_at: datetime
    retention_end: datetime
    consent_event_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class RecordPage:
    rows: list[RecordRow]
    next_before: Cursor | None


def provision_page(
    session: Session, *, recipient: str | None = None, before: Cursor | None = None, limit: int = 50
) -> ProvisionPage:
    """Provisions newest first, optionally to one recipient (its key).

    Raises:
        ValidationFailed: a page size outside 1..200.
    """
    stmt = select(Provision, Party.key).join(Party, Party.id == Provision.recipient_id)
    if recipient:
        stmt = stmt.where(Party.key == recipient)
    rows = session.execute(newest_first(stmt, Provision.provided_at, Provision.id, before, limit)).all()
    shown = [_provision_row(p, key) for p, key in rows[:limit]]
    last = shown[-1] if len(rows) > limit else None
    return ProvisionPage(shown, Cursor(last.provided_at, last.id) if last else None)


def _provision_row(provision: Provision, key: str) -> ProvisionRow:
    name = provision.recipient_snapshot.get("name")
    return ProvisionRow(
        id=provision.id,
        recipient=key,
        recipient_name=name.get("ja", key) if isinstance(name, dict) else str(name or key),
        basis=provision.basis,
        country=provision.country,
        route=provision.route,
        items=list(provision.items),
        provided_at=provision.provided_at,
        provided=provision.provided,
        refused=provision.refused,
        requested_by=provision.requested_by,
    )


def record_page(
    session: Session, provision_id: uuid.UUID, *, before: Cursor | None = None, limit: int = 50
) -> RecordPage:
    """The per-person records of one provision (ids, dates, retention end), in a stable order.

    All records of one provision share ``provided_at``, so the order within it is the record id.

    Raises:
        ValidationFailed: a page size outside 1..200.
    """
    stmt = select(
        ProvisionRecord.id,
        ProvisionRecord.subject_id,
        ProvisionRecord.provided_at,
        ProvisionRecord.retention_end,
        ProvisionRecord.consent_event_id,
    ).where(ProvisionRecord.provision_id == provision_id)
    rows = session.execute(
        newest_first(stmt, ProvisionRecord.provided_at, ProvisionRecord.id, before, limit)
    ).all()
    shown = [RecordRow(*row) for row in rows[:limit]]
    last = shown[-1] if len(rows) > limit else None
    return RecordPage(shown, Cursor(last.provided_at, last.id) if last else None)
