"""Reading the records back: a person's provision and receipt records, and the retention sweep.

``list_records_for_subject`` is the interface the disclosure-request room uses (APPI Art. 33(5)).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.db.base import utcnow
from mamori.errors import NotFound
from mamori.provisions import rules
from mamori.provisions.facts import merge_groups
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

    Raises:
        NotFound: no such subject.
    """
    group = _group(session, subject_id)
    provided = session.execute(
        select(ProvisionRecord, Provision)
        .join(Provision, Provision.id == ProvisionRecord.provision_id)
        .where(ProvisionRecord.subject_id.in_(group))
    )
    records = [
        SubjectRecord(
            kind="provision",
            record_id=record.id,
            parent_id=provision.id,
            at=record.provided_at,
            party=provision.recipient_snapshot,
            items=provision.items,
            retention_end=record.retention_end,
            basis=provision.basis,
            art29_record=provision.art29_record,
            consent_event_id=record.consent_event_id,
            country=provision.country,
            route=provision.route,
        )
        for record, provision in provided
    ]
    received = session.execute(
        select(ReceiptRecord, Receipt)
        .join(Receipt, Receipt.id == ReceiptRecord.receipt_id)
        .where(ReceiptRecord.subject_id.in_(group))
    )
    records += [
        SubjectRecord(
            kind="receipt",
            record_id=record.id,
            parent_id=receipt.id,
            at=record.received_at,
            party=receipt.provider_snapshot,
            items=receipt.items,
            retention_end=record.retention_end,
            country=receipt.provider_snapshot.get("country"),
            acquisition=receipt.acquisition,
        )
        for record, receipt in received
    ]
    return sorted(records, key=lambda r: (r.at, r.kind, r.record_id))


def _group(session: Session, subject_id: uuid.UUID) -> list[uuid.UUID]:
    """The subject and those merged into it, in two light queries (a merged subject: its survivor's)."""
    merged_into = session.execute(select(Subject.merged_into_id).where(Subject.id == subject_id)).first()
    if merged_into is None:
        raise NotFound(f"no subject {subject_id}")
    if merged_into[0] is not None:
        return require_group(session, subject_id)
    return list(merge_groups(session, [subject_id]))


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
