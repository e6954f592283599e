"""Register incidents, update their facts as events, link the people affected, move them through states.

Services flush, never commit. Every change appends an ``incident_events`` row (old and new values of
the facts, the reportability after it) and an audit event, in the caller's transaction. Bad input is
refused with ValidationFailed naming each field, and nothing is written.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.errors import InvalidTransition, NotFound, ValidationFailed
from mamori.incidents import repository as repo
from mamori.incidents.models import Incident, IncidentEvent, IncidentSubject
from mamori.incidents.rules import (
    EDITABLE,
    Assessment,
    Certainty,
    FactProblem,
    Facts,
    Kind,
    State,
    UnlawfulPurpose,
    assess,
    check_transition,
    fact_problems,
)
from mamori.incidents.schemas import FactsUpdate, IncidentCreate
from mamori.policy.schema import PolicyBundle
from mamori.policy.service import bundle_of, current_version, require_current_version
from mamori.security.crypto import cipher_from_settings
from mamori.security.mynumber import scrub_optional
from mamori.subjects.models import Subject

HOW_FOUND_CONTEXT = "incidents.how_found"
TARGET = "incident"
CLOCK_SKEW = timedelta(minutes=5)
LIST_FACTS = ("systems", "data_items", "jurisdictions")
PLAIN_FACTS = ("persons_known", "persons_max", "advanced_encryption", "financial_loss_risk",
               "acquiring_data_affected", "pipl_major")  # fmt: skip
COLUMN_FACTS = ("kind", "certainty", "occurred_at")


_PARSED: dict[uuid.UUID, PolicyBundle] = {}
_PARSED_MAX = 8


def bundle(session: Session) -> PolicyBundle:
    """The policy in force (NotFound when none is published), parsed once per published version.

    Published versions never change (their content is hashed), so a parsed bundle can be kept.
    """
    version = require_current_version(session)
    parsed = _PARSED.get(version.id)
    if parsed is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        parsed = _PARSED[version.id] = bundle_of(version)
    return parsed


def assessment_of(facts: Facts, policy: PolicyBundle) -> Assessment:
    special = [item.id for item in policy.data_items if item.special_care]
    return assess(facts, special_care=special, financial_items=policy.incidents.financial_loss_items)


def facts_of(incident: Incident) -> Facts:
    stored = incident.facts
    purpose = stored.get("unlawful_purpose")
    values: dict[str, Any] = {key: tuple(stored.get(key, ())) for key in LIST_FACTS}
    values |= {key: stored[key] for key in PLAIN_FACTS if key in stored}
    return Facts(
        kind=Kind(incident.kind),
        certainty=Certainty(incident.certainty),
        known_at=incident.known_at,
        occurred_at=incident.occurred_at,
        unlawful_purpose=UnlawfulPurpose(purpose) if purpose else None,
        **values,
    )


def _stored(facts: Facts) -> dict[str, Any]:
    values: dict[str, Any] = {key: list(getattr(facts, key)) for key in LIST_FACTS}
    values |= {key: getattr(facts, key) for key in PLAIN_FACTS}
    values["unlawful_purpose"] = str(facts.unlawful_purpose) if facts.unlawful_purpose else None
    return values


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return str(value) if isinstance(value, Kind | Certainty | UnlawfulPurpose) else value


def _refuse(problems: list[FactProblem]) -> None:
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValidationFailed(
            f"the incident is not valid: {first.field}: {first.message}{more}; nothing was written",
            details={"errors": [problem.as_dict() for problem in problems]},
        )


def _subject_problems(session: Session, subject_ids: Iterable[uuid.UUID], field: str) -> list[FactProblem]:
    wanted = list(subject_ids)
    found = set(session.scalars(select(Subject.id).where(Subject.id.in_(wanted)))) if wanted else set()
    return [FactProblem(f"{field}[{i}]", "no such subject") for i, s in enumerate(wanted) if s not in found]


def facts_from(data: IncidentCreate) -> Facts:
    known = data.persons_known or 0
    maximum = data.persons_max if data.persons_max is not None else max(known, 0)
    return Facts(
        kind=data.kind, certainty=data.certainty, known_at=data.known_at, occurred_at=data.occurred_at,
        data_items=tuple(data.data_items or ()), systems=tuple(data.systems or ()),
        persons_known=known, persons_max=maximum,
        advanced_encryption=bool(data.advanced_encryption), unlawful_purpose=data.unlawful_purpose,
        financial_loss_risk=bool(data.financial_loss_risk),
        acquiring_data_affected=bool(data.acquiring_data_affected),
        jurisdictions=tuple(data.jurisdictions or ("JP",)), pipl_major=bool(data.pipl_major),
    )  # fmt: skip


def _systems(policy: PolicyBundle) -> list[str] | None:
    """The data map's system ids, or None when the bundle has no data map (any id is then accepted)."""
    return [system.id for system in policy.datamap] or None


def _future(at: datetime | None, field: str) -> list[FactProblem]:
    if at is not None and at.tzinfo is not None and at > utcnow() + CLOCK_SKEW:
        return [FactProblem(field, "is in the future")]
    return []


def register_incident(session: Session, settings: Settings, actor: str, data: IncidentCreate) -> Incident:
    """Open an incident from what is known now.

    Raises:
        ValidationFailed: a field is wrong (``known_at`` before ``occurred_at``, a negative count, an
            unknown data item, an unknown subject). NotFound: no policy is published.
    """
    policy = bundle(session)
    facts = facts_from(data)
    problems = fact_problems(facts, known_items=[item.id for item in policy.data_items],
                             known_systems=_systems(policy))  # fmt: skip
    problems += _future(data.known_at, "known_at") + _future(data.occurred_at, "occurred_at")
    _refuse(problems + _subject_problems(session, data.subject_ids, "subject_ids"))
    assessment = assessment_of(facts, policy)
    version = current_version(session)
    how_found_text = scrub_optional(data.how_found, session.info)
    incident = Incident(
        id=uuid.uuid4(), reference=_next_reference(session, facts.known_at), state=State.OPEN,
        kind=facts.kind, certainty=facts.certainty, occurred_at=facts.occurred_at, known_at=facts.known_at,
        how_found_encrypted=_encrypt(settings, how_found_text), facts=_stored(facts),
        reportable=assessment.reportable, reportable_since=facts.known_at if assessment.reportable else None,
        policy_version_id=version.id if version else None, created_by=actor,
    )  # fmt: skip
    session.add(incident)
    session.flush()
    _link(session, incident, actor, data.subject_ids)
    changes = {key: [None, _json(value)] for key, value in _stored(facts).items()}
    changes |= {key: [None, _json(getattr(facts, key))] for key in COLUMN_FACTS}
    _event(session, incident, actor, "incident.registered", changes, assessment, facts.known_at)
    return incident


def _encrypt(settings: Settings, text: str | None) -> str | None:
    if not text:
        return None
    return cipher_from_settings(settings).encrypt(text, context=HOW_FOUND_CONTEXT)


def how_found(settings: Settings, incident: Incident) -> str | None:
    if incident.how_found_encrypted is None:
        return None
    return cipher_from_settings(settings).decrypt(incident.how_found_encrypted, context=HOW_FOUND_CONTEXT)


def _next_reference(session: Session, known_at: datetime) -> str:
    """The year's next number; registrations of one year take turns to count.

    Two at once would otherwise count the same incidents and take one number (on SQLite every
    writer takes turns anyway).
    """
    prefix = f"INC-{known_at.year}-"
    repo.lock_reference_year(session, prefix)
    return f"{prefix}{repo.count_in_year(session, prefix) + 1:04d}"


def get_incident(session: Session, incident_id: uuid.UUID) -> Incident:
    found = repo.incident(session, incident_id)
    if found is None:
        raise NotFound(f"no incident {incident_id}")
    return found


def editable_incident(session: Session, incident_id: uuid.UUID) -> Incident:
    incident = get_incident(session, incident_id)
    if State(incident.state) not in EDITABLE:
        raise InvalidTransition(
            f"incident {incident.reference} is {incident.state}; reopen it to change it",
            details={"errors": [{"field": "state", "message": f"is {incident.state}"}]},
        )
    return incident


def _updated(before: Facts, data: FactsUpdate) -> Facts:
    given = data.model_dump(
        exclude_unset=True, exclude={"observed_at", "how_found", "clear_unlawful_purpose"}
    )
    values: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in given.items() if v is not None
    }
    if data.clear_unlawful_purpose:
        values["unlawful_purpose"] = None
    if "persons_known" in values and "persons_max" not in values:
        values["persons_max"] = max(before.persons_max, values["persons_known"])
    return dataclasses.replace(before, **values)


def update_facts(
    session: Session, settings: Settings, actor: str, incident_id: uuid.UUID, data: FactsUpdate
) -> Incident:
    """Record new facts as an event; reportability and clocks follow (a recount past 1,000 starts them).

    Raises:
        ValidationFailed: as for registering, and ``observed_at`` before ``known_at`` or in the future.
        InvalidTransition: the incident is closed or dismissed. NotFound: unknown incident.
    """
    incident = editable_incident(session, incident_id)
    policy = bundle(session)
    before, observed = facts_of(incident), data.observed_at or utcnow()
    after = _updated(before, data)
    problems = fact_problems(after, known_items=[item.id for item in policy.data_items],
                             known_systems=_systems(policy))  # fmt: skip
    if observed.tzinfo is not None and observed < incident.known_at:
        problems.append(FactProblem("observed_at", "is before the day of knowledge (known_at)"))
    _refuse(problems + _future(observed, "observed_at") + _future(after.occurred_at, "occurred_at"))
    changes = _diff(before, after)
    if data.how_found is not None:
        incident.how_found_encrypted = _encrypt(settings, scrub_optional(data.how_found, session.info))
        changes["how_found"] = ["…", "…"]  # changed; the text itself stays encrypted
    if not changes:
        return incident
    assessment = assessment_of(after, policy)
    _apply(incident, after, assessment, observed)
    _event(session, incident, actor, "incident.facts_updated", changes, assessment, observed)
    return incident


def _diff(before: Facts, after: Facts) -> dict[str, list[Any]]:
    keys = (*LIST_FACTS, *PLAIN_FACTS, *COLUMN_FACTS, "unlawful_purpose")
    return {
        key: [_json(getattr(before, key)), _json(getattr(after, key))]
        for key in keys
        if getattr(before, key) != getattr(after, key)
    }


def _apply(incident: Incident, facts: Facts, assessment: Assessment, observed: datetime) -> None:
    if assessment.reportable and not incident.reportable:
        incident.reportable_since = observed
    elif not assessment.reportable:
        incident.reportable_since = None
    incident.reportable = assessment.reportable
    incident.facts = _stored(facts)
    incident.kind, incident.certainty, incident.occurred_at = facts.kind, facts.certainty, facts.occurred_at


def _event(  # noqa: PLR0913 - one event is this many things
    session: Session,
    incident: Incident,
    actor: str,
    action: str,
    changes: Mapping[str, Any],
    assessment: Assessment | None = None,
    observed: datetime | None = None,
) -> None:
    if assessment is None:
        assessment = assessment_of(facts_of(incident), bundle(session))
    triggers = [str(t) for t in assessment.triggers]
    session.add(
        IncidentEvent(
            incident_id=incident.id, seq=repo.next_seq(session, incident.id), action=action,
            changes=dict(changes), reportable=assessment.reportable, triggers=triggers,
            observed_at=observed or utcnow(), actor=actor,
        )
    )  # fmt: skip
    details = {"reference": incident.reference, "fields": sorted(changes),
               "reportable": assessment.reportable, "triggers": triggers}  # fmt: skip
    record_event(session, actor=actor, action=action, target_type=TARGET, target_id=str(incident.id),
                 details=details)  # fmt: skip
    session.flush()


def record(session: Session, incident: Incident, actor: str, action: str, changes: Mapping[str, Any]) -> None:
    """Append an event (report drafted, notice sent, action changed) with the current reportability."""
    _event(session, incident, actor, action, changes)


def _link(
    session: Session, incident: Incident, actor: str, subject_ids: Iterable[uuid.UUID]
) -> list[uuid.UUID]:
    present = repo.linked(session, incident.id)
    added = [s for s in dict.fromkeys(subject_ids) if s not in present]
    session.add_all(IncidentSubject(incident_id=incident.id, subject_id=s, added_by=actor) for s in added)
    session.flush()
    return added


def link_subjects(session: Session, actor: str, incident_id: uuid.UUID, subject_ids: list[uuid.UUID]) -> int:
    """Add people known to be affected; returns how many were new. Raises ValidationFailed for unknown ids."""
    incident = editable_incident(session, incident_id)
    _refuse(_subject_problems(session, subject_ids, "subject_ids"))
    added = _link(session, incident, actor, subject_ids)
    if added:
        record(session, incident, actor, "incident.subjects_linked", {"subjects": [None, len(added)]})
    return len(added)


STATE_ACTIONS = {State.OPEN: "incident.reopened", State.CONTAINED: "incident.contained",
                 State.CLOSED: "incident.closed", State.DISMISSED: "incident.dismissed"}  # fmt: skip


def change_state(session: Session, actor: str, incident_id: uuid.UUID, to: str) -> Incident:
    """Move the incident along the transition table; closing needs reports filed and actions settled.

    Raises:
        InvalidTransition: not allowed from the current state, or closing is blocked (codes in details).
        ValidationFailed: ``to`` is not a state.
    """
    from mamori.incidents.views import closing_blockers

    incident = get_incident(session, incident_id)
    try:
        target = State(to)
    except ValueError:
        _refuse([FactProblem("to", f"must be one of {', '.join(State)}")])
        raise
    check_transition(State(incident.state), target)
    if target == State.CLOSED and (blockers := closing_blockers(session, incident)):
        raise InvalidTransition(
            f"incident {incident.reference} cannot close yet: {', '.join(blockers)}",
            details={"errors": [{"field": "state", "message": code} for code in blockers]},
        )
    before, incident.state = incident.state, target
    incident.closed_at = utcnow() if target == State.CLOSED else None
    record(session, incident, actor, STATE_ACTIONS[target], {"state": [before, str(target)]})
    return incident
