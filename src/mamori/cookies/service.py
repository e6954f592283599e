"""Browser consent records: write (banner, GPC, site backend), decide, export, link to a subject.

Banner records are not audited one by one: each record is itself an append-only, timestamped
fact holding no personal data beyond a random browser ID (decision 00xx-cookie-consent-records).
Linking a browser to a person is audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.cookies.models import CookieBrowserLink, CookieConsent
from mamori.cookies.rules import SOURCES, Decision, effective_choices, inventory_hash, may_run
from mamori.db.base import utcnow
from mamori.errors import NotFound, ValidationFailed
from mamori.policy.schema import LANGUAGES
from mamori.policy.sections.cookies import Cookies, WebProperty
from mamori.policy.service import bundle_of, current_version

_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class Inventory:
    """The cookie inventory in force and the policy version it came from."""

    cookies: Cookies
    version: int

    def property(self, property_id: str) -> WebProperty:
        prop = self.cookies.property(property_id)
        if prop is None:
            raise NotFound(f"no web property {property_id!r} in the cookie inventory")
        return prop

    def hash_of(self, property_id: str) -> str:
        return inventory_hash(self.cookies, self.property(property_id))


def current_inventory(session: Session) -> Inventory:
    """Raises NotFound when no policy is in force."""
    version = current_version(session)
    if version is None:
        raise NotFound("no policy has been published yet; run 'mamori policy publish DIR'")
    return Inventory(bundle_of(version).cookies, version.number)


@dataclass(frozen=True, slots=True)
class ConsentInput:
    """One choice as the banner (or a site's backend) sends it."""

    property_id: str
    browser_id: uuid.UUID
    inventory_hash: str
    choices: Mapping[str, bool]
    gpc: bool = False
    source: str = "banner"
    language: str = "ja"


def _problems(inventory: Inventory, index: int, given: ConsentInput) -> list[dict[str, str]]:
    """Each refused field as ``{"field", "message"}`` (the API's problem+json shape)."""
    where = f"records[{index}]"
    if inventory.cookies.property(given.property_id) is None:
        return [{"field": f"{where}.property", "message": f"unknown web property {given.property_id!r}"}]
    problems = []
    if len(given.inventory_hash) != 64 or not set(given.inventory_hash) <= _HEX:  # noqa: PLR2004 - SHA-256
        problems.append({"field": f"{where}.inventory_hash", "message": "expected the 64 hex digits shown"})
    known = {c.id for c in inventory.cookies.categories}
    problems += [
        {"field": f"{where}.choices", "message": f"unknown category {name!r}"}
        for name in given.choices
        if name not in known
    ]
    if given.source not in SOURCES:
        problems.append({"field": f"{where}.source", "message": f"one of {', '.join(SOURCES)}"})
    if given.language not in LANGUAGES:
        problems.append({"field": f"{where}.language", "message": f"one of {', '.join(LANGUAGES)}"})
    return problems


_table = cast("Table", CookieConsent.__table__)


def record_consents(
    session: Session, inventory: Inventory, records: Sequence[ConsentInput]
) -> list[uuid.UUID]:
    """Append the records (one multi-row insert); GPC refusals are applied before storing.

    Raises:
        ValidationFailed: any record is malformed; nothing is stored.
    """
    problems = [p for index, given in enumerate(records) for p in _problems(inventory, index, given)]
    if problems:
        raise ValidationFailed("the consent records were not stored", details={"errors": problems})
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for given in records:
        choices = effective_choices(inventory.cookies, given.choices, gpc=given.gpc)
        rows.append(
            {
                "id": uuid.uuid4(), "property_id": given.property_id, "browser_id": given.browser_id,
                "inventory_hash": given.inventory_hash, "policy_version": inventory.version,
                "choices": choices, "gpc": given.gpc, "source": given.source, "language": given.language,
                "recorded_at": now,
            }
        )  # fmt: skip
    if rows:
        session.execute(insert(_table), rows)
    return [row["id"] for row in rows]


def latest_consent(session: Session, property_id: str, browser_id: uuid.UUID) -> CookieConsent | None:
    stmt = (
        select(CookieConsent)
        .where(CookieConsent.browser_id == browser_id, CookieConsent.property_id == property_id)
        .order_by(CookieConsent.recorded_at.desc(), CookieConsent.id)
        .limit(1)
    )
    return session.scalars(stmt).first()


def decide(
    session: Session, inventory: Inventory, property_id: str, item_id: str, browser_id: uuid.UUID
) -> Decision:
    """May tag ``item_id`` run for this browser on this property, now?

    Raises:
        NotFound: the property or the item is not in the inventory.
    """
    prop = inventory.property(property_id)
    item = next((i for i in prop.items if i.id == item_id), None)
    if item is None:
        raise NotFound(f"no item {item_id!r} on web property {property_id!r}")
    row = latest_consent(session, property_id, browser_id)
    latest = None if row is None else (row.choices, row.gpc, row.inventory_hash)
    return may_run(inventory.cookies, item, latest, inventory.hash_of(property_id))


def consent_record(row: CookieConsent) -> dict[str, Any]:
    """A record in the field structure of ISO/IEC TS 27560 (the fields that apply to a browser)."""
    return {
        "record_id": str(row.id),
        "pii_principal_id": str(row.browser_id),
        "pii_principal_id_type": "pseudonymous-browser-id",
        "web_property": row.property_id,
        "notice": {"inventory_hash": row.inventory_hash, "policy_version": row.policy_version},
        "purposes": [
            {"category": name, "consented": bool(value)} for name, value in sorted(row.choices.items())
        ],
        "global_privacy_control": row.gpc,
        "collection_method": row.source,
        "language": row.language,
        "timestamp": row.recorded_at.isoformat(),
    }


def export_consents(
    session: Session, *, property_id: str | None = None, after: datetime | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """Records oldest first, from ``after`` (exclusive), at most ``limit``."""
    stmt = select(CookieConsent).order_by(CookieConsent.recorded_at, CookieConsent.id).limit(limit)
    if property_id is not None:
        stmt = stmt.where(CookieConsent.property_id == property_id)
    if after is not None:
        stmt = stmt.where(CookieConsent.recorded_at > after)
    return [consent_record(row) for row in session.scalars(stmt)]


def parse_browser_id(value: str | None) -> uuid.UUID | None:
    """The browser ID of a ``mamori_consent``/``mamori_browser`` cookie value, or None when it is not one."""
    try:
        return uuid.UUID((value or "").split("|", 1)[0].strip())
    except ValueError:
        return None


def link_browser(session: Session, *, actor: str, browser_id: uuid.UUID, subject_id: uuid.UUID) -> bool:
    """Remember that a signed-in person used this browser; False when it was linked already."""
    existing = session.scalars(
        select(CookieBrowserLink.id).where(
            CookieBrowserLink.browser_id == browser_id, CookieBrowserLink.subject_id == subject_id
        )
    ).first()
    if existing is not None:
        return False
    link = CookieBrowserLink(browser_id=browser_id, subject_id=subject_id)
    session.add(link)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="cookie_browser.linked",
        target_type="subject",
        target_id=str(subject_id),
        details={"link": str(link.id)},
    )
    return True


def subject_browser_consents(session: Session, subject_id: uuid.UUID) -> list[dict[str, Any]]:
    """The latest record of each browser linked to the person, per web property (for the privacy centre)."""
    browsers = select(CookieBrowserLink.browser_id).where(CookieBrowserLink.subject_id == subject_id)
    stmt = (
        select(CookieConsent)
        .where(CookieConsent.browser_id.in_(browsers))
        .order_by(CookieConsent.recorded_at.desc(), CookieConsent.id)
    )
    latest: dict[tuple[uuid.UUID, str], CookieConsent] = {}
    for row in session.scalars(stmt):
        latest.setdefault((row.browser_id, row.property_id), row)
    return [consent_record(row) for row in latest.values()]
