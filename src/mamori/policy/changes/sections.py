"""Everything but purposes: recipients, processors, joint use, contact points and the rest."""

from __future__ import annotations

from typing import Any

from mamori.policy.changes.model import ChangeClass, Classified
from mamori.policy.rules import Change, ChangeKind, JointUseClass, classify_joint_use

_JOINT: dict[JointUseClass, ChangeClass] = {
    JointUseClass.NEEDS_CONSENT: ChangeClass.NEEDS_CONSENT,
    JointUseClass.ADVANCE_NOTICE: ChangeClass.ANNOUNCE_IN_ADVANCE,
    JointUseClass.NOTIFY_WITHOUT_DELAY: ChangeClass.ANNOUNCE,
    JointUseClass.PUBLISH_ONLY: ChangeClass.PUBLISH,
}
# Bundle paths (prefixes) whose changes people must be told about, with the rule's name. The
# first match wins; what matches none is wording or internal configuration (class publish).
_ANNOUNCED: tuple[tuple[str, str], ...] = (
    ("controller", "contact.controller_changed"),  # APPI Art. 32(1)(i): name, address, representative
    ("contact_centre", "contact.centre_changed"),  # where complaints and requests go
    ("requests.reception", "contact.reception_changed"),
    ("requests", "requests.procedure_changed"),  # Art. 32(1)(iii): how to make a request
    ("cookies", "cookies.changed"),
    ("third_party_provision.exceptions", "third_party.exceptions_changed"),
    ("provisions.countries", "country_information.changed"),  # shown before consents abroad
    ("outsourcing.duties", "outsourcing.duties_changed"),
    ("pipl", "pipl.changed"),
)


def _top(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


def joint_use(old: dict[str, Any], new: dict[str, Any]) -> list[Classified]:
    return [
        Classified(
            _JOINT[change.kind],
            f"joint_use.{change.kind.value}",
            "joint_use",
            change.path,
            {"detail": change.detail},
        )
        for change in classify_joint_use(old.get("joint_use"), new.get("joint_use"))
    ]


def _keyed(content: dict[str, Any], section: str, key: str) -> dict[str, dict[str, Any]]:
    return {entry["id"]: entry for entry in (content.get(section) or {}).get(key) or []}


def recipients(old: dict[str, Any], new: dict[str, Any]) -> list[Classified]:
    """Third parties (APPI Art. 27, 28): a new recipient, or one moved abroad, needs consent."""
    before, after = _keyed(old, "provisions", "recipients"), _keyed(new, "provisions", "recipients")
    found: list[Classified] = []
    for ident in sorted(before.keys() | after.keys()):
        path = f"provisions.recipients[{ident}]"
        if ident not in after:
            found.append(Classified(ChangeClass.PUBLISH, "recipient.removed", ident, path))
        elif ident not in before:
            details = {"recipient": ident, "country": after[ident].get("country", "JP")}
            found.append(Classified(ChangeClass.NEEDS_CONSENT, "recipient.added", ident, path, details))
        elif before[ident].get("country") != after[ident].get("country"):
            details = {
                "recipient": ident,
                "old": before[ident].get("country"),
                "new": after[ident].get("country"),
            }
            found.append(
                Classified(ChangeClass.NEEDS_CONSENT, "recipient.country_changed", ident, path, details)
            )
        elif before[ident] != after[ident]:
            found.append(
                Classified(ChangeClass.ANNOUNCE, "recipient.changed", ident, path, {"recipient": ident})
            )
    return found


def processors(old: dict[str, Any], new: dict[str, Any]) -> list[Classified]:
    """Processors: one abroad is made known (the foreign environment, Art. 32(1)(iv)); others published."""
    before, after = _keyed(old, "outsourcing", "processors"), _keyed(new, "outsourcing", "processors")
    found: list[Classified] = []
    for ident in sorted(before.keys() | after.keys()):
        path, details = f"outsourcing.processors[{ident}]", {"processor": ident}
        if ident not in after:
            found.append(Classified(ChangeClass.PUBLISH, "processor.removed", ident, path, details))
            continue
        country = after[ident].get("country", "JP")
        moved = ident not in before or before[ident].get("country", "JP") != country
        if moved and country != "JP":
            rule = "processor.added_abroad" if ident not in before else "processor.moved_abroad"
            found.append(Classified(ChangeClass.ANNOUNCE, rule, ident, path, {**details, "country": country}))
        elif before.get(ident) != after[ident]:
            rule = "processor.added" if ident not in before else "processor.changed"
            found.append(Classified(ChangeClass.PUBLISH, rule, ident, path, details))
    return found


def other(change: Change) -> Classified:
    """A change outside the areas with rules of their own: announced when people rely on it."""
    if change.path.startswith("data_items[") and change.path.endswith(".special_care") and change.new is True:
        return Classified(ChangeClass.ANNOUNCE, "data_item.special_care", change.path, change.path)
    for prefix, rule in _ANNOUNCED:
        if _top(change.path, prefix):
            return Classified(ChangeClass.ANNOUNCE, rule, prefix, change.path, {"kind": change.kind.value})
    rule = (
        "record"
        if _top(change.path, "revisions") or _top(change.path, "change_justifications")
        else "wording_or_internal"
    )
    return Classified(
        ChangeClass.PUBLISH,
        rule,
        change.path.split(".")[0].split("[")[0],
        change.path,
        {"kind": change.kind.value},
    )


def trivial(change: Change) -> bool:
    """An optional section that appeared or vanished empty (an older version lacked the key)."""
    return change.kind is not ChangeKind.CHANGED and (
        change.old if change.kind is ChangeKind.REMOVED else change.new
    ) in ([], {}, None)
