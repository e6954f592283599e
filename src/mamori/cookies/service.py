"""Browser consent records: write (banner, GPC, site backend), decide, export, link to a subject.

Banner records are not audited one by one: each record is itself an append-only, timestamped
fact holding no personal data beyond a random browser ID (decision 00xx-cookie-consent-records).
Linking a browser to a person is audited.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Dialect, Table, select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.cookies.models import CookieBrowserLink, CookieConsent
from mamori.cookies.rules import SOURCES, Decision, effective_choices, inventory_hash, may_run
from mamori.db.base import utcnow
from mamori.errors import NotFound, ValidationFailed
from mamori.policy.models import PolicyVersion
from mamori.policy.schema import LANGUAGES
from mamori.policy.sections.cookies import Cookies, WebProperty
from mamori.policy.service import TOKYO, bundle_of

_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class Inventory:
    """The cookie inventory in force and the policy version it came from (immutable, cached per version)."""

    cookies: Cookies
    version: int
    _hashes: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def property(self, property_id: str) -> WebProperty:
        prop = self.cookies.property(property_id)
        if prop is None:
            raise NotFound(f"no web property {property_id!r} in the cookie inventory")
        return prop

    def hash_of(self, property_id: str) -> str:
        digest = self._hashes.get(property_id)
        if digest is None:
            digest = inventory_hash(self.cookies, self.property(property_id))
            self._hashes[property_id] = digest
        return digest


# Published versions never change: their inventory is read once per process, by version id.
_inventories: dict[uuid.UUID, Inventory] = {}
_inventories_lock = threading.Lock()


def current_inventory(session: Session) -> Inventory:
    """The inventory of the version in force. Raises NotFound when no policy is in force.

    One small query per call (which version is in force today); the version's content is read and
    validated only the first time this process meets it.
    """
    stmt = (
        select(PolicyVersion.id, PolicyVersion.number)
        .where(PolicyVersion.effective_date <= datetime.now(TOKYO).date())
        .order_by(PolicyVersion.number.desc())
        .limit(1)
    )
    row = session.execute(stmt).first()
    if row is None:
        raise NotFound("no policy has been published yet; run 'mamori policy publish DIR'")
    inventory = _inventories.get(row.id)
    if inventory is None:
        version = session.get(PolicyVersion, row.id)
        assert version is not None  # noqa: S101 - just selected
        inventory = Inventory(bundle_of(version).cookies, version.number)
        with _inventories_lock:
            if len(_inventories) > 32:  # noqa: PLR2004 - a handful of versions in force over a process's life
                _inventories.clear()
            _inventories[row.id] = inventory
    return inventory


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs several times more, per record
class ConsentInput:
    """One choice as the banner (or a site's backend) sends it."""

    property_id: str
    browser_id: uuid.UUID
    inventory_hash: str
    choices: Mapping[str, bool]
    gpc: bool = False
    source: str = "banner"
    language: str = "ja"


def _problems(
    inventory: Inventory, index: int, given: ConsentInput, known: frozenset[str]
) -> list[dict[str, str]]:
    """Each refused field as ``{"field", "message"}`` (the API's problem+json shape)."""
    where = f"records[{index}]"
    if inventory.cookies.property(given.property_id) is None:
        return [{"field": f"{where}.property", "message": f"unknown web property {given.property_id!r}"}]
    problems = []
    if len(given.inventory_hash) != 64 or not set(given.inventory_hash) <= _HEX:  # noqa: PLR2004 - SHA-256
        problems.append({"field": f"{where}.inventory_hash", "message": "expected the 64 hex digits shown"})
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
_COLUMNS = ("id", "property_id", "browser_id", "inventory_hash", "policy_version", "choices", "gpc",
            "source", "language", "recorded_at")  # fmt: skip
_REPEATED = frozenset({"choices", "recorded_at", "policy_version", "gpc"})
Processor = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class _Insert:
    """The insert as the driver takes it: SQL text and each column's conversion, made once per dialect."""

    sql: str
    convert: tuple[Processor | None, ...]

    @classmethod
    def of(cls, dialect: Dialect) -> _Insert:
        mark = "?" if dialect.paramstyle in {"qmark", "numeric"} else "%s"
        preparer = dialect.identifier_preparer
        names = ", ".join(preparer.quote(name) for name in _COLUMNS)
        marks = ", ".join([mark] * len(_COLUMNS))
        # Only the model's own table and column names and placeholders: no value is ever in the text.
        sql = f"INSERT INTO {preparer.format_table(_table)} ({names}) VALUES ({marks})"  # noqa: S608
        convert = tuple(
            _table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in _COLUMNS
        )
        return cls(sql, convert)


_inserts: dict[str, _Insert] = {}


def _insert_rows(session: Session, rows: list[list[Any]]) -> None:
    """One prepared multi-row insert through the driver (executemany), in the session's transaction.

    The same statement SQLAlchemy's ORM would send, without building a parameter dict per row; each
    value is converted by its column type's own bind processor, so what is stored is identical.
    """
    connection = session.connection()
    dialect = connection.dialect
    prepared = _inserts.get(dialect.name)
    if prepared is None:
        prepared = _inserts[dialect.name] = _Insert.of(dialect)
    for index, convert in enumerate(prepared.convert):
        if convert is None:
            continue
        if _COLUMNS[index] not in _REPEATED:
            for row in rows:
                row[index] = convert(row[index])
            continue
        memo: dict[Any, Any] = {}
        for row in rows:  # a handful of distinct values (choices, time): each converted once
            value = row[index]
            key = tuple(value.items()) if isinstance(value, dict) else value
            done = memo.get(key, memo)
            if done is memo:
                done = memo[key] = convert(value)
            row[index] = done
    connection.exec_driver_sql(prepared.sql, [tuple(row) for row in rows])


def _new_ids(count: int) -> list[uuid.UUID]:
    """Random (version 4) record ids, from one read of the system's random source."""
    pool = os.urandom(16 * count)
    return [uuid.UUID(bytes=pool[16 * n : 16 * n + 16], version=4) for n in range(count)]


def record_consents(
    session: Session, inventory: Inventory, records: Sequence[ConsentInput]
) -> list[uuid.UUID]:
    """Append the records (one multi-row insert); GPC refusals are applied before storing.

    Raises:
        ValidationFailed: any record is malformed; nothing is stored.
    """
    known = frozenset(c.id for c in inventory.cookies.categories)
    properties = frozenset(p.id for p in inventory.cookies.properties)
    hashes: set[str] = set()  # the same hash repeats in a batch: its digits are checked once

    def fine(given: ConsentInput) -> bool:
        if given.inventory_hash not in hashes:
            if len(given.inventory_hash) != 64 or not set(given.inventory_hash) <= _HEX:  # noqa: PLR2004
                return False
            hashes.add(given.inventory_hash)
        return (
            given.property_id in properties
            and given.source in SOURCES
            and given.language in LANGUAGES
            and all(name in known for name in given.choices)
        )

    problems = [
        problem
        for index, given in enumerate(records)
        if not fine(given)
        for problem in _problems(inventory, index, given, known)
    ]
    if problems:
        raise ValidationFailed("the consent records were not stored", details={"errors": problems})
    if not records:
        return []
    now = utcnow()
    ids = _new_ids(len(records))
    outcomes: dict[tuple[tuple[tuple[str, bool], ...], bool], dict[str, bool]] = {}
    rows: list[list[Any]] = []
    for record_id, given in zip(ids, records, strict=True):
        key = (tuple(given.choices.items()), given.gpc)
        choices = outcomes.get(key)
        if choices is None:
            choices = outcomes[key] = effective_choices(inventory.cookies, given.choices, gpc=given.gpc)
        rows.append([record_id, given.property_id, given.browser_id, given.inventory_hash, inventory.version,
                     choices, given.gpc, given.source, given.language, now])  # fmt: skip
    _insert_rows(session, rows)
    return ids


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
