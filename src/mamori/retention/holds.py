"""Legal holds: what a sweep must keep although its retention has passed.

A request in progress (a case not closed, rejected or withdrawn) holds the records of its subject
and of its requester's e-mail; an incident in progress (open or contained) holds the records of
its subjects; a manual hold holds a person's records (by identity) or a whole dataset (for
example the footage of a camera under investigation). Persons' records are found with the same
traversal as a request's fulfillment, so held keys are exactly the rows an erasure would reach.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.dsr.models import Case
from mamori.dsr.rules import OPEN_STATES
from mamori.dsr.service.common import EMAIL_CONTEXT
from mamori.errors import NotFound, ValidationFailed
from mamori.fulfillment.connectors.base import Connector, Key
from mamori.fulfillment.identities import SUBJECT_KIND, expand_subjects, identity_map
from mamori.fulfillment.rules import Graph
from mamori.fulfillment.traversal import traverse
from mamori.incidents.models import Incident, IncidentSubject
from mamori.policy.schema import PolicyBundle
from mamori.retention.models import RetentionHold
from mamori.security.crypto import FieldCipher

HOLD_CONTEXT = "retention_holds.identities"
INCIDENT_OPEN = ("open", "contained")


@dataclass
class Holds:
    """Held datasets (with the reasons) and held primary keys per (system, dataset)."""

    datasets: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    keys: dict[tuple[str, str], set[Key]] = field(default_factory=dict)
    sources: Counter[str] = field(default_factory=Counter)
    failed: dict[str, str] = field(default_factory=dict)

    def held_keys(self, system: str, dataset: str) -> set[Key]:
        return self.keys.get((system, dataset), set())

    def summary(self) -> dict[str, object]:
        return {
            "sources": dict(sorted(self.sources.items())),
            "datasets": sorted(f"{s}.{d}" for s, d in self.datasets),
            "keys": sum(len(k) for k in self.keys.values()),
        }


def place_hold(  # noqa: PLR0913 - the fields of a hold
    session: Session,
    cipher: FieldCipher,
    *,
    actor: str,
    reason: str,
    system: str | None = None,
    dataset: str | None = None,
    identities: Mapping[str, list[str]] | None = None,
) -> RetentionHold:
    """Hold a whole dataset, or a person's records by identity (values stored encrypted).

    Raises:
        ValidationFailed: no reason, neither a dataset nor identities, or both.
    """
    idents = identity_map(identities or {})
    if not reason.strip():
        raise ValidationFailed(
            "a hold needs a reason", details={"errors": [{"field": "reason", "message": "required"}]}
        )
    if bool(idents) == bool(system and dataset):
        raise ValidationFailed(
            "a hold names either a dataset (system and dataset) or identities",
            details={"errors": [{"field": "identities", "message": "give a dataset or identities"}]},
        )
    hold = RetentionHold(
        id=uuid.uuid4(),
        reason=reason.strip()[:500],
        system=system,
        dataset=dataset,
        identity_kinds=sorted(idents),
        identities_encrypted=cipher.encrypt(json.dumps(idents, ensure_ascii=False), context=HOLD_CONTEXT)
        if idents
        else None,
        created_by=actor,
    )
    session.add(hold)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="retention.hold_placed",
        target_type="retention_hold",
        target_id=str(hold.id),
        details={"dataset": f"{system}.{dataset}" if system else None, "identity_kinds": hold.identity_kinds},
    )
    return hold


def release_hold(session: Session, *, actor: str, hold_id: uuid.UUID) -> RetentionHold:
    hold = session.get(RetentionHold, hold_id)
    if hold is None or hold.released_at is not None:
        raise NotFound("no such active hold")
    from mamori.db.base import utcnow

    hold.released_at = utcnow()
    hold.released_by = actor
    record_event(
        session,
        actor=actor,
        action="retention.hold_released",
        target_type="retention_hold",
        target_id=str(hold.id),
    )
    return hold


def active_holds(session: Session) -> list[RetentionHold]:
    return list(
        session.scalars(
            select(RetentionHold)
            .where(RetentionHold.released_at.is_(None))
            .order_by(RetentionHold.created_at)
        )
    )


def resolve_holds(
    session: Session, bundle: PolicyBundle, cipher: FieldCipher, connectors: Mapping[str, Connector]
) -> Holds:
    """Every hold in force now, as datasets and primary keys in the mapped systems."""
    holds = Holds()
    identities: dict[str, list[str]] = {}
    for hold in active_holds(session):
        holds.sources["manual"] += 1
        if hold.system and hold.dataset:
            holds.datasets.setdefault((hold.system, hold.dataset), []).append("manual")
        elif hold.identities_encrypted:
            _merge(identities, json.loads(cipher.decrypt(hold.identities_encrypted, context=HOLD_CONTEXT)))
    subjects: list[str] = []
    for case in session.scalars(select(Case).where(Case.state.in_([str(s) for s in OPEN_STATES]))):
        holds.sources["request"] += 1
        if case.subject_id is not None:
            subjects.append(str(case.subject_id))
        if case.requester_email_encrypted:
            _merge(
                identities, {"email": [cipher.decrypt(case.requester_email_encrypted, context=EMAIL_CONTEXT)]}
            )
    rows = session.execute(
        select(IncidentSubject.subject_id, Incident.id)
        .join(Incident, Incident.id == IncidentSubject.incident_id)
        .where(Incident.state.in_(INCIDENT_OPEN))
    ).all()
    holds.sources["incident"] += len({incident for _, incident in rows})
    subjects += [str(subject) for subject, _ in rows]
    if subjects:
        _merge(identities, {SUBJECT_KIND: subjects})
    _find_keys(session, bundle, cipher, connectors, identities, holds)
    return holds


def _find_keys(  # noqa: PLR0913 - the traversal's inputs
    session: Session,
    bundle: PolicyBundle,
    cipher: FieldCipher,
    connectors: Mapping[str, Connector],
    identities: dict[str, list[str]],
    holds: Holds,
) -> None:
    if not identities or not bundle.datamap:
        return
    graph = Graph(bundle.datamap)
    mapped = {f.identity for s in bundle.datamap for d in s.datasets for f in d.fields if f.identity}
    expand_subjects(session, identities, cipher, mapped)
    found = traverse(graph, connectors, graph.seeds(identities))
    holds.failed.update(found.failed)
    for place, rows in found.rows.items():
        if rows:
            holds.keys.setdefault(place, set()).update(rows)


def _merge(into: dict[str, list[str]], more: Mapping[str, list[str]]) -> None:
    for kind, values in more.items():
        for value in values:
            if value not in into.setdefault(kind, []):
                into[kind].append(value)
