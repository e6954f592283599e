"""The provision gate: may this data go to this recipient, for whom, and the record of it.

Everything is set-wise: subjects are resolved and their consents, suspensions and relationships
loaded with one query per table per chunk, each person is judged by the pure rules, and the
records go in with bulk inserts, all in the caller's transaction with one audit event.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.config import Settings
from mamori.consents.decisions import facts as loader
from mamori.consents.decisions.rules import PolicyFacts, Reason, SubjectFacts, tokyo_date
from mamori.consents.models import ConsentState
from mamori.db.base import utcnow
from mamori.errors import PolicyViolation, ValidationFailed
from mamori.policy.schema import PolicyBundle
from mamori.policy.sections.cameras import FACE_DATA_REFUSED, face_data_refusal
from mamori.policy.service import bundle_of, require_current_version
from mamori.provisions import rules
from mamori.provisions.bulk import id_chunks, insert_rows
from mamori.provisions.facts import acquired_at, gate_facts, joint_use_history, survivors
from mamori.provisions.models import Party, Provision, ProvisionRecord
from mamori.provisions.parties import measures_of, snapshot
from mamori.provisions.validation import RequestCheck, check_request, unknown_subject_errors
from mamori.security.crypto import cipher_from_settings

AUDIT_ID_LIMIT = 1_000  # refused subject ids listed in the audit event (the counts are always there)


@dataclass(frozen=True, slots=True)
class ProvisionRequest:
    """What the caller asks: ``basis`` is ``consent``, ``joint_use`` or an exception code of the policy."""

    recipient: str
    subjects: Sequence[uuid.UUID]
    items: Sequence[str]
    basis: str
    justification: str | None = None
    approved_by: str | None = None
    purpose: str | None = None
    contract_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Refusal:
    subject_id: uuid.UUID
    reasons: tuple[Reason, ...]


@dataclass
class ProvisionOutcome:
    provision: Provision
    provided: list[uuid.UUID] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    group: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict, repr=False)  # member → root


def provide(
    session: Session,
    settings: Settings,
    *,
    actor: str,
    request: ProvisionRequest,
    now: datetime | None = None,
) -> ProvisionOutcome:
    """Provide data to a recipient for every person allowed; refuse the others, each with reasons.

    Raises:
        ValidationFailed: unknown recipient, basis, item, purpose or subject, empty subject list,
            an exception without justification or approving officer (each field named); nothing written.
        PolicyViolation: opt-out provision, which the policy does not use; nothing written.
    """
    now = now or utcnow()
    judged = _judge_request(session, request, now)
    outcome = judged.outcome
    provision = _store(
        session,
        settings,
        actor,
        request,
        judged.recipient,
        judged.version_id,
        judged.ctx,
        judged.checked,
        outcome,
        now,
    )
    outcome.provision = provision
    _audit(session, actor, provision, outcome)
    return outcome


@dataclass(frozen=True, slots=True)
class ProvisionPreview:
    """What :func:`provide` would do with the same request now: nothing is written, nothing audited."""

    recipient: Party
    route: str
    country: str
    provided: list[uuid.UUID]
    refused: list[Refusal]


def preview(session: Session, request: ProvisionRequest, *, now: datetime | None = None) -> ProvisionPreview:
    """Who the gate would let through and who it would refuse (with reasons), before anything is recorded.

    The same checks and rules as :func:`provide`, so a confirmed form meets the verdict it showed
    unless consents change in between (the recording re-judges everyone).

    Raises:
        ValidationFailed, PolicyViolation: as :func:`provide`.
    """
    judged = _judge_request(session, request, now or utcnow())
    return ProvisionPreview(
        recipient=judged.recipient,
        route=judged.ctx.route.route,
        country=judged.recipient.country,
        provided=judged.outcome.provided,
        refused=judged.outcome.refused,
    )


@dataclass(frozen=True, slots=True)
class _Judged:
    recipient: Party
    version_id: uuid.UUID
    ctx: rules.GateContext
    checked: RequestCheck
    outcome: ProvisionOutcome


def _judge_request(session: Session, request: ProvisionRequest, now: datetime) -> _Judged:
    version = require_current_version(session)
    bundle = bundle_of(version)
    if request.basis == rules.OPT_OUT:
        raise PolicyViolation(
            "opt-out provision (APPI Art. 27(2)) is not used by this policy: provide on consent or "
            "on one of the policy's exceptions; nothing was recorded",
            details={"errors": [{"field": "basis", "message": "opt-out provision is not allowed"}]},
        )
    _refuse_face_data(bundle, request)
    checked = check_request(session, bundle, request)
    recipient = checked.recipient
    roots = _resolve(session, request.subjects)
    policy = loader.policy_facts(session, version)
    ctx = _context(policy, recipient, request, now)
    facts, group = gate_facts(session, list(roots.values()), rules.needed_scopes(ctx))
    beyond = _joint_use_beyond(session, request, group) if request.basis == rules.JOINT_USE else {}
    outcome = _judge(facts, ctx, beyond)
    outcome.group = group
    return _Judged(recipient, version.id, ctx, checked, outcome)


def _refuse_face_data(bundle: PolicyBundle, request: ProvisionRequest) -> None:
    """Face data goes to a joint user or a third party only where the camera register declares it."""
    joint = request.basis == rules.JOINT_USE
    refused = face_data_refusal(bundle.cameras, list(request.items), joint=joint)
    if refused:
        what = "joint use" if joint else "provision to a third party"
        raise PolicyViolation(
            f"face data may not go out by {what}: the policy's camera register does not declare it;"
            " nothing was recorded",
            details={
                "reason": FACE_DATA_REFUSED,
                "errors": [{"field": "items", "message": f"face data: {', '.join(refused)}"}],
            },
        )


def _resolve(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, loader.SubjectRow]:
    resolved = survivors(session, ids)
    if unknown := unknown_subject_errors(ids, resolved):
        raise ValidationFailed("unknown subjects; nothing was recorded", details={"errors": unknown})
    return {row.id: row for row in resolved.values()}


def _context(
    policy: PolicyFacts, recipient: Party, request: ProvisionRequest, now: datetime
) -> rules.GateContext:
    route = rules.foreign_route(recipient.country, measures_of(recipient), tokyo_date(now))
    return rules.GateContext(
        policy=policy,
        basis=request.basis,
        recipient_key=recipient.key,
        recipient_country=recipient.country,
        group_company=recipient.kind == rules.GROUP_COMPANY,
        route=route,
        purpose_scope=f"purpose:{request.purpose}" if request.purpose else None,
        time=now,
    )


def _joint_use_beyond(
    session: Session, request: ProvisionRequest, group: dict[uuid.UUID, uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """Per root, what this joint use adds to the terms made known when the person's data came in."""
    history = joint_use_history(session)
    if not any(rules.joint_use_beyond(t, request.recipient, request.items) for t in history):
        return {}  # every version declared these items and this joint user: nobody needs asking
    found = {}
    for root, at in acquired_at(session, group).items():
        if beyond := rules.joint_use_beyond(rules.terms_at(history, at), request.recipient, request.items):
            found[root] = beyond
    return found


def _judge(
    facts: dict[uuid.UUID, SubjectFacts], ctx: rules.GateContext, beyond: dict[uuid.UUID, list[str]]
) -> ProvisionOutcome:
    outcome = ProvisionOutcome(provision=Provision())
    for subject_id, subject in facts.items():
        reasons = rules.refusals(subject, ctx, beyond.get(subject_id, ()))
        if reasons:
            outcome.refused.append(Refusal(subject_id, tuple(reasons)))
        else:
            outcome.provided.append(subject_id)
    return outcome


def _store(  # noqa: PLR0913 - the parts of one record
    session: Session,
    settings: Settings,
    actor: str,
    request: ProvisionRequest,
    recipient: Party,
    version_id: uuid.UUID,
    ctx: rules.GateContext,
    checked: RequestCheck,
    outcome: ProvisionOutcome,
    now: datetime,
) -> Provision:
    justification = None
    if request.justification:
        cipher = cipher_from_settings(settings)
        justification = cipher.encrypt(request.justification.strip(), context="provision.justification")
    provision = Provision(
        id=uuid.uuid4(),
        recipient_id=recipient.id,
        basis=request.basis,
        art29_record=request.basis == rules.CONSENT,
        items=list(request.items),
        purpose_id=request.purpose,
        country=recipient.country,
        route=ctx.route.route,
        justification_encrypted=justification,
        approved_by=request.approved_by if checked.exception else None,
        contract_ref=request.contract_ref,
        recipient_snapshot=snapshot(recipient),
        policy_version_id=version_id,
        provided_at=now,
        requested=len(outcome.provided) + len(outcome.refused),
        provided=len(outcome.provided),
        refused=len(outcome.refused),
        sensitive=checked.sensitive,
        requested_by=actor,
    )
    session.add(provision)
    session.flush()
    events = _consent_events(session, outcome, ctx) if request.basis == rules.CONSENT else {}
    end = rules.retention_end(now, contract_document=recipient.contract_document)
    rows = [
        {
            "id": uuid.uuid4(),
            "provision_id": provision.id,
            "subject_id": subject_id,
            "consent_event_id": events.get(subject_id),
            "provided_at": now,
            "retention_end": end,
        }
        for subject_id in outcome.provided
    ]
    insert_rows(session, ProvisionRecord.__table__, rows)  # type: ignore[arg-type]
    if recipient.contract_document and outcome.provided:
        _extend_contract_records(session, recipient, outcome.provided, end)
    return provision


def _consent_events(
    session: Session, outcome: ProvisionOutcome, ctx: rules.GateContext
) -> dict[uuid.UUID, uuid.UUID]:
    """The consent event each record relies on: the latest given state of an accepted scope."""
    provided = set(outcome.provided)
    group = {member: root for member, root in outcome.group.items() if root in provided}
    scopes = rules.consent_scopes(ctx)
    stmt = select(ConsentState.subject_id, ConsentState.occurred_at, ConsentState.event_id).where(
        ConsentState.scope.in_(scopes), ConsentState.action == "given"
    )
    best: dict[uuid.UUID, tuple[datetime, uuid.UUID]] = {}
    for cond in id_chunks(session, ConsentState.subject_id, list(group)):
        for member, occurred_at, event_id in session.execute(stmt.where(cond)):
            root = group[member]
            if root not in best or occurred_at > best[root][0]:
                best[root] = (occurred_at, event_id)
    return {root: event_id for root, (_, event_id) in best.items()}


def _extend_contract_records(
    session: Session, recipient: Party, subject_ids: list[uuid.UUID], end: datetime
) -> None:
    """Under a contract document the record is kept 1 year after the *last* provision: move older ends."""
    of_recipient = select(Provision.id).where(Provision.recipient_id == recipient.id)
    for cond in id_chunks(session, ProvisionRecord.subject_id, subject_ids):
        session.execute(
            update(ProvisionRecord)
            .where(
                cond,
                ProvisionRecord.provision_id.in_(of_recipient),
                ProvisionRecord.retention_end < end,
            )
            .values(retention_end=end)
            .execution_options(synchronize_session=False)
        )


def _audit(session: Session, actor: str, provision: Provision, outcome: ProvisionOutcome) -> None:
    reasons = Counter(reason.code for refusal in outcome.refused for reason in refusal.reasons)
    details = {
        "provision_id": str(provision.id),
        "basis": provision.basis,
        "art29_record": provision.art29_record,
        "items": provision.items,
        "country": provision.country,
        "route": provision.route,
        "provided": provision.provided,
        "refused": provision.refused,
        "refusal_reasons": dict(sorted(reasons.items())),
        "refused_subjects": [str(r.subject_id) for r in outcome.refused[:AUDIT_ID_LIMIT]],
    }
    if not provision.art29_record:
        details["approved_by"] = provision.approved_by
        details["justification_encrypted"] = provision.justification_encrypted
        details["note"] = "no APPI Art. 29 record is needed for this basis"
    record_event(
        session,
        actor=actor,
        action="provision.recorded",
        target_type="party",
        target_id=provision.recipient_snapshot["key"],
        details=details,
    )
