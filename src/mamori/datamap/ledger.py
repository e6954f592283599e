"""The personal-information ledger (JIS Q 15001): one line per dataset of the map, as CSV or XLSX.

Columns: items, purpose, source, medium and location, retention, who has access, volume,
provided/outsourced, special-care, disposal method; headings and texts in the chosen language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from mamori.datamap.rules import period_text
from mamori.policy.schema import PolicyBundle, Text
from mamori.policy.sections.datamap import Dataset, System
from mamori.validation import spreadsheet_safe

HEADINGS: dict[str, list[str]] = {
    "ja": [
        "システム",
        "データセット",
        "個人情報の項目",
        "利用目的",
        "取得方法（入手元）",
        "媒体・保管場所",
        "保管期間",
        "アクセス権者",
        "件数",
        "提供・委託",
        "要配慮個人情報",
        "廃棄方法",
    ],
    "en": [
        "System",
        "Dataset",
        "Items",
        "Purpose",
        "Source",
        "Medium and location",
        "Retention",
        "Who has access",
        "Volume",
        "Provided / outsourced",
        "Special-care",
        "Disposal method",
    ],
    "zh-Hans": [
        "系统",
        "数据集",
        "个人信息项目",
        "利用目的",
        "取得方式（来源）",
        "媒介・保管场所",
        "保管期限",
        "访问权限人",
        "件数",
        "提供・委托",
        "需特别注意的个人信息",
        "废弃方法",
    ],
    "zh-Hant": [
        "系統",
        "資料集",
        "個人資料項目",
        "利用目的",
        "取得方式（來源）",
        "媒介・保管場所",
        "保管期限",
        "存取權限人",
        "件數",
        "提供・委託",
        "需特別注意的個人資料",
        "廢棄方法",
    ],
}
WORDS: dict[str, dict[str, str]] = {
    "yes": {"ja": "有", "en": "Yes", "zh-Hans": "有", "zh-Hant": "有"},
    "no": {"ja": "無", "en": "No", "zh-Hans": "无", "zh-Hant": "無"},
    "delete": {"ja": "行を削除", "en": "row deleted", "zh-Hans": "删除记录", "zh-Hant": "刪除紀錄"},
    "null": {"ja": "消去", "en": "erased", "zh-Hans": "清除", "zh-Hant": "清除"},
    "mask": {"ja": "マスキング", "en": "masked", "zh-Hans": "遮盖", "zh-Hant": "遮蓋"},
    "hash": {"ja": "ハッシュ化", "en": "hashed", "zh-Hans": "哈希化", "zh-Hant": "雜湊化"},
    "keep": {"ja": "保存", "en": "kept", "zh-Hans": "保留", "zh-Hant": "保留"},
    "outsourced": {"ja": "委託", "en": "outsourced", "zh-Hans": "委托", "zh-Hant": "委託"},
}
SEP = {"ja": "、", "en": ", ", "zh-Hans": "、", "zh-Hant": "、"}


def _word(key: str, language: str) -> str:
    return WORDS[key].get(language, WORDS[key]["ja"])


def _text(text: Text | None, language: str) -> str:
    return text.get(language) if text is not None else ""


def _disposal(dataset: Dataset, items: dict[str, str], language: str) -> str:
    if dataset.disposal is not None:
        return dataset.disposal.get(language)
    by_strategy: dict[str, list[str]] = {}
    for field in dataset.personal_fields:
        label = items.get(field.item or "", field.name)
        names = by_strategy.setdefault(str(field.erasure), [])
        if label not in names:
            names.append(label)
    sep = SEP.get(language, "、")
    parts = []
    for strategy, names in by_strategy.items():
        reason = next(
            (f.legal_reason for f in dataset.personal_fields if f.erasure == strategy and f.legal_reason),
            None,
        )
        brackets = (" (", ")") if language == "en" else ("（", "）")
        suffix = f"{brackets[0]}{reason.get(language)}{brackets[1]}" if strategy == "keep" and reason else ""
        parts.append(f"{sep.join(names)}: {_word(strategy, language)}{suffix}")
    return "; ".join(parts)


def ledger_rows(bundle: PolicyBundle, language: str = "ja") -> list[list[str]]:
    """The heading row, then one row per dataset of every system."""
    items = {i.id: i.name.get(language) for i in bundle.data_items}
    special = {i.id for i in bundle.data_items if i.special_care}
    purposes = {p.id: p.text.get(language) for p in bundle.purposes().values()}
    outsourced = {d.id: d.text.get(language) for d in bundle.outsourcing.duties}
    outsourced |= {p.id: p.name.get(language) for p in bundle.outsourcing.processors}
    sep = SEP.get(language, "、")
    rows = [HEADINGS.get(language, HEADINGS["ja"])]
    rows += [
        _row(system, dataset, items, special, purposes, outsourced, language, sep)
        for system in bundle.datamap
        for dataset in system.datasets
    ]
    return rows


def _row(  # noqa: PLR0913 - the lookups a line needs
    system: System,
    dataset: Dataset,
    items: dict[str, str],
    special: set[str],
    purposes: dict[str, str],
    outsourced: dict[str, str],
    language: str,
    sep: str,
) -> list[str]:
    names = list(dict.fromkeys(items.get(f.item or "", f.name) for f in dataset.personal_fields))
    given = [f"{_word('outsourced', language)}: {outsourced.get(o, o)}" for o in dataset.outsourced_to]
    given += [dataset.provided_to.get(language)] if dataset.provided_to else []
    care = any(f.item in special for f in dataset.personal_fields)
    return [
        system.name.get(language),
        dataset.name.get(language),
        sep.join(names),
        sep.join(purposes.get(p, p) for p in dataset.purposes),
        _text(dataset.source, language),
        system.location.get(language),
        period_text(dataset.retention, language),
        _text(dataset.access, language),
        "" if dataset.volume is None else str(dataset.volume),
        sep.join(given),
        _word("yes" if care else "no", language),
        _disposal(dataset, items, language),
    ]


def ledger_csv(rows: Sequence[Sequence[str]]) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the Japanese correctly."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([spreadsheet_safe(v) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def ledger_xlsx(rows: Sequence[Sequence[str]], *, title: str = "個人情報管理台帳") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook always has a sheet
    sheet.title = title[:31]
    for row in rows:
        sheet.append([int(v) if v.isdigit() else spreadsheet_safe(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = min(
            60, max(10, *(len(str(c.value or "")) * 1.6 for c in column))
        )
        for cell in column:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
