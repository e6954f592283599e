"""A case's identities: as given, or those Mamori holds for a subject (``subject_id``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.security.crypto import FieldCipher
from mamori.subjects.models import SubjectIdentifier
from mamori.subjects.repository import group_of

SUBJECT_KIND = "subject_id"
VALUE_CONTEXT = "subject_identifiers.value"  # as mamori.subjects.service stores them
Identities = Mapping[str, str | Sequence[str]] | Sequence[tuple[str, str]]


def identity_map(identities: Identities) -> dict[str, list[str]]:
    """Kind → distinct non-empty values, from a mapping or from (kind, value) pairs."""
    pairs = identities.items() if isinstance(identities, Mapping) else identities
    out: dict[str, list[str]] = {}
    for kind, values in pairs:
        for value in [values] if isinstance(values, str) else values:
            if value.strip() and value.strip() not in out.setdefault(kind, []):
                out[kind].append(value.strip())
    return {k: v for k, v in out.items() if v}


def expand_subjects(
    session: Session, identities: dict[str, list[str]], cipher: FieldCipher, mapped: set[str]
) -> list[dict[str, str]]:
    """Replace ``subject_id`` by the subject's identifiers (merges followed) of the kinds the map knows.

    Returns the problems (an id that is not a subject's), each naming ``identities.subject_id``.
    """
    problems = []
    for text in identities.pop(SUBJECT_KIND, []):
        try:
            group = group_of(session, uuid.UUID(text))
        except ValueError:
            group = None
        if group is None:
            problems.append({"field": f"identities.{SUBJECT_KIND}", "message": "no such subject"})
            continue
        rows = session.scalars(select(SubjectIdentifier).where(SubjectIdentifier.subject_id.in_(group)))
        for row in rows:
            if row.kind in mapped:
                value = cipher.decrypt(row.value_encrypted, context=VALUE_CONTEXT)
                if value not in identities.setdefault(row.kind, []):
                    identities[row.kind].append(value)
    return problems
