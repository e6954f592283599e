"""Processors (APPI Art. 25): register and assess before selection and periodically.

A processor is a party of kind ``processor`` with a profile: its duties from the bundle's list,
whether it is inside the group, its contract, and how often it must be assessed. A processor
abroad needs a foreign-transfer route (adequate country or equivalent measures checked in time).
Sub-processors are in ``subprocessors``, entrustments in ``entrustments``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.consents.decisions.rules import tokyo_date
from mamori.db.base import utcnow
from mamori.errors import NotFound, ValidationFailed
from mamori.policy.schema import PolicyBundle
from mamori.policy.service import bundle_of, require_current_version
from mamori.provisions import rules
from mamori.provisions.models import Assessment, Party, ProcessorProfile
from mamori.provisions.parties import PartyInput, measures_of, register_party, resolve_party

KINDS, RESULTS = ("pre_selection", "periodic"), ("pass", "conditional", "fail")
Errors = list[dict[str, str]]


def invalid(message: str, errors: Errors) -> ValidationFailed:
    return ValidationFailed(f"{message}; nothing was recorded", details={"errors": errors})


@dataclass(frozen=True, slots=True)
class ProcessorInput:
    key: str
    duties: Sequence[str]
    in_group: bool = False
    contract_start: date | None = None
    contract_end: date | None = None
    assessment_interval: str = "P1Y"
    party: PartyInput | None = None  # for a processor the bundle does not declare


def _profile_errors(bundle: PolicyBundle, data: ProcessorInput) -> Errors:
    duties = {d.id for d in bundle.outsourcing.duties}
    errors: Errors = [
        {"field": f"duties[{i}]", "message": f"undeclared duty {d!r}"}
        for i, d in enumerate(data.duties)
        if d not in duties
    ]
    if not data.duties:
        errors.append({"field": "duties", "message": "name at least one duty of the policy"})
    if data.contract_start and data.contract_end and data.contract_end <= data.contract_start:
        errors.append({"field": "contract_end", "message": "must be after contract_start"})
    try:
        rules.period_after(date(2000, 1, 1), data.assessment_interval)
    except ValueError:
        errors.append({"field": "assessment_interval", "message": "an ISO 8601 period such as P1Y or P6M"})
    return errors


def route_errors(party: Party, today: date, field: str = "country") -> Errors:
    """A processor abroad needs an adequate country or equivalent measures whose check is not overdue."""
    verdict = rules.foreign_route(party.country, measures_of(party), today)
    if not verdict.per_person_consent:
        return []
    message = (
        verdict.problem
        or "a processor abroad needs equivalent measures (measures_basis, measures_checked_on)"
    )
    return [{"field": field, "message": message}]


def register_processor(session: Session, *, actor: str, data: ProcessorInput) -> ProcessorProfile:
    """Register a processor (or complete the profile of one the bundle declares).

    Raises:
        ValidationFailed: unknown duty, bad dates or interval, no foreign route (fields named).
    """
    bundle = bundle_of(require_current_version(session))
    errors = _profile_errors(bundle, data)
    party = resolve_party(session, data.key, bundle=bundle)
    if party is None and data.party is None:
        errors.append({"field": "key", "message": f"no processor {data.key!r}; give its party details"})
    elif party is not None and party.kind != rules.PROCESSOR:
        errors.append({"field": "key", "message": f"{data.key!r} is a {party.kind}, not a processor"})
    if errors:
        raise invalid("the processor is not valid", errors)
    if party is None and data.party is not None:
        party = register_party(session, actor=actor, data=data.party)
    assert party is not None  # noqa: S101 - guaranteed by the checks above
    if errors := route_errors(party, tokyo_date(utcnow())):
        raise invalid("the processor has no foreign-transfer route", errors)
    profile = session.get(ProcessorProfile, party.id) or ProcessorProfile(party_id=party.id)
    profile.duties, profile.in_group = list(data.duties), data.in_group
    profile.contract_start, profile.contract_end = data.contract_start, data.contract_end
    profile.assessment_interval = data.assessment_interval
    session.add(profile)
    session.flush()
    _audit(
        session, actor, "processor.registered", party, {"duties": profile.duties, "in_group": data.in_group}
    )
    return profile


def _audit(session: Session, actor: str, action: str, party: Party, details: Mapping[str, object]) -> None:
    record_event(
        session, actor=actor, action=action, target_type="party", target_id=party.key, details=details
    )


def require_processor(session: Session, key: str) -> tuple[Party, ProcessorProfile]:
    """The processor and its profile (a bundle processor gets a default profile on first use).

    Raises:
        NotFound: no processor with that key.
    """
    bundle = bundle_of(require_current_version(session))
    party = resolve_party(session, key, bundle=bundle)
    if party is None or party.kind != rules.PROCESSOR:
        raise NotFound(f"no processor {key!r}")
    profile = session.get(ProcessorProfile, party.id)
    if profile is None:
        declared = next((p for p in bundle.outsourcing.processors if p.id == key), None)
        if declared is None:  # a party of kind processor registered without a profile
            raise NotFound(f"{key!r} has no processor profile: register it as a processor first")
        profile = ProcessorProfile(party_id=party.id, duties=list(declared.duties), in_group=False)
        session.add(profile)
        session.flush()
    return party, profile


def list_processors(session: Session) -> list[tuple[Party, ProcessorProfile]]:
    bundle = bundle_of(require_current_version(session))
    for processor in bundle.outsourcing.processors:
        require_processor(session, processor.id)
    stmt = select(Party, ProcessorProfile).join(ProcessorProfile, ProcessorProfile.party_id == Party.id)
    return [(party, profile) for party, profile in session.execute(stmt.order_by(Party.key))]


def record_assessment(  # noqa: PLR0913 - the facts of an assessment
    session: Session,
    *,
    actor: str,
    processor: str,
    kind: str,
    assessed_on: date,
    result: str,
    evidence_ref: str,
) -> Assessment:
    """Record an assessment before selection or a periodic one, with its result and evidence."""
    party, _ = require_processor(session, processor)
    errors: Errors = []
    if kind not in KINDS:
        errors.append({"field": "kind", "message": "pre_selection or periodic"})
    if result not in RESULTS:
        errors.append({"field": "result", "message": "pass, conditional or fail"})
    if not evidence_ref.strip() or len(evidence_ref) > 500:  # noqa: PLR2004
        errors.append({"field": "evidence_ref", "message": "where the evidence is kept (1 to 500)"})
    if assessed_on > tokyo_date(utcnow()):
        errors.append({"field": "assessed_on", "message": "is in the future"})
    if errors:
        raise invalid("the assessment is not valid", errors)
    assessment = Assessment(processor_id=party.id, kind=kind, assessed_on=assessed_on, result=result)
    assessment.evidence_ref, assessment.assessor = evidence_ref.strip(), actor
    session.add(assessment)
    session.flush()
    _audit(
        session,
        actor,
        "processor.assessed",
        party,
        {"assessment_id": str(assessment.id), "kind": kind, "result": result},
    )
    return assessment


def last_assessments(session: Session) -> dict[uuid.UUID, Assessment]:
    latest: dict[uuid.UUID, Assessment] = {}
    for item in session.scalars(select(Assessment).order_by(Assessment.assessed_on, Assessment.created_at)):
        latest[item.processor_id] = item
    return latest


@dataclass(frozen=True, slots=True)
class Overdue:
    processor: str
    last_assessed_on: date | None
    due_on: date | None
    days_overdue: int | None


def overdue_assessments(session: Session, *, today: date | None = None) -> list[Overdue]:
    """Processors never assessed, or whose periodic assessment is past due."""
    today = today or tokyo_date(utcnow())
    latest = last_assessments(session)
    found: list[Overdue] = []
    for party, profile in list_processors(session):
        last = latest.get(party.id)
        if last is None:
            found.append(Overdue(party.key, None, None, None))
            continue
        due = rules.period_after(last.assessed_on, profile.assessment_interval)
        if due < today:
            found.append(Overdue(party.key, last.assessed_on, due, (today - due).days))
    return found
