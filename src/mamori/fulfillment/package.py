"""The access package: every record found, labelled in the requester's language, and its letter section."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from mamori.fulfillment.rules import Graph
from mamori.fulfillment.traversal import Found
from mamori.policy.schema import PolicyBundle

TEXTS: dict[str, dict[str, str]] = {
    "title": {
        "ja": "保有個人データの開示",
        "en": "Disclosure of the personal data we hold",
        "zh-Hans": "所持有个人数据的披露",
        "zh-Hant": "所持有個人資料的揭露",
    },
    "intro": {
        "ja": "当社の各システムで照合した結果、次の記録を保有しています。",
        "en": "Searching each of our systems, we found the following records about you.",
        "zh-Hans": "经在本公司各系统中核对，我们持有以下记录。",
        "zh-Hant": "經於本公司各系統中核對，我們持有以下紀錄。",
    },
    "none": {
        "ja": "該当する保有個人データはありませんでした。",
        "en": "We hold no personal data about you.",
        "zh-Hans": "未发现相关的所持有个人数据。",
        "zh-Hant": "未發現相關的所持有個人資料。",
    },
    "record_id": {"ja": "管理番号", "en": "Record number", "zh-Hans": "管理编号", "zh-Hant": "管理編號"},
}


def text(key: str, language: str) -> str:
    return TEXTS[key].get(language, TEXTS[key]["ja"])


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def build_package(  # noqa: PLR0913 - the facts of the disclosure
    graph: Graph, found: Found, bundle: PolicyBundle, *, language: str, run_id: str, case_ref: str
) -> dict[str, Any]:
    """The package as plain JSON data: systems → datasets → records → labelled fields."""
    items = {item.id: item.name.get(language) for item in bundle.data_items}
    systems = []
    for system in graph.systems.values():
        datasets = []
        for dataset in system.datasets:
            rows = found.rows.get((system.id, dataset.id), {})
            if not rows:
                continue
            fields = [f for f in dataset.fields if f.personal]
            records = [
                {
                    "key": [_plain(v) for v in key],
                    "fields": [
                        {
                            "field": f.name,
                            "item": f.item,
                            "label": f.label.get(language) if f.label else items.get(f.item or "", f.name),
                            "value": _plain(row.get(f.name)),
                        }
                        for f in fields
                    ],
                }
                for key, row in sorted(rows.items(), key=lambda kv: str(kv[0]))
            ]
            datasets.append({"dataset": dataset.id, "name": dataset.name.get(language), "records": records})
        if datasets:
            systems.append({"system": system.id, "name": system.name.get(language), "datasets": datasets})
    return {"run_id": run_id, "case_ref": case_ref, "language": language, "systems": systems}


def package_json(package: Mapping[str, Any]) -> str:
    """UTF-8 JSON that keeps Japanese and Chinese as characters."""
    return json.dumps(package, ensure_ascii=False, indent=2)


@dataclass(frozen=True, slots=True)
class LetterTable:
    """One table of the letter: a heading (system / dataset), the column labels and the rows."""

    heading: str
    labels: list[str]
    rows: list[list[str]]


@dataclass(frozen=True, slots=True)
class LetterSection:
    title: str
    intro: str
    tables: list[LetterTable]


def letter_section(package: Mapping[str, Any]) -> LetterSection:
    """What the response letter prints for an access package, in the package's language.

    Fields of the same data item in one table (name and name in kana) share one column label
    but stay separate columns; empty values print as an empty cell.
    """
    language = str(package.get("language", "ja"))
    tables = []
    for system in package.get("systems", []):
        for dataset in system["datasets"]:
            records = dataset["records"]
            labels = (
                [text("record_id", language), *(f["label"] for f in records[0]["fields"])] if records else []
            )
            rows = [
                ["-".join(str(k) for k in record["key"]), *(_cell(f["value"]) for f in record["fields"])]
                for record in records
            ]
            tables.append(LetterTable(f"{system['name']} / {dataset['name']}", labels, rows))
    intro = text("intro" if tables else "none", language)
    return LetterSection(text("title", language), intro, tables)


def _cell(value: Any) -> str:
    return "" if value is None else str(value)
