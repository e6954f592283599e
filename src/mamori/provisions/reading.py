"""Reading records for a purpose: one provision with its persons, or a person's records.

Who got whose data is personal data: every read names a purpose declared for a category of the
persons concerned and is audited in the caller's transaction. A refusal is audited too, before
PolicyViolation is raised; entry points commit it so that the refusal is kept.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from mamori.audit.service import record_event
from mamori.config import Settings
from mamori.errors import NotFound, PolicyViolation
from mamori.policy.service import bundle_of, require_current_version
from mamori.provisions.models import Provision, ProvisionRecord
from mamori.provisions.service import SubjectRecord, list_records_for_subject
from mamori.security.crypto import cipher_from_settings
from mamori.subjects.models import Subject, SubjectCategory
from mamori.subjects.repository import require_group

MAX_PERSONS = 10_000  # persons of one provision listed per read (page with offset)


@dataclass(frozen=True, slots=True)
class ProvisionPerson:
    """A person the provision handed data over for, with how long the record is kept."""

    record_id: uuid.UUID
    subject_id: uuid.UUID
    consent_event_id: uuid.UUID | None
    retention_end: datetime


@dataclass(frozen=True, slots=True)
class ProvisionView:
    """One provision as recorded: ``retention_end`` is the latest of its persons' (None when none left)."""

    provision: Provision
    justification: str | None
    retention_end: datetime | None
    persons_total: int
    persons: list[ProvisionPerson]


def _allowed(session: Session, subjects: Select[Any]) -> set[str]:
    """Purposes declared for a category of these persons (any purpose of the policy when there are none)."""
    bundle = bundle_of(require_current_version(session))
    stmt = select(SubjectCategory.category).where(SubjectCategory.subject_id.in_(subjects)).distinct()
    mine = set(session.scalars(stmt))
    if not mine and not session.scalar(select(subjects.exists())):
        return set(bundle.purposes())
    return {p.id for c in bundle.subject_categories if c.id in mine for p in c.purposes}


def _require_purpose(  # noqa: PLR0913 - who reads what for which purpose
    session: Session, *, actor: str, purpose: str, subjects: Select[Any], action: str, target: tuple[str, str]
) -> None:
    if purpose in _allowed(session, subjects):
        return
    known = purpose in bundle_of(require_current_version(session)).purposes()
    reason = "declared-for-other-categories" if known else "unknown-purpose"
    record_event(
        session, actor=actor, action=f"{action}_refused", target_type=target[0], target_id=target[1],
        details={"purpose": purpose, "reason": reason},
    )  # fmt: skip
    message = (
        f"purpose {purpose!r} is not declared for any category of the persons concerned"
        if known
        else f"purpose {purpose!r} is not in the current policy"
    )
    raise PolicyViolation(message, details={"errors": [{"field": "purpose", "message": message}]})


def read_provision(  # noqa: PLR0913 - the read and its page
    session: Session,
    settings: Settings,
    *,
    actor: str,
    provision_id: uuid.UUID,
    purpose: str,
    limit: int = 1_000,
    offset: int = 0,
) -> ProvisionView:
    """One provision with its recipient as it was, its basis, items and persons (a page of them).

    Raises:
        NotFound: no such provision. PolicyViolation: the purpose is unknown or not declared for
            the persons concerned (the refusal is audited).
    """
    provision = session.get(Provision, provision_id)
    if provision is None:
        raise NotFound(f"no provision {provision_id}")
    of_provision = select(ProvisionRecord.subject_id).where(ProvisionRecord.provision_id == provision.id)
    _require_purpose(
        session, actor=actor, purpose=purpose, subjects=of_provision, action="provision.read",
        target=("provision", str(provision.id)),
    )  # fmt: skip
    total, end = session.execute(
        select(func.count(), func.max(ProvisionRecord.retention_end)).where(
            ProvisionRecord.provision_id == provision.id
        )
    ).one()
    rows = session.execute(
        select(
            ProvisionRecord.id, ProvisionRecord.subject_id, ProvisionRecord.consent_event_id,
            ProvisionRecord.retention_end,
        )
        .where(ProvisionRecord.provision_id == provision.id)
        .order_by(ProvisionRecord.subject_id)
        .limit(min(limit, MAX_PERSONS))
        .offset(offset)
    )  # fmt: skip
    persons = [ProvisionPerson(*row) for row in rows]
    justification = None
    if provision.justification_encrypted:
        cipher = cipher_from_settings(settings)
        justification = cipher.decrypt(provision.justification_encrypted, context="provision.justification")
    record_event(
        session, actor=actor, action="provision.read", target_type="provision", target_id=str(provision.id),
        details={"purpose": purpose, "persons": len(persons), "offset": offset},
    )  # fmt: skip
    return ProvisionView(provision, justification, end, int(total), persons)


def read_records_for_subject(
    session: Session, *, actor: str, subject_id: uuid.UUID, purpose: str
) -> list[SubjectRecord]:
    """A person's provision and receipt records (see ``list_records_for_subject``), read for a purpose.

    Raises:
        NotFound: no such subject. PolicyViolation: the purpose is unknown or not declared for the
            person's categories (the refusal is audited).
    """
    group = require_group(session, subject_id)
    _require_purpose(
        session, actor=actor, purpose=purpose, subjects=select(Subject.id).where(Subject.id.in_(group)),
        action="provision_records.read", target=("subject", str(group[0])),
    )  # fmt: skip
    records = list_records_for_subject(session, subject_id)
    record_event(
        session, actor=actor, action="provision_records.read", target_type="subject", target_id=str(group[0]),
        details={"purpose": purpose, "records": len(records)},
    )  # fmt: skip
    return records
