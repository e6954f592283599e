"""Pure rules over bundles: content hashing and the item-by-item diff between two versions."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
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


# --- joint use (APPI Art. 27(5)(iii) and (6)) ------------------------------------------------


class JointUseClass(StrEnum):
    """What a change of the joint-use declaration requires before or after it takes effect."""

    NEEDS_CONSENT = "needs_consent"  # new items or joint users: each person's consent
    ADVANCE_NOTICE = "advance_notice"  # new purposes or another responsible entity: announce first
    NOTIFY_WITHOUT_DELAY = "notify_without_delay"  # the responsible entity's name/address/representative
    PUBLISH_ONLY = "publish_only"  # narrowing or wording


@dataclass(frozen=True, slots=True)
class JointUseChange:
    kind: JointUseClass
    path: str
    detail: str


def _ids(value: Any, key: str = "id") -> set[str]:
    return {str(entry[key]) for entry in value or [] if isinstance(entry, dict)}


def classify_joint_use(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[JointUseChange]:
    """Each change of the ``joint_use`` section between two versions, with the class it falls in."""
    if old == new or new is None:
        return (
            [] if old == new else [JointUseChange(JointUseClass.PUBLISH_ONLY, "joint_use", "joint use ends")]
        )
    old = old or {}
    changes = [
        JointUseChange(JointUseClass.NEEDS_CONSENT, "joint_use.items", f"new item {item!r}")
        for item in sorted(set(new.get("items", [])) - set(old.get("items", [])))
    ]
    changes += [
        JointUseChange(JointUseClass.NEEDS_CONSENT, "joint_use.companies", f"new joint user {ident!r}")
        for ident in sorted(_ids(new.get("companies")) - _ids(old.get("companies")))
    ]
    if old.get("users") != new.get("users"):
        changes.append(JointUseChange(JointUseClass.NEEDS_CONSENT, "joint_use.users", "scope of joint users"))
    if old.get("purposes") != new.get("purposes"):
        changes.append(JointUseChange(JointUseClass.ADVANCE_NOTICE, "joint_use.purposes", "purposes changed"))
    changes += _responsible_changes(old.get("responsible") or {}, new.get("responsible") or {})
    narrowed = set(old.get("items", [])) - set(new.get("items", [])) or _ids(old.get("companies")) - _ids(
        new.get("companies")
    )
    if narrowed or old.get("statement") != new.get("statement"):
        changes.append(JointUseChange(JointUseClass.PUBLISH_ONLY, "joint_use", "narrowed or reworded"))
    return changes


def _responsible_changes(old: dict[str, Any], new: dict[str, Any]) -> list[JointUseChange]:
    if old.get("id") != new.get("id"):
        detail = f"responsible entity {old.get('id')!r} → {new.get('id')!r}"
        return [JointUseChange(JointUseClass.ADVANCE_NOTICE, "joint_use.responsible", detail)]
    return [
        JointUseChange(
            JointUseClass.NOTIFY_WITHOUT_DELAY, f"joint_use.responsible.{field}", f"{field} changed"
        )
        for field in ("name", "address", "representative")
        if old.get(field) != new.get(field)
    ]


def advance_notice_problem(changes: list[JointUseChange], effective: date, today: date) -> str | None:
    """Why a version with these joint-use changes cannot take effect on ``effective`` (None: it can)."""
    if effective > today or not any(c.kind is JointUseClass.ADVANCE_NOTICE for c in changes):
        return None
    return (
        "the joint-use purposes or responsible entity change: announce it in advance, "
        f"with an effective date after {today.isoformat()}"
    )
