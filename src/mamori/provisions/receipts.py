"""Receipts (APPI Art. 30): data received from another business, recorded per person.

The record names the provider (name, address, representative), how the provider had acquired
the data, the persons and the items; it is kept 1 year after the receipt where a contract
document serves as the record, 3 years otherwise (APPI Rules 25).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.db.base import utcnow
from mamori.errors import ValidationFailed
from mamori.policy.service import bundle_of, require_current_version
from mamori.provisions import rules
from mamori.provisions.bulk import insert_rows
from mamori.provisions.facts import survivors
from mamori.provisions.models import Party, Receipt, ReceiptRecord
from mamori.provisions.parties import resolve_party, snapshot
from mamori.provisions.validation import subject_and_item_errors, unknown_subject_errors

MAX_ACQUISITION = 500


@dataclass(frozen=True, slots=True)
class ReceiptRequest:
    provider: str
    subjects: Sequence[uuid.UUID]
    items: Sequence[str]
    acquisition: str
    contract_ref: str | None = None
    received_at: datetime | None = None


def _provider_errors(key: str, provider: Party | None) -> list[dict[str, str]]:
    if provider is None:
        return [{"field": "provider", "message": f"unknown provider {key!r}"}]
    if not (provider.address and provider.representative):
        return [{"field": "provider", "message": "the provider's address and representative are needed"}]
    return []


def record_receipt(session: Session, *, actor: str, request: ReceiptRequest) -> Receipt:
    """Record data received from a provider, one record per person.

    Raises:
        ValidationFailed: unknown provider, item or subject, empty subject list, no acquisition
            method, a future receipt time (each field named); nothing is written.
    """
    bundle = bundle_of(require_current_version(session))
    now = utcnow()
    received_at = request.received_at or now
    provider = resolve_party(session, request.provider, bundle=bundle)
    errors = _provider_errors(request.provider, provider)
    errors += subject_and_item_errors(bundle, request.subjects, request.items)
    if not request.acquisition.strip() or len(request.acquisition) > MAX_ACQUISITION:
        errors.append({"field": "acquisition", "message": "how the provider acquired the data (1 to 500)"})
    if received_at.tzinfo is None or received_at > now:
        errors.append({"field": "received_at", "message": "a past time with a zone"})
    resolved = survivors(session, request.subjects)
    errors += unknown_subject_errors(request.subjects, resolved)
    if errors or provider is None:
        raise ValidationFailed("the receipt is not valid; nothing was recorded", details={"errors": errors})
    subjects = sorted({row.id for row in resolved.values()})
    receipt = Receipt(
        id=uuid.uuid4(),
        provider_id=provider.id,
        items=list(request.items),
        acquisition=request.acquisition.strip(),
        contract_ref=request.contract_ref,
        provider_snapshot=snapshot(provider),
        received_at=received_at,
        subjects=len(subjects),
        recorded_by=actor,
    )
    session.add(receipt)
    session.flush()
    end = rules.retention_end(received_at, contract_document=provider.contract_document)
    rows = [
        {
            "id": uuid.uuid4(),
            "receipt_id": receipt.id,
            "subject_id": s,
            "received_at": received_at,
            "retention_end": end,
        }
        for s in subjects
    ]
    insert_rows(session, ReceiptRecord.__table__, rows)  # type: ignore[arg-type]
    record_event(
        session,
        actor=actor,
        action="receipt.recorded",
        target_type="party",
        target_id=provider.key,
        details={"receipt_id": str(receipt.id), "items": receipt.items, "subjects": len(subjects)},
    )
    return receipt
