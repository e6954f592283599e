"""The cookie inventory, tag by tag: a new tag, destination or linked recipient is a classified change.

The banner asks every browser again whenever a property's inventory changes (its hash), so what
matters here is what the notice and the law ask of the organisation:

- a new tag, or a tag sending to another host or country: the external-transmission notice
  (Telecommunications Business Act Art. 27-12) must say so before it runs → ``announce``;
- a new non-necessary category, or a recipient that ties the data to a person (APPI Art. 31): a
  choice made before does not cover it, each browser's consent must be confirmed → ``needs_consent``;
- scanner hints (cookie names, script hosts) → ``publish``; a tag removed → ``publish``.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from mamori.cookies.rules import ItemChange, ItemChangeKind, diff_inventories
from mamori.policy.changes.model import ChangeClass, Classified
from mamori.policy.sections.cookies import Cookies

# Item fields only the scanner reads: changing them changes nothing a visitor is told.
_SCANNER_ONLY = frozenset({"cookies", "script_hosts"})
OWNED = ("cookies.categories", "cookies.properties")


def parse(content: dict[str, Any]) -> Cookies | None:
    """The ``cookies`` section of a bundle's content; None when absent or not of the current shape."""
    raw = content.get("cookies")
    if not raw:
        return None
    try:
        return Cookies.model_validate(raw)
    except ValidationError:
        return None


def _item(change: ItemChange, cookies: Cookies) -> list[Classified]:
    target = f"{change.property_id}/{change.item_id}"
    path = f"cookies.properties[{change.property_id}].items[{change.item_id}]"
    details: dict[str, Any] = {"property": change.property_id, "item": change.item_id}
    if change.kind is ItemChangeKind.REMOVED:
        return [Classified(ChangeClass.PUBLISH, "cookies.item_removed", target, path, details)]
    new = change.new or {}
    destination = new.get("destination") or {}
    details |= {"host": destination.get("host"), "country": destination.get("country")}
    category = cookies.category(str(new.get("category")))
    necessary = category is not None and category.strictly_necessary
    found: list[Classified] = []
    if change.kind is ItemChangeKind.ADDED:
        found.append(Classified(ChangeClass.ANNOUNCE, "cookies.item_added", target, path, details))
        linked_now = bool(new.get("linked_to_person"))
    else:
        old = change.old or {}
        fields = set(change.fields)
        if "destination" in fields:
            moved = {
                **details,
                "old_host": old["destination"].get("host"),
                "old_country": old["destination"].get("country"),
            }
            found.append(Classified(ChangeClass.ANNOUNCE, "cookies.destination_changed", target, path, moved))
        told = fields - _SCANNER_ONLY - {"destination", "linked_to_person"}
        if told:
            found.append(
                Classified(
                    ChangeClass.ANNOUNCE,
                    "cookies.item_changed",
                    target,
                    path,
                    {**details, "fields": sorted(told)},
                )
            )
        elif fields <= _SCANNER_ONLY:
            found.append(Classified(ChangeClass.PUBLISH, "cookies.scanner_hints", target, path, details))
        # A recipient newly tying the data to a person: linking turned on, or another provider.
        linked_now = bool(new.get("linked_to_person")) and (
            not old.get("linked_to_person") or "provider" in fields
        )
    if linked_now and not necessary:
        found.append(Classified(ChangeClass.NEEDS_CONSENT, "cookies.linked_recipient", target, path, details))
    return found


def _categories(before: Cookies | None, after: Cookies) -> list[Classified]:
    old = {c.id: c for c in before.categories} if before else {}
    found: list[Classified] = []
    for category in after.categories:
        path = f"cookies.categories[{category.id}]"
        was = old.get(category.id)
        if was is None:
            change_class = ChangeClass.ANNOUNCE if category.strictly_necessary else ChangeClass.NEEDS_CONSENT
            found.append(
                Classified(
                    change_class, "cookies.category_added", category.id, path, {"category": category.id}
                )
            )
        elif was != category:
            found.append(
                Classified(
                    ChangeClass.ANNOUNCE,
                    "cookies.category_changed",
                    category.id,
                    path,
                    {"category": category.id},
                )
            )
    kept = {c.id for c in after.categories}
    found += [
        Classified(
            ChangeClass.PUBLISH,
            "cookies.category_removed",
            ident,
            f"cookies.categories[{ident}]",
            {"category": ident},
        )
        for ident in sorted(old.keys() - kept)
    ]
    return found


def _properties(before: Cookies | None, after: Cookies) -> list[Classified]:
    """A property's own fields (its name and origins); its items are classified one by one."""
    old = {p.id: p for p in before.properties} if before else {}
    new = {p.id: p for p in after.properties}
    found: list[Classified] = []
    for ident in sorted(old.keys() | new.keys()):
        path, details = f"cookies.properties[{ident}]", {"property": ident}
        if ident not in new:
            found.append(Classified(ChangeClass.PUBLISH, "cookies.property_removed", ident, path, details))
        elif ident not in old:
            found.append(Classified(ChangeClass.ANNOUNCE, "cookies.property_added", ident, path, details))
        elif old[ident].model_dump(exclude={"items"}) != new[ident].model_dump(exclude={"items"}):
            found.append(Classified(ChangeClass.ANNOUNCE, "cookies.property_changed", ident, path, details))
    return found


def inventory(old: dict[str, Any], new: dict[str, Any]) -> list[Classified] | None:
    """The inventory's changes; None when either side cannot be read (then the raw diff counts)."""
    after = parse(new)
    before = parse(old)
    if after is None or (old.get("cookies") and before is None):
        return None
    found = _categories(before, after) + _properties(before, after)
    for change in diff_inventories(before, after):
        found += _item(change, after if change.kind is not ItemChangeKind.REMOVED else (before or after))
    return found
