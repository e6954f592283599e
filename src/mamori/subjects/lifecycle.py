"""Relationships between subjects, merging two records of one person, and erasure."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.db.base import utcnow
from mamori.errors import Conflict
from mamori.subjects.models import Subject, SubjectCategory, SubjectIdentifier, SubjectRelationship
from mamori.subjects.repository import merged_ids
from mamori.subjects.schemas import RELATIONSHIP_KINDS
from mamori.subjects.service import active, get_subject, resolve
from mamori.subjects.validation import FieldError, refuse


def relate(  # noqa: PLR0913 - a relationship has this many facts
    session: Session,
    actor: str,
    subject_id: uuid.UUID,
    *,
    related_subject_id: uuid.UUID,
    kind: str,
    evidence_ref: str,
    valid_from: date,
    valid_until: date | None = None,
) -> SubjectRelationship:
    """Record that ``related_subject_id`` acts for ``subject_id`` (representative, agent, next of kin).

    Raises:
        NotFound: unknown subject. ValidationFailed: bad kind, empty evidence, dates out of order,
        unknown or same related subject (fields named). Conflict: either subject is erased.
    """
    subject = active(session, subject_id)
    errors = []
    if kind not in RELATIONSHIP_KINDS:
        errors.append(FieldError("kind", f"must be one of {', '.join(RELATIONSHIP_KINDS)}"))
    if not evidence_ref.strip():
        errors.append(FieldError("evidence_ref", "a reference to the evidence is required"))
    if valid_until is not None and valid_until < valid_from:
        errors.append(FieldError("valid_until", "must not be before valid_from"))
    related = session.get(Subject, related_subject_id)
    if related is None:
        errors.append(FieldError("related_subject_id", "no such subject"))
    if errors:
        refuse(errors, "the relationship")
    other = active(session, related_subject_id)
    if other.id == subject.id:
        refuse([FieldError("related_subject_id", "a subject cannot act for itself")], "the relationship")
    row = SubjectRelationship(
        subject_id=subject.id,
        related_subject_id=other.id,
        kind=kind,
        evidence_ref=evidence_ref.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=actor,
    )
    session.add(row)
    session.flush()
    details = {"relationship_id": str(row.id), "kind": kind, "related_subject_id": str(other.id)}
    record_event(
        session, actor=actor, action="subject.related", target_type="subject", target_id=str(subject.id),
        details=details,
    )  # fmt: skip
    return row


@dataclass(frozen=True, slots=True)
class MergePreview:
    """What merging ``source`` into ``target`` would move, before anything is written (no personal data)."""

    source_id: uuid.UUID
    target_id: uuid.UUID
    identifiers: dict[str, int]  # kind → how many of the source's identifiers then lead to the target
    relationships: int  # the source's relationships (either side), which stay and follow the merge
    merged_before: int  # subjects merged into the source earlier, which then lead to the target
    categories_added: list[str]
    categories_earlier: list[str]  # categories both have where the source's collection date is earlier


def _check_merge(source: Subject, target: Subject, session: Session) -> None:
    if source.id == target.id:
        raise Conflict("a subject cannot be merged into itself")
    for role, subject in (("source", source), ("target", target)):
        if subject.status == "merged":
            raise Conflict(f"the {role} {subject.id} is already merged into {subject.merged_into_id}")
        if subject.status == "erased":
            raise Conflict(f"the {role} {subject.id} is erased")
    if source.id in merged_ids(session, target.id):  # pragma: no cover - an active target has no survivor
        raise Conflict("the target is merged into the source")


def merge_preview(session: Session, source_id: uuid.UUID, target_id: uuid.UUID) -> MergePreview:
    """What :func:`merge_subjects` would do; writes nothing. Raises what it raises (NotFound, Conflict)."""
    source, target = get_subject(session, source_id), get_subject(session, target_id)
    _check_merge(source, target, session)
    kinds: dict[str, int] = {}
    for identifier in source.identifiers:
        kinds[identifier.kind] = kinds.get(identifier.kind, 0) + 1
    relationships = session.scalar(
        select(func.count()).where(
            or_(
                SubjectRelationship.subject_id == source.id,
                SubjectRelationship.related_subject_id == source.id,
            )
        )
    )
    have = {c.category: c.collected_at for c in target.categories}
    return MergePreview(
        source_id=source.id,
        target_id=target.id,
        identifiers=dict(sorted(kinds.items())),
        relationships=int(relationships or 0),
        merged_before=len(merged_ids(session, source.id)) - 1,
        categories_added=sorted(c.category for c in source.categories if c.category not in have),
        categories_earlier=sorted(
            c.category for c in source.categories if c.category in have and c.collected_at < have[c.category]
        ),
    )


def merge_subjects(session: Session, actor: str, source_id: uuid.UUID, target_id: uuid.UUID) -> Subject:
    """Merge ``source`` into ``target``: one person recorded twice becomes one.

    The source keeps its rows (identifiers, consents, relationships) and points to the target, so
    its identifiers still find the target and both histories stay. The target gains the source's
    categories, keeping the earlier ``collected_at`` where both have one.

    Raises:
        NotFound: either is unknown. Conflict: same subject, or either is merged or erased already.
    """
    source, target = get_subject(session, source_id), get_subject(session, target_id)
    _check_merge(source, target, session)
    united = _unite_categories(source, target)
    source.status, source.merged_into_id = "merged", target.id
    session.flush()
    details = {"into": str(target.id), "categories_added": united}
    record_event(
        session, actor=actor, action="subject.merged", target_type="subject", target_id=str(source.id),
        details=details,
    )  # fmt: skip
    return target


def _unite_categories(source: Subject, target: Subject) -> list[str]:
    have = {c.category: c for c in target.categories}
    added = []
    for category in source.categories:
        mine = have.get(category.category)
        if mine is None:
            target.categories.append(
                SubjectCategory(
                    category=category.category, collected_at=category.collected_at, source=category.source
                )
            )
            added.append(category.category)
        elif category.collected_at < mine.collected_at:
            mine.collected_at, mine.source = category.collected_at, category.source
    return sorted(added)


def erase_subject(session: Session, actor: str, subject_id: uuid.UUID) -> Subject:
    """Erase a person: the name, date of birth, identifier values and blind indexes go.

    So does the staff free text on their records (suspension reasons and references, evidence
    references of consents and relationships): it may name or describe the person.

    Subjects merged into this one are erased with it (they are the same person). Status,
    categories, consent history and relationships stay as ids, so the records of what was done
    remain and decisions refuse the subject.

    Raises:
        NotFound: unknown subject. Conflict: already erased.
    """
    subject = resolve(session, subject_id)
    if subject.status == "erased":
        raise Conflict(f"subject {subject.id} is already erased")
    family = merged_ids(session, subject.id)
    removed = session.execute(
        delete(SubjectIdentifier).where(SubjectIdentifier.subject_id.in_(family))
    ).rowcount  # type: ignore[attr-defined]
    cleared = _clear_free_text(session, family)
    when = utcnow()
    for person in session.scalars(select(Subject).where(Subject.id.in_(family))):
        person.name_encrypted, person.date_of_birth, person.erased_at = None, None, when
        person.status = "erased"
        session.expire(person, ["identifiers"])
    session.flush()
    details = {
        "identifiers_removed": removed,
        "free_text_cleared": cleared,
        "merged_ids": [str(i) for i in family[1:]],
    }
    record_event(
        session, actor=actor, action="subject.erased", target_type="subject", target_id=str(subject.id),
        details=details,
    )  # fmt: skip
    return subject


def _clear_free_text(session: Session, family: list[uuid.UUID]) -> int:
    """Blank the free-text fields on the person's records; returns how many rows changed."""
    # Imported here: the consents room builds on this one (it imports subjects at module level).
    from mamori.consents.models import ConsentEvent, UsageSuspension

    statements = (
        update(UsageSuspension)
        .where(UsageSuspension.subject_id.in_(family))
        .values(reason="", source_ref=None),
        update(ConsentEvent)
        .where(ConsentEvent.subject_id.in_(family), ConsentEvent.evidence_ref.is_not(None))
        .values(evidence_ref=None),
        update(SubjectRelationship)
        .where(
            or_(
                SubjectRelationship.subject_id.in_(family), SubjectRelationship.related_subject_id.in_(family)
            )
        )
        .values(evidence_ref=""),
    )
    return sum(session.execute(statement).rowcount for statement in statements)  # type: ignore[attr-defined]
