"""A scan's columns against the data map: what the map misses or understates, as findings and proposals. Pure.

Kinds: ``unmapped_personal`` (a table or column not in the map holds personal data),
``more_than_declared`` (a mapped column holds types beyond its declared item: a notes field
with phone numbers), ``my_number`` (the Individual Number, anywhere), ``identity_document``
(passport, licence, PRC ID numbers), ``file_personal`` (a file holds personal data; ``mapped``
tells whether its folder is a system of the map).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import yaml

from mamori.discovery.spans import ITEM_OF, TYPES
from mamori.policy.sections.datamap import System
from mamori.validation import spreadsheet_safe

MIN_SHARE = 0.02  # below: stray matches in a large column, not what the column holds
_IDENTITY = frozenset({"passport", "drivers_licence", "prc_id"})


@dataclass(frozen=True)
class ColumnResult:
    source: str  # system.table or files:<label>/<path>
    column: str
    rows: int
    hits: dict[str, Any]  # type → [rows, best confidence]


@dataclass
class Finding:
    kind: str
    source: str
    column: str
    types: dict[str, float] = field(default_factory=dict)  # type → share of rows
    confidence: float = 0.0
    declared: str | None = None  # the item the map declares for the column
    proposed: list[str] = field(default_factory=list)  # bundle data items


def classify(column: ColumnResult) -> tuple[dict[str, float], float]:
    """Types held by a column (share of rows), and the best confidence among them."""
    if not column.rows:
        return {}, 0.0
    shares = {t: int(v[0]) / column.rows for t, v in column.hits.items()}
    kept = {t: round(s, 4) for t, s in shares.items() if s >= MIN_SHARE or t == "my_number"}
    best = max((float(column.hits[t][1]) for t in kept), default=0.0)
    return kept, best


def _mapped(systems: Sequence[System], source: str, column: str) -> tuple[bool, bool, str | None]:
    """(table or folder mapped, column mapped, declared item) for a scanned column."""
    system_id, _, table = source.partition(".")
    if source.startswith("files:"):
        label = source.removeprefix("files:").split("/", 1)[0]
        return any(s.id == label for s in systems), False, None
    system = next((s for s in systems if s.id == system_id), None)
    dataset = next((d for d in system.datasets if d.table_name == table), None) if system else None
    if dataset is None:
        return False, False, None
    found = dataset.field(column)
    return True, found is not None, found.item if found else None


def findings(columns: Iterable[ColumnResult], systems: Sequence[System]) -> list[Finding]:
    out: list[Finding] = []
    for column in columns:
        types, confidence = classify(column)
        if types:
            out += _column_findings(column, types, confidence, systems)
    return out


def _column_findings(
    column: ColumnResult, types: dict[str, float], confidence: float, systems: Sequence[System]
) -> list[Finding]:
    table_mapped, column_mapped, declared = _mapped(systems, column.source, column.column)
    ranked = sorted(types, key=lambda t: (-types[t], TYPES.index(t)))  # the type most rows hold first
    items = list(dict.fromkeys(i for t in ranked if (i := ITEM_OF.get(t))))

    def make(kind: str, declared: str | None, proposed: list[str] | None = None) -> Finding:
        return Finding(kind, column.source, column.column, types, confidence, declared, proposed or [])

    out = []
    if "my_number" in types:
        out.append(make("my_number", declared))
    if _IDENTITY & types.keys():
        out.append(make("identity_document", declared))
    if column.source.startswith("files:"):
        out.append(make("file_personal", "mapped" if table_mapped else None, items))
    elif not column_mapped:
        out.append(make("unmapped_personal", None, items))
    elif extra := [i for i in items if i != declared]:
        out.append(make("more_than_declared", declared, extra))
    return out


HEADINGS = ("kind", "source", "column", "types", "confidence", "declared", "proposed")


def report_csv(found: Sequence[Finding]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADINGS)
    for f in found:
        types = " ".join(f"{t}:{s:.0%}" for t, s in f.types.items())
        row = [
            f.kind,
            f.source,
            f.column,
            types,
            f"{f.confidence:.2f}",
            f.declared or "",
            " ".join(f.proposed),
        ]
        writer.writerow([spreadsheet_safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def report_json(found: Sequence[Finding]) -> str:
    return json.dumps([asdict(f) for f in found], ensure_ascii=False, indent=2)


def proposals(found: Sequence[Finding]) -> str:
    """Data-map entries to review (``datamap/<system>.yaml`` fields), as YAML; none is applied."""
    by_table: dict[str, list[dict[str, Any]]] = {}
    for f in found:
        if f.kind in {"unmapped_personal", "more_than_declared"} and f.proposed:
            entry: dict[str, Any] = {"name": f.column, "item": f.proposed[0], "erasure": "null"}
            if f.kind == "more_than_declared":
                entry["note"] = f"declared {f.declared}; also holds {', '.join(f.proposed)}"
            elif len(f.proposed) > 1:
                entry["note"] = f"also holds {', '.join(f.proposed[1:])}"
            by_table.setdefault(f.source, []).append(entry)
    if not by_table:
        return ""
    header = "# Proposed by `mamori discovery diff`: review each entry, then copy it into datamap/*.yaml\n"
    return header + yaml.safe_dump(by_table, allow_unicode=True, sort_keys=True, width=110)
