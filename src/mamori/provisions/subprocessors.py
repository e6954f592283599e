"""Sub-processors (APPI Art. 25): a processor's own contractors, used only with prior approval.

A sub-processor is registered under its processor as pending; a privacy officer approves or
refuses it, with the day and the evidence, and may later withdraw an approval (refused). One
abroad needs a foreign-transfer route like any processor: an adequate country, or equivalent
measures whose periodic check is not overdue. Entrustments consult ``facts_of``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.consents.decisions.rules import tokyo_date
from mamori.consents.rules import ISO_COUNTRIES
from mamori.db.base import utcnow
from mamori.errors import NotFound
from mamori.provisions import rules
from mamori.provisions.models import Party, SubProcessor
from mamori.provisions.processors import Errors, invalid, require_processor
from mamori.provisions.validation import officer_errors

Status = rules.SubProcessorStatus
MAX_NAME, MAX_EVIDENCE = 200, 500


@dataclass(frozen=True, slots=True)
class SubProcessorInput:
    name: str
    country: str
    duties: Sequence[str]
    measures_basis: str | None = None
    measures_checked_on: date | None = None
    measures_interval: str | None = None


def measures(sub: SubProcessor) -> rules.Measures | None:
    if sub.measures_basis is None or sub.measures_checked_on is None:
        return None
    return rules.Measures(sub.measures_basis, sub.measures_checked_on, sub.measures_interval or "P1Y")


def route_of(sub: SubProcessor, today: date) -> rules.RouteVerdict:
    return rules.foreign_route(sub.country, measures(sub), today)


def _route_errors(sub: SubProcessor, today: date) -> Errors:
    verdict = route_of(sub, today)
    if not verdict.per_person_consent:
        return []
    message = (
        verdict.problem
        or "a sub-processor abroad needs equivalent measures (measures_basis, measures_checked_on)"
    )
    return [{"field": "country", "message": message}]


def _input_errors(data: SubProcessorInput, duties: Sequence[str], processor: str) -> Errors:
    errors: Errors = []
    if not data.name.strip() or len(data.name) > MAX_NAME:
        errors.append({"field": "name", "message": f"1 to {MAX_NAME} characters"})
    if data.country not in ISO_COUNTRIES:
        errors.append({"field": "country", "message": "an ISO 3166-1 alpha-2 code such as JP or US"})
    if not data.duties:
        errors.append({"field": "duties", "message": "name at least one duty it takes on"})
    errors += [
        {"field": f"duties[{i}]", "message": f"{d!r} is not a duty of {processor!r}"}
        for i, d in enumerate(data.duties)
        if d not in duties
    ]
    if data.measures_basis and data.measures_checked_on is None:
        errors.append({"field": "measures_checked_on", "message": "when were the measures last checked?"})
    if data.measures_interval is not None:
        try:
            rules.period_after(date(2000, 1, 1), data.measures_interval)
        except ValueError:
            errors.append({"field": "measures_interval", "message": "an ISO 8601 period such as P1Y"})
    return errors


def _audit(session: Session, actor: str, action: str, party: Party, sub: SubProcessor) -> None:
    details = {
        "sub_processor_id": str(sub.id), "name": sub.name, "country": sub.country, "duties": sub.duties,
        "status": sub.status, "decided_by": sub.decided_by, "evidence_ref": sub.evidence_ref,
        "decided_on": sub.decided_on.isoformat() if sub.decided_on else None,
    }  # fmt: skip
    record_event(
        session, actor=actor, action=action, target_type="party", target_id=party.key, details=details
    )


def register_sub_processor(
    session: Session, *, actor: str, processor: str, data: SubProcessorInput
) -> SubProcessor:
    """Register a processor's sub-processor, pending approval.

    Raises:
        NotFound: no such processor.
        ValidationFailed: bad name, country or measures, a duty the processor does not have, no
            foreign-transfer route abroad (fields named); nothing is written.
    """
    party, profile = require_processor(session, processor)
    errors = _input_errors(data, profile.duties, processor)
    if errors:
        raise invalid("the sub-processor is not valid", errors)
    sub = SubProcessor(
        id=uuid.uuid4(), processor_id=party.id, name=data.name.strip(), country=data.country,
        duties=list(data.duties), measures_basis=data.measures_basis,
        measures_checked_on=data.measures_checked_on, measures_interval=data.measures_interval,
        status=Status.PENDING, created_by=actor,
    )  # fmt: skip
    if errors := _route_errors(sub, tokyo_date(utcnow())):
        raise invalid("the sub-processor has no foreign-transfer route", errors)
    session.add(sub)
    session.flush()
    _audit(session, actor, "sub_processor.registered", party, sub)
    return sub


def require_sub_processor(session: Session, processor: str, sub_id: uuid.UUID) -> tuple[Party, SubProcessor]:
    """The processor and one of its sub-processors. Raises NotFound for either."""
    party, _ = require_processor(session, processor)
    sub = session.get(SubProcessor, sub_id)
    if sub is None or sub.processor_id != party.id:
        raise NotFound(f"no sub-processor {sub_id} of {processor!r}")
    return party, sub


def decide_sub_processor(  # noqa: PLR0913 - the facts of a decision
    session: Session,
    *,
    actor: str,
    processor: str,
    sub_id: uuid.UUID,
    approve: bool,
    decided_by: str,
    evidence_ref: str,
    decided_on: date | None = None,
) -> SubProcessor:
    """Approve or refuse a pending sub-processor, or withdraw an approval (refuse); audited.

    Raises:
        NotFound: no such processor or sub-processor.
        InvalidTransition: already decided that way, or refused (register it anew).
        ValidationFailed: ``decided_by`` not an active privacy officer or admin, no evidence, a
            future day, or approving one abroad without a route (fields named); nothing is written.
    """
    party, sub = require_sub_processor(session, processor, sub_id)
    target = Status.APPROVED if approve else Status.REFUSED
    rules.check_sub_processor_transition(Status(sub.status), target)
    today = tokyo_date(utcnow())
    errors = officer_errors(session, decided_by, "decided_by")
    if not evidence_ref.strip() or len(evidence_ref) > MAX_EVIDENCE:
        errors.append(
            {"field": "evidence_ref", "message": f"where the evidence is kept (1 to {MAX_EVIDENCE})"}
        )
    if decided_on is not None and decided_on > today:
        errors.append({"field": "decided_on", "message": "is in the future"})
    if approve:
        errors += _route_errors(sub, today)
    if errors:
        raise invalid("the decision is not valid", errors)
    sub.status, sub.decided_by, sub.decided_on = target, decided_by, decided_on or today
    sub.evidence_ref = evidence_ref.strip()
    session.flush()
    _audit(session, actor, f"sub_processor.{target}", party, sub)
    return sub


def list_sub_processors(session: Session, processor: str) -> list[SubProcessor]:
    """A processor's sub-processors, oldest first. Raises NotFound for an unknown processor."""
    party, _ = require_processor(session, processor)
    stmt = select(SubProcessor).where(SubProcessor.processor_id == party.id)
    return list(session.scalars(stmt.order_by(SubProcessor.created_at, SubProcessor.id)))


def facts_of(session: Session, processor_id: uuid.UUID) -> list[rules.SubProcessorFact]:
    """What an entrustment needs to know of the processor's sub-processors."""
    stmt = select(SubProcessor).where(SubProcessor.processor_id == processor_id)
    return [
        rules.SubProcessorFact(str(s.id), s.name, s.status, tuple(s.duties), s.country, measures(s))
        for s in session.scalars(stmt)
    ]
