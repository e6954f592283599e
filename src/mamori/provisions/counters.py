"""PIPL cross-border counters: persons of PIPL jurisdiction whose data left China, per calendar year.

A person counts when a provision of the year sent their data to a recipient outside China.
Sensitive and non-sensitive are counted apart (CAC provisions of 2024): a provision carrying a
PIPL-sensitive item counts the person as sensitive, one carrying any other item as non-sensitive
(a provision with both counts the person in both). Years are calendar years in Asia/Tokyo.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.consents.decisions.rules import tokyo_date
from mamori.db.base import utcnow
from mamori.policy.service import bundle_of, require_current_version
from mamori.provisions import rules
from mamori.provisions.models import Provision, ProvisionRecord
from mamori.subjects.models import Subject

PIPL_HOME = "CN"


@dataclass(frozen=True, slots=True)
class PiplCounters:
    year: int
    non_sensitive: int
    sensitive: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "non_sensitive_persons": self.non_sensitive,
            "sensitive_persons": self.sensitive,
            "obligation": rules.pipl_obligation(self.non_sensitive, self.sensitive),
            "thresholds": {
                "non_sensitive_exempt_below": rules.NON_SENSITIVE_EXEMPT,
                "non_sensitive_security_assessment_from": rules.NON_SENSITIVE_ASSESSMENT,
                "sensitive_security_assessment_from": rules.SENSITIVE_ASSESSMENT,
                "sensitive_standard_contract_below": rules.SENSITIVE_ASSESSMENT,
            },
            "notes": "separate consent and a personal-information impact assessment are always needed",
        }


def _persons(session: Session, provision_ids: Sequence[uuid.UUID]) -> int:
    if not provision_ids:
        return 0
    stmt = (
        select(func.count(func.distinct(ProvisionRecord.subject_id)))
        .join(Subject, Subject.id == ProvisionRecord.subject_id)
        .where(ProvisionRecord.provision_id.in_(provision_ids), Subject.jurisdiction == PIPL_HOME)
    )
    return int(session.scalar(stmt) or 0)


def pipl_counters(session: Session, *, year: int | None = None, now: datetime | None = None) -> PiplCounters:
    """The counters of ``year`` (default: the current year in Asia/Tokyo)."""
    year = year or tokyo_date(now or utcnow()).year
    start, end = rules.tokyo_year_bounds(year)
    sensitive_items = {
        i.id for i in bundle_of(require_current_version(session)).data_items if i.pipl_sensitive
    }
    stmt = select(Provision.id, Provision.items).where(
        Provision.provided_at >= start, Provision.provided_at < end, Provision.country != PIPL_HOME
    )
    plain: list[uuid.UUID] = []
    sensitive: list[uuid.UUID] = []
    for provision_id, items in session.execute(stmt):
        if set(items) & sensitive_items:
            sensitive.append(provision_id)
        if set(items) - sensitive_items:
            plain.append(provision_id)
    return PiplCounters(year, _persons(session, plain), _persons(session, sensitive))
