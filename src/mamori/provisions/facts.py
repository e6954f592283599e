"""What the gate needs of each person, loaded set-wise.

Subject rows, merges, and only the consent states, suspensions and representatives that can
matter for this provision: one query per table per chunk of 50,000 (PostgreSQL) or 5,000 ids.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.consents.decisions.facts import SubjectRow
from mamori.consents.decisions.rules import (
    LEGAL_REPRESENTATIVES,
    ConsentFact,
    RelationshipFact,
    SubjectFacts,
    SuspensionFact,
    latest_states,
)
from mamori.consents.models import ConsentState, UsageSuspension
from mamori.policy.models import PolicyVersion, check_content
from mamori.provisions.bulk import id_chunks
from mamori.provisions.rules import BLOCKING_SUSPENSIONS, JointUseTerms
from mamori.subjects.models import Subject, SubjectRelationship

_COLS = select(
    Subject.id, Subject.status, Subject.jurisdiction, Subject.date_of_birth, Subject.merged_into_id
)


def survivors(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, SubjectRow]:
    """For each known id, the subject it resolves to (itself, or the end of its merge chain)."""
    rows: dict[uuid.UUID, SubjectRow] = {}
    wanted = set(ids)
    while wanted:
        found = [
            SubjectRow(*row)
            for cond in id_chunks(session, Subject.id, list(wanted))
            for row in session.execute(_COLS.where(cond))
        ]
        rows.update((row.id, row) for row in found)
        wanted = {r.merged_into_id for r in found if r.merged_into_id and r.merged_into_id not in rows}
    resolved: dict[uuid.UUID, SubjectRow] = {}
    for start in ids:
        row, seen = rows.get(start), set()
        while row is not None and row.merged_into_id is not None and row.id not in seen:
            seen.add(row.id)
            row = rows.get(row.merged_into_id)
        if row is not None:
            resolved[start] = row
    return resolved


def merge_groups(session: Session, roots: Iterable[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Every subject id of the groups → its root (the roots and all subjects merged into them)."""
    group = {root: root for root in roots}
    frontier = list(group)
    stmt = select(Subject.id, Subject.merged_into_id)
    while frontier:
        found = [
            (member, into)
            for cond in id_chunks(session, Subject.merged_into_id, frontier)
            for member, into in session.execute(stmt.where(cond))
            if member not in group and into is not None
        ]
        for member, into in found:
            group[member] = group[into]
        frontier = [member for member, _ in found]
    return group


def gate_facts(
    session: Session, roots: Sequence[SubjectRow], scopes: Iterable[str]
) -> tuple[dict[uuid.UUID, SubjectFacts], dict[uuid.UUID, uuid.UUID]]:
    """Each root's facts for the given consent ``scopes``, and the members → root map of the groups."""
    group = merge_groups(session, [row.id for row in roots])
    members = list(group)
    states: dict[uuid.UUID, list[ConsentFact]] = defaultdict(list)
    stmt: Any = select(
        ConsentState.subject_id, ConsentState.scope, ConsentState.action, ConsentState.occurred_at,
        ConsentState.expires_at, ConsentState.separate, ConsentState.on_behalf_by_id,
    ).where(ConsentState.scope.in_(sorted(set(scopes))))  # fmt: skip
    for cond in id_chunks(session, ConsentState.subject_id, members):
        for subject_id, *state in session.execute(stmt.where(cond)):
            states[group[subject_id]].append(ConsentFact(*state))
    suspensions: dict[uuid.UUID, list[SuspensionFact]] = defaultdict(list)
    stmt = select(
        UsageSuspension.subject_id, UsageSuspension.id, UsageSuspension.scope, UsageSuspension.starts_at,
        UsageSuspension.ends_at, UsageSuspension.lifted_at,
    ).where(UsageSuspension.scope.in_(sorted(BLOCKING_SUSPENSIONS)))  # fmt: skip
    for cond in id_chunks(session, UsageSuspension.subject_id, members):
        for subject_id, *suspension in session.execute(stmt.where(cond)):
            suspensions[group[subject_id]].append(SuspensionFact(*suspension))
    relationships: dict[uuid.UUID, list[RelationshipFact]] = defaultdict(list)
    stmt = select(
        SubjectRelationship.subject_id, SubjectRelationship.related_subject_id, SubjectRelationship.kind,
        SubjectRelationship.valid_from, SubjectRelationship.valid_until,
    ).where(SubjectRelationship.kind.in_(sorted(LEGAL_REPRESENTATIVES)))  # fmt: skip
    for cond in id_chunks(session, SubjectRelationship.subject_id, members):
        for subject_id, *relationship in session.execute(stmt.where(cond)):
            relationships[group[subject_id]].append(RelationshipFact(*relationship))
    facts = {
        row.id: SubjectFacts(
            id=row.id, status=row.status, jurisdiction=row.jurisdiction, date_of_birth=row.date_of_birth,
            consents=latest_states(states.get(row.id, ())), suspensions=tuple(suspensions.get(row.id, ())),
            relationships=tuple(relationships.get(row.id, ())),
        )
        for row in roots
    }  # fmt: skip
    return facts, group


def joint_use_history(session: Session) -> list[JointUseTerms]:
    """The joint-use items and joint users of every published version, oldest first."""
    stmt = select(
        PolicyVersion.number, PolicyVersion.published_at, PolicyVersion.effective_date, PolicyVersion.content,
        PolicyVersion.content_hash,
    ).order_by(PolicyVersion.number)  # fmt: skip
    history = []
    for number, published_at, effective, content, stored_hash in session.execute(stmt):
        check_content(number, content, stored_hash)
        joint = content.get("joint_use") or {}
        companies = frozenset(str(c["id"]) for c in joint.get("companies") or [] if isinstance(c, dict))
        history.append(
            JointUseTerms(number, published_at, effective, frozenset(joint.get("items") or []), companies)
        )
    return history


def acquired_at(session: Session, group: dict[uuid.UUID, uuid.UUID]) -> dict[uuid.UUID, datetime]:
    """When each root's data first came in: the earliest creation of a subject of its merge group."""
    first: dict[uuid.UUID, datetime] = {}
    stmt = select(Subject.id, Subject.created_at)
    for cond in id_chunks(session, Subject.id, list(group)):
        for member, created_at in session.execute(stmt.where(cond)):
            root = group[member]
            if root not in first or created_at < first[root]:
                first[root] = created_at
    return first
