"""Pure rules over bundles: content hashing and the item-by-item diff between two versions."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

_KEYS = ("id", "code")


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a validated bundle (key order and spacing do not matter)."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    path: str
    old: Any = None
    new: Any = None


def _key_of(item: Any) -> str | None:
    if isinstance(item, dict):
        for key in _KEYS:
            if isinstance(item.get(key), str):
                return str(item[key])
    return None


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    """A list of records with ids becomes a mapping, so a reordering is not a change."""
    keys = [_key_of(item) for item in items]
    if not items or None in keys or len(set(keys)) != len(keys):
        return None
    return {str(key): item for key, item in zip(keys, items, strict=True)}


def _join(path: str, part: str, *, keyed: bool = False) -> str:
    if keyed:
        return f"{path}[{part}]"
    return f"{path}.{part}" if path else part


def diff_content(old: Any, new: Any, path: str = "") -> list[Change]:
    """Every added, removed and changed item between two bundle contents, with a readable path."""
    if isinstance(old, dict) and isinstance(new, dict):
        return _diff_maps(old, new, path, keyed=False)
    if isinstance(old, list) and isinstance(new, list):
        old_keyed, new_keyed = _keyed(old), _keyed(new)
        if old_keyed is not None and new_keyed is not None:
            return _diff_maps(old_keyed, new_keyed, path, keyed=True)
        if old == new:
            return []
        return [Change(ChangeKind.CHANGED, path, old, new)]
    return [] if old == new else [Change(ChangeKind.CHANGED, path, old, new)]


def _diff_maps(old: dict[str, Any], new: dict[str, Any], path: str, *, keyed: bool) -> list[Change]:
    changes: list[Change] = []
    for key in old.keys() | new.keys():
        child = _join(path, key, keyed=keyed)
        if key not in new:
            changes.append(Change(ChangeKind.REMOVED, child, old=old[key]))
        elif key not in old:
            changes.append(Change(ChangeKind.ADDED, child, new=new[key]))
        else:
            changes.extend(diff_content(old[key], new[key], child))
    return sorted(changes, key=lambda change: change.path)
