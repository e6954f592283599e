"""Bulk import of consent events from CSV or JSONL: check every row, then record all in one transaction."""

from __future__ import annotations

import csv
import json
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from sqlalchemy.orm import Session

from mamori.cli.common import cli_actor, fail, session_scope
from mamori.config import get_settings
from mamori.consents.service import ConsentInput, Ledger
from mamori.errors import MamoriError, ValidationFailed
from mamori.subjects.repository import subjects_by_identifier
from mamori.subjects.rules import InvalidIdentifier

COLUMNS = (
    "subject_id", "email", "scope", "action", "occurred_at", "language", "channel", "separate", "notice_hash",
)  # fmt: skip
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n", ""}


class RowError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True, slots=True)
class Row:
    number: int
    values: dict[str, str]
    problem: str | None = None


def read_rows(file: Path, file_format: str | None) -> Iterator[Row]:
    """Rows with their line numbers; raises ValueError for a file that cannot be read at all."""
    kind = (file_format or file.suffix.lstrip(".")).lower()
    if kind == "csv":
        with file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            unknown = set(reader.fieldnames or ()) - set(COLUMNS)
            if unknown:
                raise ValueError(f"unknown column(s): {', '.join(sorted(unknown))}")
            for record in reader:
                yield Row(reader.line_num, {k: (v or "").strip() for k, v in record.items() if k})
        return
    if kind in {"jsonl", "ndjson"}:
        with file.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield _json_row(line, number)
        return
    raise ValueError("the file must be .csv or .jsonl (or say --format csv|jsonl)")


def _json_row(line: str, number: int) -> Row:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return Row(number, {}, f"line: not JSON ({exc.msg})")
    if not isinstance(data, dict):
        return Row(number, {}, "line: not a JSON object")
    unknown = set(data) - set(COLUMNS)
    if unknown:
        return Row(number, {}, f"{min(unknown)}: unknown field")
    values = {
        k: "" if v is None else str(v).lower() if isinstance(v, bool) else str(v) for k, v in data.items()
    }
    return Row(number, values)


def _subject(session: Session, values: dict[str, str]) -> uuid.UUID:
    if values.get("subject_id"):
        try:
            return uuid.UUID(values["subject_id"])
        except ValueError:
            raise RowError("subject_id", "not a UUID") from None
    if not values.get("email"):
        raise RowError("subject_id", "give subject_id or email")
    try:
        found = subjects_by_identifier(session, get_settings(), "email", values["email"])
    except InvalidIdentifier as exc:
        raise RowError("email", str(exc)) from None
    if len(found) != 1:
        raise RowError(
            "email", "no subject has this e-mail" if not found else "several subjects share this e-mail"
        )
    return found[0].id


def _input(session: Session, values: dict[str, str]) -> ConsentInput:
    subject_id = _subject(session, values)
    occurred_at = None
    if values.get("occurred_at"):
        try:
            occurred_at = datetime.fromisoformat(values["occurred_at"])
        except ValueError:
            raise RowError("occurred_at", "not an ISO 8601 time") from None
    separate = values.get("separate", "").lower()
    if separate not in _TRUE | _FALSE:
        raise RowError("separate", "true or false")
    return ConsentInput(
        subject_id=subject_id,
        scope=values.get("scope", ""),
        action=values.get("action", ""),
        language=values.get("language", "") or "ja",
        channel=values.get("channel", ""),
        occurred_at=occurred_at,
        separate=separate in _TRUE,
        notice_hash=values.get("notice_hash") or None,
    )


def check_rows(ledger: Ledger, rows: list[Row]) -> tuple[list[ConsentInput], list[str]]:
    """Every row as an event to record, and every problem as 'row N: field: reason'."""
    items: list[ConsentInput] = []
    problems: list[str] = []
    with typer.progressbar(rows, label="checking", file=sys.stderr) as progress:
        for row in progress:
            if row.problem is not None:
                problems.append(f"row {row.number}: {row.problem}")
                continue
            try:
                item = _input(ledger.session, row.values)
                _, errors = ledger.check(item)
            except RowError as exc:
                problems.append(f"row {row.number}: {exc}")
                continue
            except MamoriError as exc:
                problems += [f"row {row.number}: {line}" for line in _lines(exc)]
                continue
            problems += [f"row {row.number}: {error}" for error in errors]
            items.append(item)
    return items, problems


def _lines(exc: MamoriError) -> list[str]:
    errors: list[Any] = exc.details.get("errors") or []
    if not errors:
        return [f"subject_id: {exc.message}"]
    return [f"{e['field']}: {e['message']}" if isinstance(e, dict) else str(e) for e in errors]


def run_import(file: Path, file_format: str | None) -> None:
    try:
        rows = list(read_rows(file, file_format))
    except (ValueError, UnicodeDecodeError, csv.Error) as exc:
        fail(ValidationFailed(f"cannot read {file.name}: {exc}"))
        return
    actor = cli_actor()
    with session_scope() as session:
        ledger = Ledger.open(session)
        items, problems = check_rows(ledger, rows)
        if problems:
            raise ValidationFailed(
                f"{len(problems)} problem(s) in {file.name}; nothing was imported",
                details={"errors": problems},
            )
        with typer.progressbar(items, label="importing", file=sys.stderr) as progress:
            for item in progress:
                ledger.record(item, actor=actor)
    typer.echo(f"imported {len(items)} consent event(s) from {file.name}")
