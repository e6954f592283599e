"""Pure rules of the cookies room: inventory hashes and diffs, consent decisions, GPC, scan findings."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any

from mamori.policy.sections.cookies import Cookies, InventoryItem, WebProperty

SOURCES = ("banner", "gpc", "api", "centre")


def inventory_content(cookies: Cookies, prop: WebProperty) -> dict[str, Any]:
    """What the banner of ``prop`` shows: its categories in use and its items (canonical JSON-able)."""
    used = {item.category for item in prop.items}
    return {
        "property": prop.model_dump(mode="json", by_alias=True),
        "categories": [
            c.model_dump(mode="json", by_alias=True)
            for c in cookies.categories
            if c.id in used or c.strictly_necessary
        ],
    }


def inventory_hash(cookies: Cookies, prop: WebProperty) -> str:
    """SHA-256 of the property's inventory: any change to it re-prompts every browser."""
    text = json.dumps(
        inventory_content(cookies, prop), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


class ItemChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class ItemChange:
    """One inventory item added, removed or changed (``fields`` names what changed)."""

    kind: ItemChangeKind
    property_id: str
    item_id: str
    fields: tuple[str, ...] = ()
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None


def _items(cookies: Cookies | None) -> dict[tuple[str, str], dict[str, Any]]:
    if cookies is None:
        return {}
    return {
        (prop.id, item.id): item.model_dump(mode="json", by_alias=True)
        for prop in cookies.properties
        for item in prop.items
    }


def diff_inventories(old: Cookies | None, new: Cookies | None) -> list[ItemChange]:
    """Item by item, what changed between two inventories (for the revisions classifier).

    A new tag is ``added``; a tag whose destination, what it sends, category or linking changed is
    ``changed`` with those field names. Sorted by property and item id.
    """
    before, after = _items(old), _items(new)
    changes: list[ItemChange] = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if was is None:
            changes.append(ItemChange(ItemChangeKind.ADDED, *key, new=now))
        elif now is None:
            changes.append(ItemChange(ItemChangeKind.REMOVED, *key, old=was))
        elif was != now:
            fields = tuple(sorted(k for k in was.keys() | now.keys() if was.get(k) != now.get(k)))
            changes.append(ItemChange(ItemChangeKind.CHANGED, *key, fields=fields, old=was, new=now))
    return changes


def effective_choices(cookies: Cookies, chosen: Mapping[str, bool], *, gpc: bool) -> dict[str, bool]:
    """Every category's outcome: necessary always on, GPC refuses sale/sharing/advertising, else as chosen."""
    result: dict[str, bool] = {}
    for category in cookies.categories:
        if category.strictly_necessary:
            result[category.id] = True
        elif gpc and category.gpc_opt_out:
            result[category.id] = False
        else:
            result[category.id] = bool(chosen.get(category.id, False))
    return result


class Verdict(StrEnum):
    ALLOWED = "allowed"
    NECESSARY = "strictly_necessary"
    REFUSED = "refused"
    GPC = "refused_by_gpc"
    NO_CONSENT = "no_consent"
    OUTDATED = "consent_outdated"


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    verdict: Verdict


def may_run(
    cookies: Cookies,
    item: InventoryItem,
    latest: tuple[Mapping[str, Any], bool, str] | None,
    current_hash: str,
) -> Decision:
    """May ``item`` run for a browser whose latest record is ``(choices, gpc, inventory hash)``?

    A record made for another inventory no longer counts (the banner asks again), except that a
    GPC refusal stands.
    """
    category = cookies.category(item.category)
    if category is not None and category.strictly_necessary:
        return Decision(allowed=True, verdict=Verdict.NECESSARY)
    if latest is None:
        return Decision(allowed=False, verdict=Verdict.NO_CONSENT)
    choices, gpc, shown = latest
    if gpc and category is not None and category.gpc_opt_out:
        return Decision(allowed=False, verdict=Verdict.GPC)
    if shown != current_hash:
        return Decision(allowed=False, verdict=Verdict.OUTDATED)
    if choices.get(item.category) is True:
        return Decision(allowed=True, verdict=Verdict.ALLOWED)
    return Decision(allowed=False, verdict=Verdict.REFUSED)


# -- the scanner's findings ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Observation:
    """What one crawl saw: cookie names set and hosts the browser sent requests to."""

    cookies: frozenset[str] = frozenset()
    hosts: frozenset[str] = frozenset()


@dataclass
class ScanReport:
    undeclared_cookies: list[str] = field(default_factory=list)
    undeclared_hosts: list[str] = field(default_factory=list)
    before_consent: list[str] = field(default_factory=list)
    never_seen: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.undeclared_cookies or self.undeclared_hosts or self.before_consent)


def _hosts_of(item: InventoryItem) -> set[str]:
    return {item.destination.host, *item.script_hosts}


def _host_matches(host: str, declared: set[str]) -> bool:
    return any(host == d or host.endswith(f".{d}") for d in declared)


def items_seen(items: list[InventoryItem], seen: Observation) -> set[str]:
    """Ids of the items whose cookie names or hosts appear in the observation."""
    found: set[str] = set()
    for item in items:
        cookie_hit = any(fnmatchcase(name, pattern) for name in seen.cookies for pattern in item.cookies)
        if cookie_hit or any(_host_matches(host, _hosts_of(item)) for host in seen.hosts):
            found.add(item.id)
    return found


def scan_findings(
    cookies: Cookies, prop: WebProperty, site_hosts: set[str], before: Observation, after: Observation
) -> ScanReport:
    """Compare two crawls (before any consent, after accepting all) with the property's inventory."""
    patterns = [pattern for item in prop.items for pattern in item.cookies]
    declared_hosts = {host for item in prop.items for host in _hosts_of(item)}
    every = Observation(before.cookies | after.cookies, before.hosts | after.hosts)
    report = ScanReport()
    report.undeclared_cookies = sorted(
        name for name in every.cookies if not any(fnmatchcase(name, p) for p in patterns)
    )
    report.undeclared_hosts = sorted(
        host for host in every.hosts if host not in site_hosts and not _host_matches(host, declared_hosts)
    )
    necessary = {c.id for c in cookies.categories if c.strictly_necessary}
    optional = [item for item in prop.items if item.category not in necessary]
    report.before_consent = sorted(items_seen(optional, before))
    seen = items_seen(prop.items, every)
    report.seen = sorted(seen)
    # A first-party necessary cookie may only appear after a click (the consent cookie itself).
    report.never_seen = sorted(item.id for item in prop.items if item.id not in seen)
    return report
