"""Load what the rules need, set-wise: one query per table for a whole batch of subjects."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.consents.decisions.rules import (
    LEGAL_REPRESENTATIVES,
    ConsentFact,
    PolicyFacts,
    RelationshipFact,
    SubjectFacts,
    SuspensionFact,
    latest_states,
    merge_categories,
)
from mamori.consents.models import ConsentEvent, ConsentState, UsageSuspension
from mamori.policy.changes.history import baselines
from mamori.policy.models import PolicyVersion, check_content
from mamori.policy.schema import PolicyBundle
from mamori.policy.service import current_version
from mamori.subjects.models import Subject, SubjectCategory, SubjectIdentifier, SubjectRelationship

CHUNK = 5_000  # bound parameters per IN list (SQLite allows 32,766)
_POLICIES: dict[uuid.UUID, PolicyFacts] = {}


def policy_facts(session: Session, version: PolicyVersion) -> PolicyFacts:
    """The rules' view of a published version, parsed once per process (versions are immutable).

    It includes which purposes the versions up to it widened (:mod:`mamori.policy.changes.history`).
    """
    facts = _POLICIES.get(version.id)
    if facts is None:
        bundle = PolicyBundle.model_validate(version.content)
        facts = PolicyFacts.of(bundle, version.number, baselines(_history(session, version.number)))
        if len(_POLICIES) > 32:  # noqa: PLR2004 - a handful of versions are live at once
            _POLICIES.clear()
        _POLICIES[version.id] = facts
    return facts


def policy_on(session: Session, day: date) -> PolicyFacts | None:
    """The rules' view of the version in force on ``day``; the content is read only when not cached."""
    stmt = (
        select(PolicyVersion.id)
        .where(PolicyVersion.effective_date <= day)
        .order_by(PolicyVersion.number.desc())
        .limit(1)
    )
    version_id = session.scalar(stmt)
    if version_id is None:
        return None
    cached = _POLICIES.get(version_id)
    if cached is not None:
        return cached
    version = current_version(session, on=day)
    return None if version is None else policy_facts(session, version)


def _history(session: Session, number: int) -> list[tuple[int, date, dict[str, Any]]]:
    """(number, effective date, content) of every version up to ``number``, each checked against its hash."""
    stmt = select(
        PolicyVersion.number, PolicyVersion.effective_date, PolicyVersion.content, PolicyVersion.content_hash
    ).where(PolicyVersion.number <= number)
    history = []
    for row_number, day, content, stored_hash in session.execute(stmt.order_by(PolicyVersion.number)):
        check_content(row_number, content, stored_hash)
        history.append((row_number, day, content))
    return history


def version_numbers(session: Session) -> dict[uuid.UUID, int]:
    """Version id → number (a handful of rows), to tell which version a consent was given under."""
    rows = session.execute(select(PolicyVersion.id, PolicyVersion.number))
    return {version_id: number for version_id, number in rows}  # noqa: C416 - rows, not pairs


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _rows(session: Session, stmt: Any, column: Any, ids: Iterable[Any]) -> Iterator[Any]:
    for part in chunks(list(ids)):
        yield from session.execute(stmt.where(column.in_(part)))


@dataclass(frozen=True, slots=True)
class SubjectRow:
    id: uuid.UUID
    status: str
    jurisdiction: str
    date_of_birth: date | None
    merged_into_id: uuid.UUID | None


_SUBJECT_COLS = select(
    Subject.id, Subject.status, Subject.jurisdiction, Subject.date_of_birth, Subject.merged_into_id
)


def survivors(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, SubjectRow]:
    """For each known id, the subject it resolves to (itself, or the end of its merge chain)."""
    rows: dict[uuid.UUID, SubjectRow] = {}
    wanted = set(ids)
    while wanted:
        found = [SubjectRow(*row) for row in _rows(session, _SUBJECT_COLS, Subject.id, wanted)]
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


def identifier_owners(
    session: Session, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], set[uuid.UUID]]:
    """(kind, blind index) → the subjects holding that identifier (before following merges)."""
    wanted = set(keys)
    stmt = select(SubjectIdentifier.kind, SubjectIdentifier.blind_index, SubjectIdentifier.subject_id)
    owners: dict[tuple[str, str], set[uuid.UUID]] = defaultdict(set)
    for kind, index, subject_id in _rows(
        session, stmt, SubjectIdentifier.blind_index, {k[1] for k in wanted}
    ):
        if (kind, index) in wanted:
            owners[kind, index].add(subject_id)
    return owners


def merge_groups(session: Session, roots: Iterable[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Every subject id of the groups → its root: the roots and all subjects merged into them."""
    group = {root: root for root in roots}
    frontier = list(group)
    stmt = select(Subject.id, Subject.merged_into_id)
    while frontier:
        found = [
            (i, into) for i, into in _rows(session, stmt, Subject.merged_into_id, frontier) if i not in group
        ]
        for member, into in found:
            group[member] = group[into]
        frontier = [member for member, _ in found]
    return group


def load_facts(
    session: Session, roots: Sequence[SubjectRow], *, as_of: datetime | None = None
) -> dict[uuid.UUID, SubjectFacts]:
    """The facts of each surviving subject, its merged subjects' histories included.

    ``as_of`` (a past instant): consents and suspensions as the ledger held them then, read from
    the append-only events instead of today's projection.
    """
    group = merge_groups(session, [row.id for row in roots])
    return _assemble(session, roots, group, restrict=True, as_of=as_of)


def load_all_facts(session: Session, *, limit: int | None = None) -> dict[uuid.UUID, SubjectFacts]:
    """Every subject's facts (whole-table reads), merged subjects' ids mapped to their survivor's."""
    rows = {row.id: row for row in (SubjectRow(*r) for r in session.execute(_SUBJECT_COLS))}
    roots = [row for row in rows.values() if row.merged_into_id is None][:limit]
    kept = {row.id for row in roots}
    group: dict[uuid.UUID, uuid.UUID] = {}
    for row in rows.values():
        end, seen = row, set()
        while end.merged_into_id is not None and end.merged_into_id in rows and end.id not in seen:
            seen.add(end.id)
            end = rows[end.merged_into_id]
        if end.id in kept:
            group[row.id] = end.id
    facts = _assemble(session, roots, group, restrict=False)
    return {member: facts[root] for member, root in group.items()}


def _select(
    session: Session, stmt: Any, column: Any, group: dict[uuid.UUID, uuid.UUID], *, restrict: bool
) -> Iterator[Any]:
    if restrict:
        yield from _rows(session, stmt, column, list(group))
        return
    for row in session.execute(stmt.execution_options(yield_per=100_000)):
        if row[0] in group:
            yield row


def _consent_stmt(as_of: datetime | None) -> Any:
    """Today's projection, or the events the ledger held at ``as_of`` (recorded and occurred by then)."""
    if as_of is None:
        return select(
            ConsentState.subject_id,
            ConsentState.scope,
            ConsentState.action,
            ConsentState.occurred_at,
            ConsentState.expires_at,
            ConsentState.separate,
            ConsentState.on_behalf_by_id,
            ConsentEvent.policy_version_id,
        ).join(ConsentEvent, ConsentEvent.id == ConsentState.event_id)
    return select(
        ConsentEvent.subject_id,
        ConsentEvent.scope,
        ConsentEvent.action,
        ConsentEvent.occurred_at,
        ConsentEvent.expires_at,
        ConsentEvent.separate,
        ConsentEvent.on_behalf_by_id,
        ConsentEvent.policy_version_id,
    ).where(ConsentEvent.recorded_at <= as_of, ConsentEvent.occurred_at <= as_of)


def _suspension_stmt(as_of: datetime | None) -> Any:
    stmt = select(
        UsageSuspension.subject_id,
        UsageSuspension.id,
        UsageSuspension.scope,
        UsageSuspension.starts_at,
        UsageSuspension.ends_at,
        UsageSuspension.lifted_at,
    )
    # A suspension recorded later was unknown then, whatever its start; a lift later is seen by
    # SuspensionFact.active, which compares lifted_at with the instant.
    return stmt if as_of is None else stmt.where(UsageSuspension.created_at <= as_of)


def _assemble(
    session: Session,
    roots: Sequence[SubjectRow],
    group: dict[uuid.UUID, uuid.UUID],
    *,
    restrict: bool,
    as_of: datetime | None = None,
) -> dict[uuid.UUID, SubjectFacts]:
    categories: dict[uuid.UUID, list[tuple[str, datetime]]] = defaultdict(list)
    stmt: Any = select(SubjectCategory.subject_id, SubjectCategory.category, SubjectCategory.collected_at)
    for subject_id, category, collected_at in _select(
        session, stmt, SubjectCategory.subject_id, group, restrict=restrict
    ):
        categories[group[subject_id]].append((category, collected_at))
    states: dict[uuid.UUID, list[ConsentFact]] = defaultdict(list)
    stmt = _consent_stmt(as_of)
    column = ConsentState.subject_id if as_of is None else ConsentEvent.subject_id
    numbers = version_numbers(session)
    for subject_id, scope, action, occurred, expires, separate, by, version_id in _select(
        session, stmt, column, group, restrict=restrict
    ):
        fact = ConsentFact(scope, action, occurred, expires, separate, by, numbers.get(version_id))
        states[group[subject_id]].append(fact)
    suspensions: dict[uuid.UUID, list[SuspensionFact]] = defaultdict(list)
    stmt = _suspension_stmt(as_of)
    for subject_id, *suspension in _select(
        session, stmt, UsageSuspension.subject_id, group, restrict=restrict
    ):
        suspensions[group[subject_id]].append(SuspensionFact(*suspension))
    relationships: dict[uuid.UUID, list[RelationshipFact]] = defaultdict(list)
    stmt = select(
        SubjectRelationship.subject_id,
        SubjectRelationship.related_subject_id,
        SubjectRelationship.kind,
        SubjectRelationship.valid_from,
        SubjectRelationship.valid_until,
    ).where(SubjectRelationship.kind.in_(sorted(LEGAL_REPRESENTATIVES)))
    for subject_id, *relationship in _select(
        session, stmt, SubjectRelationship.subject_id, group, restrict=restrict
    ):
        relationships[group[subject_id]].append(RelationshipFact(*relationship))
    return {
        row.id: SubjectFacts(
            id=row.id,
            status=row.status,
            jurisdiction=row.jurisdiction,
            date_of_birth=row.date_of_birth,
            categories=merge_categories(categories.get(row.id, ())),
            consents=latest_states(states.get(row.id, ())),
            suspensions=tuple(suspensions.get(row.id, ())),
            relationships=tuple(relationships.get(row.id, ())),
        )
        for row in roots
    }
