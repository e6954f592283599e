"""Reading the records back: a person's provision and receipt records, and the retention sweep.

``list_records_for_subject`` is the interface the disclosure-request room uses (APPI Art. 33(5)).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, Uuid, delete, exists, literal, null, select, true, union_all
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.db.base import utcnow
from mamori.errors import NotFound
from mamori.provisions import rules
from mamori.provisions.gate import ProvisionOutcome, ProvisionRequest, Refusal, provide
from mamori.provisions.models import Provision, ProvisionRecord, Receipt, ReceiptRecord
from mamori.subjects.models import Subject
from mamori.subjects.repository import require_group

__all__ = [
    "ProvisionOutcome",
    "ProvisionRequest",
    "Refusal",
    "SubjectRecord",
    "list_records_for_subject",
    "provide",
    "sweep_expired_records",
]


@dataclass(frozen=True, slots=True)
class SubjectRecord:
    """One provision to, or receipt from, another business that concerns the person.

    ``art29_record`` is False for provisions that need no APPI Art. 29 record (exceptions of
    Art. 27(1) and joint use); such entries are listed for completeness.
    """

    kind: str  # "provision" or "receipt"
    record_id: uuid.UUID
    parent_id: uuid.UUID
    at: datetime
    party: dict[str, Any]
    items: list[str]
    retention_end: datetime
    basis: str | None = None
    art29_record: bool = True
    consent_event_id: uuid.UUID | None = None
    country: str | None = None
    route: str | None = None
    acquisition: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "record_id": str(self.record_id),
            "parent_id": str(self.parent_id),
            "at": self.at.isoformat(),
            "party": self.party,
            "items": self.items,
            "retention_end": self.retention_end.isoformat(),
            "basis": self.basis,
            "art29_record": self.art29_record,
            "consent_event_id": str(self.consent_event_id) if self.consent_event_id else None,
            "country": self.country,
            "route": self.route,
            "acquisition": self.acquisition,
        }


def list_records_for_subject(session: Session, subject_id: uuid.UUID) -> list[SubjectRecord]:
    """Every provision and receipt record of the person (and of subjects merged into them), oldest first.

    Two queries: the subject (a merged subject reads its survivor's records), then one statement
    for both kinds of record over the merge group (a recursive CTE), by the subject index.

    Raises:
        NotFound: no such subject.
    """
    row = session.execute(select(Subject.merged_into_id).where(Subject.id == subject_id)).first()
    if row is None:
        raise NotFound(f"no subject {subject_id}")
    if row[0] is not None:
        subject_id = require_group(session, subject_id)[0]
    group = (
        select(Subject.id.label("id")).where(Subject.id == subject_id).cte("subject_group", recursive=True)
    )
    group = group.union_all(select(Subject.id).where(Subject.merged_into_id == group.c.id))
    provided = (
        select(
            literal("provision").label("kind"), ProvisionRecord.id, Provision.id, ProvisionRecord.provided_at,
            Provision.recipient_snapshot, Provision.items, ProvisionRecord.retention_end, Provision.basis,
            Provision.art29_record, ProvisionRecord.consent_event_id, Provision.country, Provision.route,
            null().cast(String).label("acquisition"),
        )
        .join(Provision, Provision.id == ProvisionRecord.provision_id)
        .where(ProvisionRecord.subject_id.in_(select(group.c.id)))
    )  # fmt: skip
    received = (
        select(
            literal("receipt"), ReceiptRecord.id, Receipt.id, ReceiptRecord.received_at,
            Receipt.provider_snapshot, Receipt.items, ReceiptRecord.retention_end, null().cast(String),
            true(), null().cast(Uuid), null().cast(String), null().cast(String), Receipt.acquisition,
        )
        .join(Receipt, Receipt.id == ReceiptRecord.receipt_id)
        .where(ReceiptRecord.subject_id.in_(select(group.c.id)))
    )  # fmt: skip
    records = [_record(*values) for values in session.execute(union_all(provided, received))]
    return sorted(records, key=lambda r: (r.at, r.kind, r.record_id))


def _record(*values: Any) -> SubjectRecord:
    kind, record_id, parent_id, at, party, items, end, basis, art29, event, country, route, acquisition = (
        values
    )
    if kind == "receipt":
        country = party.get("country")
    return SubjectRecord(
        kind=kind, record_id=record_id, parent_id=parent_id, at=_aware(at), party=party, items=items,
        retention_end=_aware(end), basis=basis, art29_record=bool(art29), consent_event_id=event,
        country=country, route=route, acquisition=acquisition,
    )  # fmt: skip


def _aware(value: datetime) -> datetime:
    """Instants read through a UNION may come back without their zone (SQLite): they are UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class SweepResult:
    provision_records: int
    receipt_records: int
    provisions: int
    receipts: int


def sweep_expired_records(session: Session, *, actor: str, now: datetime | None = None) -> SweepResult:
    """Delete records past their retention end; audited with the counts.

    Provisions and receipts left without records go once the longest retention (3 years) has passed.
    """
    now = now or utcnow()
    cutoff = rules.add_years(now, -rules.DEFAULT_RETENTION_YEARS)
    gone_p = session.execute(delete(ProvisionRecord).where(ProvisionRecord.retention_end < now))
    gone_r = session.execute(delete(ReceiptRecord).where(ReceiptRecord.retention_end < now))
    empty_p = session.execute(
        delete(Provision).where(
            Provision.provided_at < cutoff, ~exists().where(ProvisionRecord.provision_id == Provision.id)
        )
    )
    empty_r = session.execute(
        delete(Receipt).where(
            Receipt.received_at < cutoff, ~exists().where(ReceiptRecord.receipt_id == Receipt.id)
        )
    )
    result = SweepResult(*(_count(r) for r in (gone_p, gone_r, empty_p, empty_r)))
    record_event(
        session,
        actor=actor,
        action="provision_records.swept",
        target_type="provision_records",
        target_id="retention",
        details={"before": now.isoformat(), **asdict(result)},
    )
    return result


def _count(result: Any) -> int:
    return int(result.rowcount or 0)
