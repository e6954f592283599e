"""Read a fideslang dataset file (Fides) and write the systems of a Mamori data map.

Fideslang labels fields with data categories (``user.contact.email``); the map needs the
bundle's data items (``email``). The table below makes that mapping; a category it does not
know is reported, never guessed. Keys (primary keys and fields with references) stay keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mamori.errors import ValidationFailed
from mamori.policy import yamlsafe

# Longest prefix wins: ``user.contact.address.city`` → address.
CATEGORY_ITEMS: dict[str, str] = {
    "user.contact.email": "email",
    "user.contact.phone_number": "phone",
    "user.contact.fax_number": "phone",
    "user.contact.address": "address",
    "user.contact.url": "sns_account",
    "user.contact": "address",
    "user.name": "name",
    "user.demographic.date_of_birth": "date_of_birth",
    "user.demographic.age_range": "date_of_birth",
    "user.demographic.gender": "gender",
    "user.demographic.sex": "gender",
    "user.unique_id": "member_number",
    "user.account": "member_number",
    "user.government_id": "member_number",
    "user.behavior.purchase_history": "purchase_history",
    "user.behavior": "transaction_history",
    "user.financial": "payment_info",
    "user.payment": "payment_info",
    "user.social": "sns_account",
    "user.device.cookie_id": "cookie_id",
    "user.device": "cookie_id",
    "user.content": "inquiry_content",
    "user.biometric": "face_template",
    "user.health_and_medical": "health_check",
    "user.workplace": "employment_record",
    "user.job_title": "employment_record",
}
_NOT_SET = {
    "ja": "未設定（fideslangから取込）",
    "en": "Not set (imported from fideslang)",
    "zh-Hans": "未设置（从fideslang导入）",
    "zh-Hant": "未設定（從fideslang匯入）",
}


def item_for(category: str) -> str | None:
    """The data item of a fideslang category (``system.*`` and unknown ones: None)."""
    parts = category.split(".")
    for cut in range(len(parts), 0, -1):
        found = CATEGORY_ITEMS.get(".".join(parts[:cut]))
        if found:
            return found
    return None


@dataclass
class Imported:
    systems: dict[str, dict[str, Any]] = field(default_factory=dict)  # file stem → system mapping
    unmapped: list[str] = field(default_factory=list)  # "dataset.collection.field: category"


def _same(text: str) -> dict[str, str]:
    return {"ja": text, "en": text, "zh-Hans": text, "zh-Hant": text}


def _ident(text: str) -> str:
    cleaned = re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")
    return cleaned if cleaned and cleaned[0].isalpha() else f"d_{cleaned}"


def import_fideslang(path: Path, *, kind: str = "postgresql", url_env: str | None = None) -> Imported:
    """Systems (one per fideslang dataset) ready to write as ``datamap/<id>.yaml``.

    Raises:
        ValidationFailed: the file is not YAML or holds no ``dataset`` list.
    """
    try:
        content = yamlsafe.load_file(path)
    except yamlsafe.YamlLimitExceeded as exc:
        raise ValidationFailed(f"{path.name}: refused: {exc}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValidationFailed(f"{path.name}: cannot be read as YAML ({type(exc).__name__})") from None
    datasets = content.get("dataset") if isinstance(content, dict) else None
    if not isinstance(datasets, list) or not datasets:
        raise ValidationFailed(f"{path.name}: no 'dataset' list (is it a fideslang dataset file?)")
    out = Imported()
    for dataset in datasets:
        system_id = _ident(str(dataset.get("fides_key", "imported")))
        env = url_env or f"{system_id.upper()}_URL"
        out.systems[system_id] = _system(dataset, system_id, kind, env, out.unmapped)
    return out


def _system(
    dataset: dict[str, Any], system_id: str, kind: str, env: str, unmapped: list[str]
) -> dict[str, Any]:
    connection = {"kind": kind, "url_env" if kind in {"postgresql", "mysql", "sqlite"} else "path_env": env}
    return {
        "id": system_id,
        "name": _same(str(dataset.get("name") or system_id)),
        "connection": connection,
        "location": _NOT_SET,
        "datasets": [_collection(c, dataset, system_id, unmapped) for c in dataset.get("collections", [])],
    }


def _collection(
    collection: dict[str, Any], dataset: dict[str, Any], system_id: str, unmapped: list[str]
) -> dict[str, Any]:
    name = str(collection["name"])
    fields = [
        _field(f, str(dataset.get("fides_key")), f"{system_id}.{name}", unmapped)
        for f in collection.get("fields", [])
    ]
    keys = [
        f["name"]
        for f, raw in zip(fields, collection.get("fields", []), strict=True)
        if (raw.get("fides_meta") or {}).get("primary_key")
    ]
    out: dict[str, Any] = {"id": _ident(name), "name": _same(name)}
    if _ident(name) != name:
        out["table"] = name
    if keys and keys != ["id"]:
        out["primary_key"] = keys
    out["fields"] = fields
    return out


def _field(raw: dict[str, Any], fides_key: str, where: str, unmapped: list[str]) -> dict[str, Any]:
    meta = raw.get("fides_meta") or {}
    categories = [str(c) for c in raw.get("data_categories") or []]
    out: dict[str, Any] = {"name": str(raw["name"])}
    references = [_reference(r, fides_key) for r in meta.get("references") or []]
    is_key = bool(meta.get("primary_key")) or bool(references)
    personal = [c for c in categories if c.startswith("user.")]
    items = [i for i in (item_for(c) for c in personal) if i]
    if personal and not items and not is_key:
        unmapped.extend(f"{where}.{raw['name']}: {c}" for c in personal)
    if items and not is_key:
        out.update(item=items[0], erasure="null")
        if meta.get("identity"):
            out["identity"] = str(meta["identity"])
    if categories:
        out["categories"] = categories
    if references:
        out["references"] = references
    return out


def _reference(ref: dict[str, Any], fides_key: str) -> dict[str, str]:
    target = str(ref["field"])
    if ref.get("dataset") and str(ref["dataset"]) != fides_key:
        target = f"{_ident(str(ref['dataset']))}.{target}"
    return {"field": target, "direction": str(ref.get("direction") or "to")}


def to_yaml(system: dict[str, Any]) -> str:
    """The system as a ``datamap/*.yaml`` file (UTF-8, Japanese as characters)."""
    header = "# Imported from a fideslang dataset: check every item, strategy and reference, then fill in\n"
    header += "# the purposes, source, retention, access and location of each dataset.\n"
    return header + yaml.safe_dump(system, allow_unicode=True, sort_keys=False, width=110)
