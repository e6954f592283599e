"""Purposes of use (APPI Art. 17 and 18): each change of a purpose, item by item, with its class.

A change that widens a purpose needs the author's word (a ``change_justifications`` entry):
``reasonably_related`` makes it a related change (announced), ``needs_consent`` accepts that
data collected before is used for it only with consent; without either, publishing is refused.
Some widenings need consent whatever the author says: special-care items (Art. 20(2)),
provision to third parties (Art. 27(1)), transfers abroad (Art. 28) and dropping consent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from mamori.policy.changes.model import ChangeClass, Classified
from mamori.policy.schema import parse_period

Justifications = dict[str, dict[str, Any]]
REFERENCE = date(2001, 1, 1)
_ANNOUNCED = ChangeClass.ANNOUNCE
# Widenings the author may justify as reasonably related (or accept as needing consent).
WIDENING = frozenset({
    "purpose.added", "purpose.items_added", "purpose.flags_added", "purpose.text_changed",
    "purpose.category_changed",
})  # fmt: skip
# Widenings that need each person's consent whatever the author says.
ALWAYS_CONSENT = frozenset({
    "purpose.special_care_items_added", "purpose.third_party_provision_added",
    "purpose.countries_added", "purpose.consent_dropped",
})  # fmt: skip


def purposes_of(content: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Purpose id → (category id, purpose) of a bundle content."""
    return {
        purpose["id"]: (category["id"], purpose)
        for category in content.get("subject_categories") or []
        for purpose in category.get("purposes") or []
    }


def _days(period: str) -> int:
    """The length of a period in days, counted from a fixed day (so P5Y and P60M are equal)."""
    years, months, days = parse_period(period)
    year, month = divmod(REFERENCE.month - 1 + years * 12 + months, 12)
    end = REFERENCE.replace(year=REFERENCE.year + year, month=month + 1)
    return (end - REFERENCE).days + days


def _path(category: str, purpose: str, leaf: str = "") -> str:
    tail = f".{leaf}" if leaf else ""
    return f"subject_categories[{category}].purposes[{purpose}]{tail}"


def _list_changes(  # noqa: PLR0913 - one call per list field of a purpose
    old: dict[str, Any], new: dict[str, Any], key: str, added: str, removed: str, where: str
) -> list[tuple[str, str, dict[str, Any]]]:
    gained = sorted(set(new.get(key) or []) - set(old.get(key) or []))
    lost = sorted(set(old.get(key) or []) - set(new.get(key) or []))
    found = [(added, f"{where}.{key}", {key: gained})] if gained else []
    return found + ([(removed, f"{where}.{key}", {key: lost})] if lost else [])


def _widenings(
    old: tuple[str, dict[str, Any]], new: tuple[str, dict[str, Any]], special_care: set[str]
) -> list[tuple[str, str, dict[str, Any]]]:
    """(rule, path, details) of every change of one purpose kept in both versions."""
    (old_cat, before), (category, after) = old, new
    where = _path(category, after["id"])
    found: list[tuple[str, str, dict[str, Any]]] = []
    gained = sorted(set(after["items"]) - set(before["items"]))
    care = [item for item in gained if item in special_care]
    if care:
        found.append(("purpose.special_care_items_added", f"{where}.items", {"items": care}))
    if set(gained) - set(care):
        found.append(("purpose.items_added", f"{where}.items", {"items": sorted(set(gained) - set(care))}))
    lost = sorted(set(before["items"]) - set(after["items"]))
    if lost:
        found.append(("purpose.items_removed", f"{where}.items", {"items": lost}))
    found += _flag_changes(before, after, where)
    found += _list_changes(
        before, after, "countries", "purpose.countries_added", "purpose.countries_removed", where
    )
    if before.get("consent_required") != after.get("consent_required"):
        rule = "purpose.consent_dropped" if before.get("consent_required") else "purpose.consent_now_required"
        found.append((rule, f"{where}.consent_required", {}))
    if before["retention"] != after["retention"]:
        length, was = _days(after["retention"]), _days(before["retention"])
        rule = "purpose.retention_longer" if length > was else "purpose.retention_shorter"
        rule = "purpose.retention_reworded" if length == was else rule
        found.append((rule, f"{where}.retention", {"old": before["retention"], "new": after["retention"]}))
    if before["text"] != after["text"]:
        found.append(("purpose.text_changed", f"{where}.text", {}))
    if old_cat != category:
        found.append(("purpose.category_changed", where, {"old": old_cat, "new": category}))
    return found


def _flag_changes(
    before: dict[str, Any], after: dict[str, Any], where: str
) -> list[tuple[str, str, dict[str, Any]]]:
    gained = set(after.get("flags") or []) - set(before.get("flags") or [])
    found: list[tuple[str, str, dict[str, Any]]] = []
    if "third_party_provision" in gained:
        found.append(
            ("purpose.third_party_provision_added", f"{where}.flags", {"flags": ["third_party_provision"]})
        )
    if "joint_use" in gained:
        found.append(("purpose.joint_use_added", f"{where}.flags", {"flags": ["joint_use"]}))
    others = sorted(gained - {"third_party_provision", "joint_use"})
    if others:
        found.append(("purpose.flags_added", f"{where}.flags", {"flags": others}))
    lost = sorted(set(before.get("flags") or []) - set(after.get("flags") or []))
    if lost:
        found.append(("purpose.flags_removed", f"{where}.flags", {"flags": lost}))
    return found


_FIXED: dict[str, ChangeClass] = {
    "purpose.removed": _ANNOUNCED,
    "purpose.added_with_consent": _ANNOUNCED,
    "purpose.added_for_new_category": _ANNOUNCED,
    "purpose.items_removed": ChangeClass.PUBLISH,
    "purpose.flags_removed": ChangeClass.PUBLISH,
    "purpose.countries_removed": ChangeClass.PUBLISH,
    "purpose.retention_shorter": ChangeClass.PUBLISH,
    "purpose.retention_reworded": ChangeClass.PUBLISH,
    "purpose.consent_now_required": _ANNOUNCED,
    "purpose.retention_longer": _ANNOUNCED,
    "purpose.joint_use_added": ChangeClass.ANNOUNCE_IN_ADVANCE,
}


_NO_NOTE = (
    "a widened purpose needs a change_justifications entry: reasonably_related (with the reason)"
    " or needs_consent"
)
_BY_KIND: dict[str | None, tuple[ChangeClass, str | None]] = {
    "reasonably_related": (ChangeClass.RELATED_CHANGE, None),
    "needs_consent": (ChangeClass.NEEDS_CONSENT, None),
    "wording_only": (ChangeClass.NEEDS_CONSENT, "'wording_only' covers a changed text only, not this change"),
    None: (ChangeClass.NEEDS_CONSENT, _NO_NOTE),
}


def _resolve(rule: str, note: dict[str, Any] | None) -> tuple[ChangeClass, str | None]:
    """The class of a purpose change given the author's justification, and what is missing."""
    kind = None if note is None else note.get("kind")
    if rule in _FIXED:
        return _FIXED[rule], None
    if rule in ALWAYS_CONSENT:
        refused = kind in {"reasonably_related", "wording_only"}
        return ChangeClass.NEEDS_CONSENT, (
            f"'{kind}' cannot cover this change: it needs consent by law" if refused else None
        )
    if kind == "wording_only" and rule == "purpose.text_changed":
        return ChangeClass.PUBLISH, None
    return _BY_KIND[kind]


def classify_purposes(old: dict[str, Any], new: dict[str, Any], notes: Justifications) -> list[Classified]:
    """Every change of every purpose between two contents; ``notes`` are this revision's justifications."""
    before, after = purposes_of(old), purposes_of(new)
    old_categories = {category["id"] for category in old.get("subject_categories") or []}
    care = {item["id"] for item in new.get("data_items") or [] if item.get("special_care")}
    found: list[tuple[str, str, str, dict[str, Any]]] = []
    for purpose_id in sorted(before.keys() | after.keys()):
        if purpose_id not in after:
            found.append((purpose_id, "purpose.removed", _path(before[purpose_id][0], purpose_id), {}))
        elif purpose_id not in before:
            found.append(
                (
                    purpose_id,
                    _added_rule(after[purpose_id], old_categories),
                    _path(*_ids(after, purpose_id)),
                    {},
                )
            )
        else:
            found += [
                (purpose_id, *entry) for entry in _widenings(before[purpose_id], after[purpose_id], care)
            ]
    return [
        _classified(purpose_id, rule, path, details, notes.get(purpose_id))
        for purpose_id, rule, path, details in found
    ]


def _ids(purposes: dict[str, tuple[str, dict[str, Any]]], purpose_id: str) -> tuple[str, str]:
    return purposes[purpose_id][0], purpose_id


def _added_rule(entry: tuple[str, dict[str, Any]], old_categories: set[str]) -> str:
    category, purpose = entry
    if category not in old_categories:
        return "purpose.added_for_new_category"  # nobody's data was collected under it before
    if purpose.get("consent_required"):
        return "purpose.added_with_consent"  # used only with each person's consent anyway
    return "purpose.added"


def _classified(
    purpose_id: str, rule: str, path: str, details: dict[str, Any], note: dict[str, Any] | None
) -> Classified:
    change_class, missing = _resolve(rule, note)
    return Classified(
        change_class,
        rule,
        purpose_id,
        path,
        {"purpose": purpose_id, **details},
        justification=None if note is None else {"kind": note["kind"], **note["text"]},
        missing=missing,
    )
