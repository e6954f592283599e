"""Entrustments (APPI Art. 25, 27(5)(i)): which items go to which processor for which duty.

An entrustment needs a processor assessed with a result other than fail, under a contract in
force on the day it starts, with a foreign-transfer route when abroad, and no sub-processor of
the duty still awaiting approval. Items the duty does not need are flagged, not refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.consents.decisions.rules import tokyo_date
from mamori.db.base import utcnow
from mamori.policy.service import bundle_of, require_current_version
from mamori.provisions import rules
from mamori.provisions.models import Entrustment, Party, ProcessorProfile
from mamori.provisions.parties import measures_of
from mamori.provisions.processors import Errors, invalid, last_assessments, require_processor, route_errors
from mamori.provisions.subprocessors import facts_of


def _contract_errors(profile: ProcessorProfile, day: date) -> Errors:
    if profile.contract_start is not None and day < profile.contract_start:
        message = f"the processor's contract starts on {profile.contract_start.isoformat()}"
        return [{"field": "processor", "message": message}]
    if profile.contract_end is not None and day > profile.contract_end:
        message = f"the processor's contract ended on {profile.contract_end.isoformat()}"
        return [{"field": "processor", "message": message}]
    return []


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
        ValidationFailed: unknown item or duty, no passed assessment, no contract in force, no
            foreign route, a sub-processor of the duty pending approval or abroad without a route
            (fields named); nothing is written.
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
    last = last_assessments(session).get(party.id)
    if last is None or last.result == "fail":
        errors.append(
            {"field": "processor", "message": "assess the processor (and pass) before entrusting data"}
        )
    errors += _contract_errors(profile, started_on or today)
    errors += route_errors(party, today, field="processor")
    reached, problems = rules.sub_processor_reach(facts_of(session, party.id), duty, today)
    errors += [{"field": "duty", "message": problem} for problem in problems]
    if errors:
        raise invalid("the entrustment is not valid", errors)
    needed = bundle.provisions.duty_items.get(duty)
    excess = [] if needed is None else [item for item in items if item not in needed]
    route = rules.foreign_route(party.country, measures_of(party), today).route
    entrustment = Entrustment(
        processor_id=party.id, duty=duty, items=list(items), excess_items=excess, sub_processors=reached,
        route=route, started_on=started_on or today, created_by=actor,
    )  # fmt: skip
    session.add(entrustment)
    session.flush()
    details = {
        "entrustment_id": str(entrustment.id),
        "duty": duty,
        "items": list(items),
        "excess_items": excess,
        "sub_processors": reached,
    }
    record_event(
        session, actor=actor, action="entrustment.recorded", target_type="party", target_id=party.key,
        details=details,
    )  # fmt: skip
    return entrustment


def list_entrustments(session: Session, processor: str | None = None) -> list[tuple[Party, Entrustment]]:
    stmt = select(Party, Entrustment).join(Entrustment, Entrustment.processor_id == Party.id)
    if processor is not None:
        stmt = stmt.where(Party.key == processor)
    return [(p, e) for p, e in session.execute(stmt.order_by(Entrustment.started_on, Entrustment.created_at))]
