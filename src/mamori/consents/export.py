"""A person's consent records in the ISO/IEC TS 27560:2023 field structure, as JSON.

One record per scope (a purpose, a recipient, a cross-border transfer, ...), each with the four
sections of the specification: header (schema version, record id, PII principal id), PII
processing (notice, language, purposes with their PII information, controllers, retention,
locations, recipients, withdrawal method), party identification (the controller) and the event
history (time, validity, acting entity, type, state). Field names follow the specification's
terms in snake_case. Mamori-specific additions (``scope``, ``channel``, ``policy_version``) sit
beside them. No name or identifier appears: the PII principal is the subject's id.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.consents import rules
from mamori.consents.models import ConsentEvent
from mamori.consents.service import list_events, policy_numbers
from mamori.db.base import utcnow
from mamori.policy.schema import PolicyBundle, Purpose
from mamori.policy.service import bundle_of, require_current_version
from mamori.subjects.models import Subject
from mamori.subjects.repository import surviving

SCHEMA_VERSION = "ISO/IEC TS 27560:2023"
PROFILE = "mamori-27560/1"
RECORD_NAMESPACE = uuid.UUID("5c0d7d5e-6c57-4d0e-9d3b-6d616d6f7269")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def record_id(subject_id: uuid.UUID, scope: str) -> str:
    """Stable id of the record of one scope of one person (the same in every export)."""
    return str(uuid.uuid5(RECORD_NAMESPACE, f"{subject_id}|{scope}"))


class _Builder:
    def __init__(self, bundle: PolicyBundle, versions: dict[uuid.UUID, int], jurisdiction: str) -> None:
        self.bundle = bundle
        self.versions = versions
        self.jurisdiction = jurisdiction
        self.items = {item.id: item for item in bundle.data_items}
        self.controller_id = bundle.controller.id

    def party(self) -> dict[str, Any]:
        ctl = self.bundle.controller
        contact = self.bundle.contact_centre
        return {
            "party_id": ctl.id,
            "party_name": ctl.name.ja,
            "party_names": ctl.name.model_dump(by_alias=True),
            "party_address": ctl.address.ja if ctl.address else None,
            "party_url": ctl.website,
            "party_role": "pii_controller",
            "party_type": "organisation",
            "party_contact": contact.inquiry_url or contact.name.ja,
        }

    def withdrawal_method(self) -> str:
        centre = self.bundle.contact_centre
        return centre.inquiry_url or centre.name.ja

    def purpose(self, purpose: Purpose, *, separate: bool) -> dict[str, Any]:
        sensitive = any(self.items[i].pipl_sensitive for i in purpose.items)
        return {
            "purpose_id": purpose.id,
            "purpose": purpose.text.ja,
            "purpose_texts": purpose.text.model_dump(by_alias=True),
            "purpose_type": [flag.value for flag in purpose.flags],
            "lawful_basis": "separate_consent" if separate else "consent",
            "pii_information": [
                {
                    "pii_type": self.items[item].name.en,
                    "pii_attribute_id": item,
                    "sensitive_pii_category": self.items[item].pipl_sensitive,
                    "special_pii_category": self.items[item].special_care,
                }
                for item in purpose.items
            ],
            "retention_period": purpose.retention,
            "processing_locations": [self.bundle.controller.country, *purpose.countries],
            "sensitive": sensitive,
        }

    def processing(self, scope: str, last: ConsentEvent) -> dict[str, Any]:
        kind, _, value = scope.partition(":")
        purposes = []
        purpose = self.bundle.purposes().get(value) if kind == "purpose" else None
        if purpose is not None:
            purposes.append(self.purpose(purpose, separate=last.separate))
        return {
            "scope": scope,
            "privacy_notice": {
                "notice_id": str(last.policy_version_id) if last.policy_version_id else None,
                "notice_version": self.versions.get(last.policy_version_id)
                if last.policy_version_id
                else None,
                "notice_hash": last.notice_hash,
                "language": last.language,
            },
            "language": last.language,
            "purposes": purposes,
            "pii_controllers": [self.controller_id],
            "jurisdiction": self.jurisdiction,
            "storage_locations": [self.bundle.controller.country],
            "geographic_restrictions": [value] if kind == "cross_border" else [],
            "recipient_third_parties": [value] if kind == "recipient" else [],
            "withdrawal_method": self.withdrawal_method(),
        }

    def event(self, event: ConsentEvent, subject_id: uuid.UUID) -> dict[str, Any]:
        validity = None
        if event.expires_at is not None:
            validity = int((event.expires_at - event.occurred_at).total_seconds())
        return {
            "event_id": str(event.id),
            "event_time": _iso(event.occurred_at),
            "recorded_time": _iso(event.recorded_at),
            "validity_duration": validity,
            "valid_until": _iso(event.expires_at),
            "entity_id": str(event.on_behalf_by_id or subject_id),
            "on_behalf": event.on_behalf_by_id is not None,
            "event_type": "explicit_separate" if event.separate else "explicit",
            "event_state": f"consent_{event.action}",
            "channel": event.channel,
            "collected_by": event.collected_by,
            "policy_version": self.versions.get(event.policy_version_id) if event.policy_version_id else None,
            "notice_hash": event.notice_hash,
            "evidence_ref": event.evidence_ref,
        }


def build_records(  # noqa: PLR0913 - everything a record is made of
    bundle: PolicyBundle,
    *,
    subject_id: uuid.UUID,
    jurisdiction: str,
    events: Sequence[ConsentEvent],
    versions: dict[uuid.UUID, int],
    generated_at: datetime,
) -> dict[str, Any]:
    """The export document of one person: one 27560 record per scope, events oldest first."""
    builder = _Builder(bundle, versions, jurisdiction)
    by_scope: dict[str, list[ConsentEvent]] = {}
    for event in sorted(events, key=rules.order_key):
        by_scope.setdefault(event.scope, []).append(event)
    states = rules.states_at(events, generated_at)
    records = []
    for scope in sorted(by_scope):
        history = by_scope[scope]
        records.append(
            {
                "schema_version": SCHEMA_VERSION,
                "profile": PROFILE,
                "record_id": record_id(subject_id, scope),
                "pii_principal_id": str(subject_id),
                "record_state": f"consent_{states[scope].action}" if scope in states else "consent_pending",
                "pii_processing": builder.processing(scope, history[-1]),
                "party_identification": [builder.party()],
                "events": [builder.event(event, subject_id) for event in history],
            }
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "profile": PROFILE,
        "generated_at": _iso(generated_at),
        "pii_principal_id": str(subject_id),
        "records": records,
    }


def export_consents(
    session: Session, subject_id: uuid.UUID, *, at: datetime | None = None, actor: str | None = None
) -> dict[str, Any]:
    """The 27560 document of a subject (and the subjects merged into it) under the policy in force.

    With an ``actor`` the disclosure is written to the audit log (``consent.exported``).

    Raises:
        NotFound: no such subject, or no policy published.
    """
    events = list_events(session, subject_id)  # raises NotFound
    found = session.get_one(Subject, subject_id)
    subject = surviving(session, found) or found
    bundle = bundle_of(require_current_version(session))
    versions = policy_numbers(session, {event.policy_version_id for event in events})
    document = build_records(
        bundle,
        subject_id=subject.id,
        jurisdiction=subject.jurisdiction,
        events=events,
        versions=versions,
        generated_at=at or utcnow(),
    )
    if actor is not None:
        details = {"records": len(document["records"]), "format": "iso-27560"}
        record_event(
            session, actor=actor, action="consent.exported", target_type="subject", target_id=str(subject.id),
            details=details,
        )  # fmt: skip
    return document


def to_json(document: dict[str, Any]) -> str:
    """UTF-8 JSON that keeps Japanese and Chinese as characters."""
    return json.dumps(document, ensure_ascii=False, indent=2)
