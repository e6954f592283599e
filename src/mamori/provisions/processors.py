"""Processors (APPI Art. 25): register, assess before selection and periodically, entrust items.

A processor is a party of kind ``processor`` with a profile: its duties from the bundle's list,
whether it is inside the group, its contract, and how often it must be assessed. A processor
abroad needs a foreign-transfer route (adequate country or equivalent measures checked in time).
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
from mamori.provisions.models import Assessment, Entrustment, Party, ProcessorProfile, SubProcessor
from mamori.provisions.parties import PartyInput, measures_of, register_party, resolve_party

KINDS, RESULTS = ("pre_selection", "periodic"), ("pass", "conditional", "fail")
Errors = list[dict[str, str]]


def _fail(message: str, errors: Errors) -> ValidationFailed:
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
        raise _fail("the processor is not valid", errors)
    if party is None and data.party is not None:
        party = register_party(session, actor=actor, data=data.party)
    assert party is not None  # noqa: S101 - guaranteed by the checks above
    if errors := route_errors(party, tokyo_date(utcnow())):
        raise _fail("the processor has no foreign-transfer route", errors)
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
        declared = next(p for p in bundle.outsourcing.processors if p.id == key)
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


def add_sub_processor(  # noqa: PLR0913 - the facts of a sub-processor
    session: Session,
    *,
    actor: str,
    processor: str,
    name: str,
    country: str,
    duties: Sequence[str],
    approved_by: str | None = None,
) -> SubProcessor:
    """Record a processor's sub-processor; without ``approved_by`` it is pending approval."""
    party, profile = require_processor(session, processor)
    errors: Errors = []
    if not name.strip() or len(name) > 200:  # noqa: PLR2004 - column size
        errors.append({"field": "name", "message": "1 to 200 characters"})
    errors += [
        {"field": f"duties[{i}]", "message": f"{d!r} is not a duty of {processor!r}"}
        for i, d in enumerate(duties)
        if d not in profile.duties
    ]
    if len(country) != 2 or not country.isupper():  # noqa: PLR2004
        errors.append({"field": "country", "message": "an ISO 3166-1 alpha-2 code"})
    if errors:
        raise _fail("the sub-processor is not valid", errors)
    approved_on = tokyo_date(utcnow()) if approved_by else None
    sub = SubProcessor(processor_id=party.id, name=name.strip(), country=country, duties=list(duties))
    sub.approved_on, sub.approved_by = approved_on, approved_by
    session.add(sub)
    session.flush()
    _audit(
        session,
        actor,
        "sub_processor.added",
        party,
        {"sub_processor_id": str(sub.id), "approved": bool(approved_by)},
    )
    return sub


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
        raise _fail("the assessment is not valid", errors)
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


def _last_assessments(session: Session) -> dict[uuid.UUID, Assessment]:
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
    latest = _last_assessments(session)
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


def entrust(  # noqa: PLR0913 - the facts of an entrustment
    session: Session,
    *,
    actor: str,
    processor: str,
    duty: str,
    items: Sequence[str],
    started_on: date | None = None,
) -> Entrustment:
    """Hand ``items`` to a processor for one of its duties; items the duty does not need are flagged.

    Raises:
        NotFound: no such processor.
        ValidationFailed: unknown item or duty, no passed assessment, no foreign route (fields named).
    """
    party, profile = require_processor(session, processor)
    bundle = bundle_of(require_current_version(session))
    today = tokyo_date(utcnow())
    known = {i.id for i in bundle.data_items}
    errors: Errors = [
        {"field": f"items[{i}]", "message": f"unknown data item {x!r}"}
        for i, x in enumerate(items)
        if x not in known
    ]
    if not items:
        errors.append({"field": "items", "message": "name at least one data item"})
    if duty not in profile.duties:
        errors.append({"field": "duty", "message": f"{duty!r} is not a duty of {processor!r}"})
    last = _last_assessments(session).get(party.id)
    if last is None or last.result == "fail":
        errors.append(
            {"field": "processor", "message": "assess the processor (and pass) before entrusting data"}
        )
    errors += route_errors(party, today, field="processor")
    if errors:
        raise _fail("the entrustment is not valid", errors)
    needed = bundle.provisions.duty_items.get(duty)
    excess = [] if needed is None else [item for item in items if item not in needed]
    route = rules.foreign_route(party.country, measures_of(party), today).route
    entrustment = Entrustment(
        processor_id=party.id, duty=duty, items=list(items), excess_items=excess, route=route,
        started_on=started_on or today, created_by=actor,
    )  # fmt: skip
    session.add(entrustment)
    session.flush()
    details = {
        "entrustment_id": str(entrustment.id),
        "duty": duty,
        "items": list(items),
        "excess_items": excess,
    }
    _audit(session, actor, "entrustment.recorded", party, details)
    return entrustment


def list_entrustments(session: Session, processor: str | None = None) -> list[tuple[Party, Entrustment]]:
    stmt = select(Party, Entrustment).join(Entrustment, Entrustment.processor_id == Party.id)
    if processor is not None:
        stmt = stmt.where(Party.key == processor)
    return [(p, e) for p, e in session.execute(stmt.order_by(Entrustment.started_on, Entrustment.created_at))]
