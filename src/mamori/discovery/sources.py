"""What a scan reads: tables of SQL systems (keyset pages) and files (CSV, JSONL, text, XLSX, PDF).

A source yields batches of rows from a position (the last primary key, or the rows already read)
and the position after the batch: the scan stores it as its checkpoint and starts there again
after a kill. Values are only held in memory, batch by batch.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, String, Table, Text, select, tuple_
from sqlalchemy.exc import SQLAlchemyError

Row = tuple[str, dict[str, str]]  # row key (as text), column → text
Batch = tuple[list[Row], Any]  # rows, position after them
FILE_KINDS = (".csv", ".jsonl", ".txt", ".log", ".xlsx", ".pdf")


class SourceError(RuntimeError):
    """A source cannot be read; the message names the source, never a value."""


@dataclass
class TableSource:
    name: str  # system.table
    engine: Engine
    table: str

    def batches(self, position: Any, *, limit: int | None, size: int) -> Iterator[Batch]:
        try:
            table = Table(self.table, MetaData(), autoload_with=self.engine)
        except SQLAlchemyError as exc:
            raise SourceError(f"{self.name}: cannot be read ({type(exc).__name__})") from None
        key = list(table.primary_key.columns) or list(table.columns)[:1]
        texts = [c for c in table.columns if isinstance(c.type, (String, Text)) or c.name.endswith("date")]
        texts = texts or list(table.columns)
        done = 0 if position is None else int(position.get("rows", 0))
        last = None if position is None else position.get("key")
        while limit is None or done < limit:
            take = size if limit is None else min(size, limit - done)
            query = select(*key, *[c for c in texts if c not in key]).order_by(*key).limit(take)
            if last is not None:
                query = query.where(tuple_(*key) > tuple_(*last) if len(key) > 1 else key[0] > last[0])
            with self.engine.connect() as conn:
                rows = conn.execute(query).mappings().all()
            if not rows:
                return
            out = [(json.dumps([str(r[c.name]) for c in key]), _texts(r, texts)) for r in rows]
            last = [rows[-1][c.name] for c in key]
            done += len(rows)
            yield out, {"key": [_jsonable(v) for v in last], "rows": done}


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, (int, float, str)) or value is None else str(value)


def _texts(row: Any, columns: list[Any]) -> dict[str, str]:
    return {c.name: str(row[c.name]) for c in columns if row[c.name] is not None}


@dataclass
class FileSource:
    name: str  # files:<folder label>/<relative path>
    path: Path

    def batches(self, position: Any, *, limit: int | None, size: int) -> Iterator[Batch]:
        skip = 0 if position is None else int(position.get("rows", 0))
        done, batch = skip, []
        try:
            for n, row in enumerate(self._rows()):
                if n < skip:
                    continue
                if limit is not None and n >= limit:
                    break
                batch.append((str(n + 1), row))
                done += 1
                if len(batch) >= size:
                    yield batch, {"rows": done}
                    batch = []
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise SourceError(f"{self.name}: cannot be read ({type(exc).__name__})") from None
        if batch:
            yield batch, {"rows": done}

    def _rows(self) -> Iterator[dict[str, str]]:
        suffix = self.path.suffix.lower()
        if suffix == ".csv":
            with self.path.open(encoding="utf-8-sig", newline="") as handle:
                for record in csv.DictReader(handle):
                    yield {str(k): str(v) for k, v in record.items() if v}
        elif suffix == ".jsonl":
            with self.path.open(encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        value = json.loads(line)
                        items = value.items() if isinstance(value, dict) else [("value", value)]
                        yield {
                            str(k): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                            for k, v in items
                        }
        elif suffix in {".txt", ".log"}:
            with self.path.open(encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    yield {"text": line.rstrip("\n")}
        elif suffix == ".xlsx":
            yield from _xlsx(self.path)
        elif suffix == ".pdf":
            yield from _pdf(self.path)


def _xlsx(path: Path) -> Iterator[dict[str, str]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = [str(h) if h is not None else f"col{i + 1}" for i, h in enumerate(next(rows, ()))]
            for values in rows:
                yield {
                    f"{sheet.title}.{h}": str(v)
                    for h, v in zip(header, values, strict=False)
                    if v is not None
                }
    finally:
        book.close()


def _pdf(path: Path) -> Iterator[dict[str, str]]:
    try:
        from pypdf import PdfReader
    except ImportError:
        raise SourceError(f"{path.name}: reading PDF text needs the pypdf package") from None
    for page in PdfReader(path).pages:
        for line in (page.extract_text() or "").splitlines():
            if line.strip():
                yield {"text": line}


def file_sources(folder: Path, label: str) -> list[FileSource]:
    """Every readable file under ``folder``, in a stable order."""
    found = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in FILE_KINDS)
    return [FileSource(f"files:{label}/{p.relative_to(folder).as_posix()}", p) for p in found]


def table_sources(system: str, engine: Engine) -> list[TableSource]:
    """Every table of a database (mapped or not: a scan looks for what the map misses)."""
    from sqlalchemy import inspect

    try:
        names = sorted(inspect(engine).get_table_names())
    except SQLAlchemyError as exc:
        raise SourceError(f"{system}: cannot be reached ({type(exc).__name__})") from None
    return [TableSource(f"{system}.{name}", engine, name) for name in names]
