"""Create, find, reveal and change subjects. Services flush, never commit; every change is audited.

Names and identifier values are stored encrypted (contexts ``subjects.name`` and
``subject_identifiers.value``) and found through blind indexes; audit details and error messages
carry ids, kinds and field names, never the values.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.errors import Conflict, NotFound, PolicyViolation
from mamori.security.crypto import FieldCipher, cipher_from_settings
from mamori.security.duties import check_duty
from mamori.subjects.models import Subject, SubjectCategory, SubjectIdentifier, SubjectRelationship
from mamori.subjects.repository import merged_ids, subjects_by_identifier, surviving
from mamori.subjects.rules import InvalidIdentifier
from mamori.subjects.schemas import (
    CategoryIn,
    CategoryRead,
    IdentifierKindRead,
    IdentifierRead,
    SubjectRead,
    SubjectReveal,
    relationship_read,
)
from mamori.subjects.validation import (
    FieldError,
    Identifier,
    category_ids,
    check_birth,
    check_category,
    check_collected,
    check_identifier,
    check_profile,
    current_bundle,
    holders,
    refuse,
    repeated,
)

NAME_CONTEXT = "subjects.name"
VALUE_CONTEXT = "subject_identifiers.value"


def create_subject(  # noqa: PLR0913 - a person has this many facts
    session: Session,
    settings: Settings,
    actor: str,
    *,
    categories: Sequence[str | CategoryIn],
    identifiers: Sequence[tuple[str, str]] = (),
    jurisdiction: str = "JP",
    language: str = "ja",
    name: str | None = None,
    date_of_birth: date | None = None,
) -> Subject:
    """Add a person in at least one category of the current policy.

    Raises:
        ValidationFailed: a field is wrong (``identifiers[0].value``, ``categories[1].category``, ...).
        Conflict: another active subject already holds one of the identifiers (the field is named).
        NotFound: no policy is published.
    """
    wanted = [_category_in(c) for c in categories]
    known = category_ids(current_bundle(session))
    errors = check_profile(jurisdiction=jurisdiction, language=language, name=name)
    errors += check_birth(date_of_birth)
    if not wanted:
        errors.append(FieldError("categories", "at least one category is needed"))
    for i, category in enumerate(wanted):
        errors += check_category(category.category, known, f"categories[{i}].category")
        errors += check_collected(category.collected_at, f"categories[{i}].collected_at")
        if category.category in {c.category for c in wanted[:i]}:
            errors.append(FieldError(f"categories[{i}].category", "repeats an earlier category"))
    checked = _checked_identifiers(settings, identifiers, errors)
    if errors:
        refuse(errors, "the subject")
    _refuse_held(session, checked, owner=None)
    cipher = cipher_from_settings(settings)
    subject = Subject(
        jurisdiction=jurisdiction,
        language=language,
        name_encrypted=cipher.encrypt(name, context=NAME_CONTEXT) if name else None,
        date_of_birth=date_of_birth,
        categories=[_category(c) for c in wanted],
        identifiers=[_identifier_row(cipher, i) for i in checked],
    )
    session.add(subject)
    session.flush()
    details = {
        "jurisdiction": jurisdiction,
        "categories": [c.category for c in wanted],
        "identifier_kinds": [i.kind for i in checked],
    }
    record_event(
        session, actor=actor, action="subject.created", target_type="subject", target_id=str(subject.id),
        details=details,
    )  # fmt: skip
    return subject


def _checked_identifiers(
    settings: Settings, identifiers: Sequence[tuple[str, str]], errors: list[FieldError]
) -> list[Identifier]:
    checked = []
    for i, (kind, value) in enumerate(identifiers):
        result = check_identifier(settings, kind, value, f"identifiers[{i}].value")
        if isinstance(result, FieldError):
            errors.append(result)
        else:
            checked.append(result)
    errors += repeated(checked)
    return checked


def _refuse_held(session: Session, checked: Sequence[Identifier], owner: Subject | None) -> None:
    held = holders(session, [(i.kind, i.index) for i in checked])
    for identifier in checked:
        subjects = held.get((identifier.kind, identifier.index), set())
        if owner is not None and owner in subjects:
            raise Conflict(
                f"{identifier.field}: the subject already has this identifier",
                details={"errors": [{"field": identifier.field, "message": "already held by this subject"}]},
            )
        if subjects:
            raise Conflict(
                f"{identifier.field}: another subject already holds this identifier; nothing was written",
                details={"errors": [{"field": identifier.field, "message": "held by another subject"}]},
            )


def _category_in(category: str | CategoryIn) -> CategoryIn:
    if isinstance(category, CategoryIn):
        return category
    # Not validated here: the policy check that follows names the field of a wrong id.
    return CategoryIn.model_construct(category=category, collected_at=None, source="")


def _category(category: CategoryIn) -> SubjectCategory:
    return SubjectCategory(
        category=category.category, collected_at=category.collected_at or utcnow(), source=category.source
    )


def _identifier_row(cipher: FieldCipher, identifier: Identifier) -> SubjectIdentifier:
    return SubjectIdentifier(
        kind=identifier.kind,
        value_encrypted=cipher.encrypt(identifier.value, context=VALUE_CONTEXT),
        blind_index=identifier.index,
    )


def get_subject(session: Session, subject_id: uuid.UUID) -> Subject:
    """The subject with this id, as stored (merges not followed). Raises NotFound."""
    subject = session.get(Subject, subject_id)
    if subject is None:
        raise NotFound(f"no subject {subject_id}")
    return subject


def find_subject(
    session: Session,
    settings: Settings,
    *,
    subject_id: uuid.UUID | None = None,
    kind: str | None = None,
    value: str | None = None,
) -> Subject:
    """The surviving subject for an id or an identifier (merges are followed).

    Raises:
        ValidationFailed: neither an id nor a kind and value; a malformed identifier (field ``value``).
        NotFound: nobody has it.
        Conflict: several subjects hold the identifier.
    """
    if subject_id is not None:
        return resolve(session, subject_id)
    if not kind or value is None:
        refuse([FieldError("kind", "give a subject id, or an identifier kind and value")], "the lookup")
    checked = check_identifier(settings, kind, value, "value")
    if isinstance(checked, FieldError):
        refuse([checked], "the lookup")
    try:
        subjects = subjects_by_identifier(session, settings, kind, value)
    except InvalidIdentifier as exc:  # pragma: no cover - checked above
        refuse([FieldError("value", str(exc))], "the lookup")
    if not subjects:
        raise NotFound(f"no subject has this {kind}")
    if len(subjects) > 1:
        ids = sorted(str(s.id) for s in subjects)
        raise Conflict(f"{len(subjects)} subjects hold this {kind}", details={"subject_ids": ids})
    return subjects[0]


def resolve(session: Session, subject_id: uuid.UUID) -> Subject:
    """The subject with this id, or the one it was merged into. Raises NotFound."""
    found = surviving(session, get_subject(session, subject_id))
    if found is None:  # pragma: no cover - foreign keys keep merge chains whole
        raise NotFound(f"no subject {subject_id}")
    return found


def active(session: Session, subject_id: uuid.UUID) -> Subject:
    """Like :func:`resolve`, refusing an erased subject with Conflict."""
    subject = resolve(session, subject_id)
    if subject.status == "erased":
        raise Conflict(f"subject {subject.id} is erased")
    return subject


def add_identifier(  # noqa: PLR0913
    session: Session, settings: Settings, actor: str, subject_id: uuid.UUID, *, kind: str, value: str
) -> SubjectIdentifier:
    """Give a subject one more identifier.

    Raises:
        NotFound: unknown subject. ValidationFailed: malformed (fields ``kind``/``value``).
        Conflict: the subject is erased, or someone (this subject included) already holds it.
    """
    subject = active(session, subject_id)
    checked = check_identifier(settings, kind, value, "value")
    if isinstance(checked, FieldError):
        refuse([checked], "the identifier")
    _refuse_held(session, [checked], owner=subject)
    row = _identifier_row(cipher_from_settings(settings), checked)
    subject.identifiers.append(row)
    session.flush()
    record_event(
        session, actor=actor, action="subject.identifier_added", target_type="subject",
        target_id=str(subject.id), details={"identifier_id": str(row.id), "kind": kind},
    )  # fmt: skip
    return row


def remove_identifier(session: Session, actor: str, subject_id: uuid.UUID, identifier_id: uuid.UUID) -> None:
    """Delete one identifier of a subject (or of a subject merged into it). Raises NotFound."""
    subject = resolve(session, subject_id)
    row = session.get(SubjectIdentifier, identifier_id)
    if row is None or row.subject_id not in merged_ids(session, subject.id):
        raise NotFound(f"subject {subject.id} has no identifier {identifier_id}")
    kind = row.kind
    session.delete(row)
    session.flush()
    record_event(
        session, actor=actor, action="subject.identifier_removed", target_type="subject",
        target_id=str(subject.id), details={"identifier_id": str(identifier_id), "kind": kind},
    )  # fmt: skip


def add_category(
    session: Session, actor: str, subject_id: uuid.UUID, category: str | CategoryIn
) -> SubjectCategory:
    """Put a subject in one more category of the current policy.

    Raises:
        NotFound: unknown subject. ValidationFailed: unknown category (field ``category``).
        Conflict: the subject is erased or already in the category.
    """
    wanted = _category_in(category)
    subject = active(session, subject_id)
    errors = check_category(wanted.category, category_ids(current_bundle(session)), "category")
    errors += check_collected(wanted.collected_at, "collected_at")
    if errors:
        refuse(errors, "the category")
    if wanted.category in {c.category for c in subject.categories}:
        raise Conflict(f"subject {subject.id} is already in category {wanted.category!r}")
    row = _category(wanted)
    subject.categories.append(row)
    session.flush()
    record_event(
        session, actor=actor, action="subject.category_added", target_type="subject",
        target_id=str(subject.id), details={"category": wanted.category, "source": wanted.source},
    )  # fmt: skip
    return row


def subject_view(session: Session, subject: Subject) -> SubjectRead:
    """The non-personal view of a subject: ids, kinds, categories, relationships."""
    family = merged_ids(session, subject.id)
    identifiers = session.scalars(
        select(SubjectIdentifier)
        .where(SubjectIdentifier.subject_id.in_(family))
        .order_by(SubjectIdentifier.created_at, SubjectIdentifier.id)
    )
    relationships = session.scalars(
        select(SubjectRelationship)
        .where(SubjectRelationship.subject_id.in_(family))
        .order_by(SubjectRelationship.created_at, SubjectRelationship.id)
    )
    return SubjectRead(
        id=subject.id,
        status=subject.status,
        jurisdiction=subject.jurisdiction,
        language=subject.language,
        categories=[
            CategoryRead.model_validate(c) for c in sorted(subject.categories, key=lambda c: c.category)
        ],
        identifiers=[IdentifierKindRead.model_validate(i) for i in identifiers],
        merged_into_id=subject.merged_into_id,
        merged_ids=family[1:],
        relationships=[relationship_read(r) for r in relationships],
        created_at=subject.created_at,
        erased_at=subject.erased_at,
    )


def reveal_subject(  # noqa: PLR0913
    session: Session,
    settings: Settings,
    actor: str,
    subject_id: uuid.UUID,
    purpose: str,
    *,
    role: str | None = None,
) -> SubjectReveal:
    """Decrypt a subject's name and identifiers for a purpose declared for one of its categories.

    ``role`` is the reader's staff role: the purpose must also be among its duties (the bundle's
    ``staff_roles``). Entry points acting for a person pass it; None is for Mamori's own work.
    The read is audited as ``subject.read``. A refusal is audited as ``subject.read_refused``
    before PolicyViolation or Forbidden is raised: entry points commit it so that it is kept.

    Raises:
        NotFound: unknown subject. PolicyViolation: the purpose is unknown or not declared for the
        subject. Forbidden: the purpose is outside the role's duties.
    """
    subject = resolve(session, subject_id)
    bundle = current_bundle(session)
    mine = {c.category for c in subject.categories}
    allowed = {p.id for c in bundle.subject_categories if c.id in mine for p in c.purposes}
    if purpose not in allowed:
        reason = "declared-for-other-categories" if purpose in bundle.purposes() else "unknown-purpose"
        record_event(
            session, actor=actor, action="subject.read_refused", target_type="subject",
            target_id=str(subject.id), details={"purpose": purpose, "reason": reason},
        )  # fmt: skip
        message = (
            f"purpose {purpose!r} is not declared for any category of subject {subject.id}"
            if reason != "unknown-purpose"
            else f"purpose {purpose!r} is not in the current policy"
        )
        raise PolicyViolation(message, details={"errors": [{"field": "purpose", "message": message}]})
    if role is not None:
        check_duty(
            session, bundle, actor=actor, role=role, purpose=purpose,
            target_type="subject", target_id=str(subject.id),
        )  # fmt: skip
    view = _decrypt(session, settings, subject, purpose)
    record_event(
        session, actor=actor, action="subject.read", target_type="subject", target_id=str(subject.id),
        details={"purpose": purpose, "identifiers": len(view.identifiers), "name": view.name is not None},
    )  # fmt: skip
    return view


def _decrypt(session: Session, settings: Settings, subject: Subject, purpose: str) -> SubjectReveal:
    cipher = cipher_from_settings(settings)
    rows = session.scalars(
        select(SubjectIdentifier)
        .where(SubjectIdentifier.subject_id.in_(merged_ids(session, subject.id)))
        .order_by(SubjectIdentifier.created_at, SubjectIdentifier.id)
    )
    identifiers = [
        IdentifierRead(
            id=row.id, kind=row.kind, value=cipher.decrypt(row.value_encrypted, context=VALUE_CONTEXT)
        )
        for row in rows
    ]
    name = cipher.decrypt(subject.name_encrypted, context=NAME_CONTEXT) if subject.name_encrypted else None
    return SubjectReveal(
        id=subject.id,
        status=subject.status,
        purpose=purpose,
        name=name,
        date_of_birth=subject.date_of_birth,
        identifiers=identifiers,
    )
