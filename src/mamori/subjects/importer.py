"""Bulk import of subjects from CSV or JSON Lines: every row is checked first, then all or nothing.

Columns: jurisdiction, language, name, date_of_birth, categories (``;``-separated),
email, phone, member_number, employee_number, shareholder_number. Rows are numbered as a
spreadsheet shows them (the CSV header is row 1) or by line (JSON Lines).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from mamori.audit.service import EventInput, record_event, record_events
from mamori.config import Settings
from mamori.db.base import Base, utcnow
from mamori.errors import ValidationFailed
from mamori.security.crypto import FieldCipher, cipher_from_settings
from mamori.subjects.models import Subject, SubjectCategory, SubjectIdentifier
from mamori.subjects.service import NAME_CONTEXT, VALUE_CONTEXT
from mamori.subjects.textfiles import check_encoding
from mamori.subjects.validation import (
    FieldError,
    Identifier,
    category_ids,
    check_birth,
    check_category,
    check_identifier,
    check_profile,
    current_bundle,
    holders,
)

IDENTIFIER_COLUMNS = ("email", "phone", "member_number", "employee_number", "shareholder_number")
COLUMNS = ("jurisdiction", "language", "name", "date_of_birth", "categories", *IDENTIFIER_COLUMNS)
BATCH = 2000
Progress = Callable[[int], None]


def _ignore(_: int) -> None:
    """No progress display."""


@dataclass(frozen=True, slots=True)
class Rejection:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.message}"

    def as_dict(self) -> dict[str, str | int]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass(slots=True)
class PlannedSubject:
    row: int
    jurisdiction: str
    language: str
    name_encrypted: str | None
    date_of_birth: date | None
    categories: tuple[str, ...]
    identifiers: tuple[Identifier, ...]


@dataclass
class ImportPlan:
    """The checked rows, or why some are refused (then nothing may be imported)."""

    digest: str
    subjects: list[PlannedSubject] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ImportResult:
    subjects: int
    identifiers: int
    categories: int


def count_rows(path: Path) -> int:
    """Roughly how many data rows the file has (for a progress bar)."""
    with path.open("rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    return max(lines - 1, 0) if path.suffix.lower() == ".csv" else lines


def read_rows(path: Path, encoding: str = "utf-8") -> Iterator[tuple[int, dict[str, Any] | Rejection]]:
    """(row number, columns) per record; a record that cannot be read at all is a Rejection.

    Raises:
        ValidationFailed: not a .csv/.jsonl file, or a CSV header with unknown or missing columns.
    """
    suffix = path.suffix.lower()
    if suffix in {".csv", ".jsonl", ".ndjson"}:
        check_encoding(path, encoding)
    if suffix == ".csv":
        return _csv_rows(path, _text_encoding(encoding))
    if suffix in {".jsonl", ".ndjson"}:
        return _jsonl_rows(path, _text_encoding(encoding))
    raise ValidationFailed(
        "the file must end in .csv or .jsonl",
        details={"errors": [{"field": "file", "message": "unknown format"}]},
    )


def _text_encoding(encoding: str) -> str:
    """UTF-8 files may start with a byte-order mark (Excel writes one): read past it."""
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, dict[str, Any] | Rejection]]:
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        problems = [FieldError(name, "unknown column") for name in header if name not in COLUMNS]
        if "categories" not in header:
            problems.append(FieldError("categories", "missing column"))
        if problems:
            raise ValidationFailed(
                f"the header (row 1) is not valid: {problems[0].field}: {problems[0].message}",
                details={"errors": [Rejection(1, p.field, p.message).as_dict() for p in problems]},
            )
        for number, record in _records(reader):
            if isinstance(record, Rejection):
                yield number, record
                return  # the rest of the file cannot be trusted to line up
            if None in record:
                yield number, Rejection(number, "-", "more values than columns")
            else:
                yield number, record


def _records(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, Any] | Rejection]]:
    """Rows numbered as a spreadsheet shows them; a row the csv module cannot read ends the file."""
    number = 2
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field over 131,072 characters
            yield number, Rejection(number, "-", f"cannot be read: {exc}")
            return
        yield number, record
        number += 1


def _jsonl_rows(path: Path, encoding: str) -> Iterator[tuple[int, dict[str, Any] | Rejection]]:
    with path.open(encoding=encoding) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                yield number, Rejection(number, "-", "not valid JSON")
                continue
            except RecursionError:
                yield number, Rejection(number, "-", "nested too deeply")
                continue
            if not isinstance(record, dict):
                yield number, Rejection(number, "-", "not a JSON object")
                continue
            unknown = [key for key in record if key not in COLUMNS]
            if unknown:
                yield number, Rejection(number, unknown[0], "unknown column")
                continue
            yield number, record


def _text(record: dict[str, Any], column: str) -> str:
    value = record.get(column)
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value)


def _categories(record: dict[str, Any]) -> list[str]:
    value = record.get("categories")
    parts = value if isinstance(value, list) else _text(record, "categories").split(";")
    return [str(part).strip() for part in parts if str(part).strip()]


class _Checker:
    """Checks one row at a time, remembering identifiers seen in earlier rows."""

    def __init__(self, settings: Settings, known: set[str], cipher: FieldCipher) -> None:
        self.settings, self.known, self.cipher = settings, known, cipher
        self.seen: dict[tuple[str, str], int] = {}
        self.first_seen: list[tuple[int, Identifier]] = []  # checked against the database at the end

    def check(self, row: int, record: dict[str, Any]) -> PlannedSubject | list[FieldError]:
        jurisdiction = _text(record, "jurisdiction").upper() or "JP"
        language = _text(record, "language") or "ja"
        name = _text(record, "name") or None
        errors = check_profile(jurisdiction=jurisdiction, language=language, name=name)
        birth = self._birth(_text(record, "date_of_birth"), errors)
        categories = _categories(record)
        if not categories:
            errors.append(FieldError("categories", "at least one category is needed"))
        for category in categories:
            errors += check_category(category, self.known, "categories")
        if len(set(categories)) != len(categories):
            errors.append(FieldError("categories", "a category is repeated"))
        identifiers = self._identifiers(row, record, errors)
        if errors:
            return errors
        return PlannedSubject(
            row=row,
            jurisdiction=jurisdiction,
            language=language,
            name_encrypted=self.cipher.encrypt(name, context=NAME_CONTEXT) if name else None,
            date_of_birth=birth,
            categories=tuple(categories),
            identifiers=tuple(identifiers),
        )

    def _birth(self, text: str, errors: list[FieldError]) -> date | None:
        if not text:
            return None
        try:
            birth = date.fromisoformat(text)
        except ValueError:
            errors.append(FieldError("date_of_birth", "not a date (YYYY-MM-DD)"))
            return None
        errors += check_birth(birth)
        return birth

    def _identifiers(self, row: int, record: dict[str, Any], errors: list[FieldError]) -> list[Identifier]:
        found = []
        for column in IDENTIFIER_COLUMNS:
            raw = _text(record, column)
            if not raw:
                continue
            checked = check_identifier(self.settings, column, raw, column)
            if isinstance(checked, FieldError):
                errors.append(checked)
                continue
            earlier = self.seen.setdefault((column, checked.index), row)
            if earlier != row:
                errors.append(FieldError(column, f"repeats row {earlier}"))
            else:
                self.first_seen.append((row, checked))
            found.append(checked)
        return found


def plan_import(
    session: Session, settings: Settings, path: Path, progress: Progress = _ignore, *, encoding: str = "utf-8"
) -> ImportPlan:
    """Check every row of the file against the policy, the formats and the identifiers already held.

    Raises:
        ValidationFailed: the file type or the CSV header is wrong. NotFound: no policy is published.
    """
    checker = _Checker(settings, category_ids(current_bundle(session)), cipher_from_settings(settings))
    plan = ImportPlan(digest=_file_digest(path))
    done = 0
    for number, record in read_rows(path, encoding):
        done += 1
        if isinstance(record, Rejection):
            plan.rejections.append(record)
        else:
            result = checker.check(number, record)
            if isinstance(result, list):
                plan.rejections += [Rejection(number, e.field, e.message) for e in result]
            else:
                plan.subjects.append(result)
        if done % BATCH == 0:
            progress(BATCH)
    progress(done % BATCH)
    plan.rejections += _already_held(session, checker.first_seen)
    plan.rejections.sort(key=lambda r: r.row)
    return plan


def _already_held(session: Session, identifiers: Sequence[tuple[int, Identifier]]) -> list[Rejection]:
    where = {(i.kind, i.index): (row, i.field) for row, i in identifiers}
    held = holders(session, list(where))
    return [Rejection(*where[key], "held by another subject") for key in held]


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def apply_import(
    session: Session, settings: Settings, actor: str, plan: ImportPlan, progress: Progress = _ignore
) -> ImportResult:
    """Insert every planned subject in the caller's transaction, each with its audit event.

    Raises:
        ValidationFailed: the plan has rejections (nothing is written).
    """
    if plan.rejections:
        raise ValidationFailed(
            f"{len(plan.rejections)} problem(s) in the file; nothing was imported",
            details={"errors": [r.as_dict() for r in plan.rejections]},
        )
    cipher = cipher_from_settings(settings)
    identifiers = categories = 0
    for start in range(0, len(plan.subjects), BATCH):
        batch = plan.subjects[start : start + BATCH]
        counts = _insert_batch(session, cipher, actor, batch)
        identifiers, categories = identifiers + counts[0], categories + counts[1]
        progress(len(batch))
    result = ImportResult(subjects=len(plan.subjects), identifiers=identifiers, categories=categories)
    details = {"file_sha256": plan.digest, "subjects": result.subjects, "identifiers": identifiers}
    record_event(
        session, actor=actor, action="subjects.imported", target_type="import", target_id=plan.digest,
        details=details,
    )  # fmt: skip
    return result


def _table(model: type[Base]) -> Table:
    return cast("Table", model.__table__)


def _insert_batch(
    session: Session, cipher: FieldCipher, actor: str, batch: Sequence[PlannedSubject]
) -> tuple[int, int]:
    now = utcnow()
    subjects, categories, identifiers, events = [], [], [], []
    for planned in batch:
        subject_id = uuid.uuid4()
        subjects.append(
            {
                "id": subject_id,
                "jurisdiction": planned.jurisdiction,
                "language": planned.language,
                "name_encrypted": planned.name_encrypted,
                "date_of_birth": planned.date_of_birth,
                "status": "active",
                "created_at": now,
            }
        )
        categories += [
            {"subject_id": subject_id, "category": c, "collected_at": now, "source": "import"}
            for c in planned.categories
        ]
        identifiers += [
            {
                "id": uuid.uuid4(),
                "subject_id": subject_id,
                "kind": i.kind,
                "value_encrypted": cipher.encrypt(i.value, context=VALUE_CONTEXT),
                "blind_index": i.index,
                "created_at": now,
            }
            for i in planned.identifiers
        ]
        details = {
            "jurisdiction": planned.jurisdiction,
            "categories": list(planned.categories),
            "identifier_kinds": [i.kind for i in planned.identifiers],
            "import_row": planned.row,
        }
        events.append(EventInput("subject.created", "subject", str(subject_id), details))
    # Core inserts on the tables: one executemany each (the ORM splits batches on absent values).
    session.execute(insert(_table(Subject)), subjects)
    session.execute(insert(_table(SubjectCategory)), categories)
    if identifiers:
        session.execute(insert(_table(SubjectIdentifier)), identifiers)
    record_events(session, actor=actor, events=events)
    return len(identifiers), len(categories)
