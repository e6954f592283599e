"""Checks shared by the services and the bulk import: each problem names its field, never the value."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NoReturn

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.errors import ValidationFailed
from mamori.policy.schema import JURISDICTIONS, LANGUAGES, PolicyBundle
from mamori.policy.service import bundle_of, require_current_version
from mamori.security.crypto import blind_index
from mamori.security.mynumber import names_my_number
from mamori.subjects.models import Subject, SubjectIdentifier
from mamori.subjects.repository import surviving
from mamori.subjects.rules import MY_NUMBER_REFUSED, STANDARD_KINDS, InvalidIdentifier, normalise
from mamori.subjects.schemas import IDENTIFIER_KIND_PATTERN
from mamori.validation import EARLIEST_YEAR, control_character

_KIND = re.compile(IDENTIFIER_KIND_PATTERN)
NAME_MAX = 200
VALUE_MAX = 320
CLOCK_SKEW = timedelta(minutes=5)
IDENTIFIER_LOCK = 0x6D616D6F72690001  # "mamori" + 1: the advisory lock key of identifier writes
# Bound parameters per IN (...) query: far below SQLite's and PostgreSQL's limits.
LOOKUP_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True, slots=True)
class Identifier:
    """A checked identifier: its canonical value and blind index, and the field it came from."""

    field: str
    kind: str
    value: str
    index: str


def refuse(errors: Sequence[FieldError], what: str = "the input") -> NoReturn:
    """Raise ValidationFailed listing every problem; the detail names the first one."""
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise ValidationFailed(
        f"{what} is not valid: {first.field}: {first.message}{more}; nothing was written",
        details={"errors": [error.as_dict() for error in errors]},
    )


def current_bundle(session: Session) -> PolicyBundle:
    """The policy in force. Raises NotFound when none is published."""
    return bundle_of(require_current_version(session))


def category_ids(bundle: PolicyBundle) -> set[str]:
    return {category.id for category in bundle.subject_categories}


def check_profile(
    *,
    jurisdiction: str,
    language: str,
    name: str | None,
    fields: tuple[str, str, str] = ("jurisdiction", "language", "name"),
) -> list[FieldError]:
    errors = []
    if jurisdiction not in JURISDICTIONS:
        errors.append(FieldError(fields[0], f"must be one of {', '.join(JURISDICTIONS)}"))
    if language not in LANGUAGES:
        errors.append(FieldError(fields[1], f"must be one of {', '.join(LANGUAGES)}"))
    if name is not None and (
        not name.strip() or len(name) > NAME_MAX or control_character(name, multiline=False) is not None
    ):
        errors.append(FieldError(fields[2], f"must have 1 to {NAME_MAX} characters, no control characters"))
    return errors


def check_birth(date_of_birth: date | None, field: str = "date_of_birth") -> list[FieldError]:
    # The latest calendar day anywhere on Earth: a birth "today" in Tokyo is not refused from UTC.
    if date_of_birth is not None and date_of_birth > (utcnow() + timedelta(days=1)).date():
        return [FieldError(field, "is in the future")]
    if date_of_birth is not None and date_of_birth.year < EARLIEST_YEAR:
        return [FieldError(field, f"must not be before {EARLIEST_YEAR}")]
    return []


def check_collected(collected_at: datetime | None, field: str) -> list[FieldError]:
    if collected_at is not None and collected_at > utcnow() + CLOCK_SKEW:
        return [FieldError(field, "is in the future")]
    return []


def check_category(category: str, known: set[str], field: str) -> list[FieldError]:
    if category in known:
        return []
    return [FieldError(field, f"unknown subject category; the policy declares {', '.join(sorted(known))}")]


def check_identifier(settings: Settings, kind: str, value: str, field: str) -> Identifier | FieldError:
    """Normalise and index one identifier, or say what is wrong with it.

    ``field`` names the value (``identifiers[0].value``); a bad kind is reported on the sibling ``kind``.
    """
    kind_field = field.removesuffix(".value") + ".kind" if field.endswith(".value") else field
    if not _KIND.match(kind):
        return FieldError(kind_field, "identifier kind must be lower-case letters, digits and _ (2-40)")
    if names_my_number(kind):
        return FieldError(kind_field, MY_NUMBER_REFUSED)
    if kind not in STANDARD_KINDS:
        return FieldError(kind_field, f"unknown identifier kind; one of {', '.join(STANDARD_KINDS)}")
    if control_character(value) is not None or len(value) > VALUE_MAX:
        return FieldError(field, f"must be 1 to {VALUE_MAX} characters without control characters")
    try:
        canonical = normalise(kind, value)
    except InvalidIdentifier as exc:
        return FieldError(field, str(exc))
    return Identifier(field, kind, canonical, blind_index(settings, kind, canonical))


def repeated(identifiers: Iterable[Identifier]) -> list[FieldError]:
    seen: dict[tuple[str, str], str] = {}
    errors = []
    for identifier in identifiers:
        key = (identifier.kind, identifier.index)
        if key in seen:
            errors.append(FieldError(identifier.field, f"repeats {seen[key]}"))
        else:
            seen[key] = identifier.field
    return errors


def lock_identifiers(session: Session) -> None:
    """Serialise writers of identifiers until the transaction ends, so a check-then-insert is safe.

    SQLite writers already queue at BEGIN IMMEDIATE; PostgreSQL gets a transaction advisory lock
    (the table cannot have a unique index: erased and merged subjects keep or drop rows).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IDENTIFIER_LOCK})


def holders(session: Session, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], set[Subject]]:
    """For (kind, blind index) pairs, the surviving, non-erased subjects that hold them.

    Takes the identifier lock first (see :func:`lock_identifiers`).
    """
    lock_identifiers(session)
    found: dict[tuple[str, str], set[Subject]] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, index in pairs:
        by_kind.setdefault(kind, []).append(index)
    for kind, indexes in by_kind.items():
        for start in range(0, len(indexes), LOOKUP_CHUNK):
            chunk = indexes[start : start + LOOKUP_CHUNK]
            stmt = (
                select(SubjectIdentifier.blind_index, Subject)
                .join(Subject, Subject.id == SubjectIdentifier.subject_id)
                .where(SubjectIdentifier.kind == kind, SubjectIdentifier.blind_index.in_(chunk))
            )
            for index, subject in session.execute(stmt):
                survivor = surviving(session, subject)
                if survivor is not None and survivor.status != "erased":
                    found.setdefault((kind, index), set()).add(survivor)
    return found
