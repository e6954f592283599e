"""The ``cookies`` section: the cookie, tag and SDK inventory of the organisation's web properties.

The Telecommunications Business Act Art. 27-12 (external-transmission rule, from 2023-06-16) asks a
site that makes the visitor's browser send information to someone to say, per transmission, what
is sent, who receives it and why. APPI Art. 31 adds that when the recipient links a cookie ID to a
person, the person's consent must be confirmed first. The inventory holds exactly those facts; the
public pages ``/cookies`` and ``/external-transmission`` and the banner are generated from it.

Categories group items for the visitor's choice. A ``strictly_necessary`` category is never asked
about (and is exempt from the rule); a ``gpc_opt_out`` category (sale, sharing, advertising) is
refused whenever the browser sends Global Privacy Control.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import Field, field_validator

from mamori.policy.schema import Ident, Strict, Text

if TYPE_CHECKING:
    from mamori.policy.schema import Loc

_HOST = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
_ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:\d{1,5})?$")
_RETENTION = re.compile(r"^(session|P(\d+Y)?(\d+M)?(\d+D)?(T\d+H)?)$")


class ItemKind(StrEnum):
    COOKIE = "cookie"
    TAG = "tag"
    SDK = "sdk"
    PIXEL = "pixel"
    STORAGE = "storage"


class CookieCategory(Strict):
    id: Ident
    name: Text
    description: Text
    strictly_necessary: bool = False
    gpc_opt_out: bool = Field(
        default=False, description="sale, sharing or advertising: refused when the browser sends GPC"
    )


class Destination(Strict):
    host: str = Field(description="the host the browser sends to, e.g. www.google-analytics.com")
    country: str = Field(pattern=r"^[A-Z]{2}$", description="country of the recipient (ISO 3166)")

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not _HOST.match(value):
            msg = "expected a lower-case host name such as www.google-analytics.com"
            raise ValueError(msg)
        return value


class InventoryItem(Strict):
    """One cookie, tag or SDK: the facts the external-transmission rule asks for."""

    id: Ident
    name: str = Field(min_length=1, max_length=120, description="product name, e.g. Google Analytics 4")
    kind: ItemKind
    provider: Text = Field(description="who receives what is sent (the recipient)")
    sent: Text = Field(description="what the browser sends")
    destination: Destination
    purpose: Text = Field(description="why: our purpose and the recipient's")
    category: Ident
    retention: str = Field(description="'session' or an ISO 8601 period such as P2Y or P13M")
    linked_to_person: bool = Field(
        default=False, description="the recipient ties it to a person (APPI Art. 31: consent first)"
    )
    cookies: list[str] = Field(default_factory=list, description="names of the cookies it sets")
    script_hosts: list[str] = Field(
        default_factory=list, description="other hosts it loads from or sends to (for the scanner)"
    )
    privacy_url: str | None = None

    @field_validator("retention")
    @classmethod
    def _retention(cls, value: str) -> str:
        if not _RETENTION.match(value) or value == "P":
            msg = "expected 'session' or an ISO 8601 period like P2Y, P13M, P30D or PT1H"
            raise ValueError(msg)
        return value


class WebProperty(Strict):
    id: Ident
    name: Text
    origins: list[str] = Field(min_length=1, description="scheme://host[:port] the banner runs on")
    items: list[InventoryItem] = Field(default_factory=list)

    @field_validator("origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not _ORIGIN.match(origin):
                msg = f"{origin!r} is not an origin like https://www.example.jp"
                raise ValueError(msg)
        return value


class Cookies(Strict):
    statement: Text
    policy_url: str | None = Field(
        default=None, description="an outside cookie policy; without it the notice links /cookies"
    )
    categories: list[CookieCategory] = Field(default_factory=list)
    properties: list[WebProperty] = Field(default_factory=list)

    def category(self, ident: str) -> CookieCategory | None:
        return next((c for c in self.categories if c.id == ident), None)

    def property(self, ident: str) -> WebProperty | None:
        return next((p for p in self.properties if p.id == ident), None)


def _duplicated(where: Loc, ids: list[str]) -> list[tuple[Loc, str]]:
    seen: set[str] = set()
    problems: list[tuple[Loc, str]] = []
    for index, ident in enumerate(ids):
        if ident in seen:
            problems.append(((*where, index, "id"), f"duplicate id {ident!r}"))
        seen.add(ident)
    return problems


def cookie_problems(cookies: Cookies) -> list[tuple[Loc, str]]:
    """Repeated ids, undeclared categories, and necessary items that send to someone who links them."""
    problems = _duplicated(("cookies", "categories"), [c.id for c in cookies.categories])
    problems += _duplicated(("cookies", "properties"), [p.id for p in cookies.properties])
    necessary = [c for c in cookies.categories if c.strictly_necessary]
    if len(necessary) > 1:
        problems.append((("cookies", "categories"), "at most one category may be strictly_necessary"))
    for c_index, declared in enumerate(cookies.categories):
        if declared.strictly_necessary and declared.gpc_opt_out:
            where: Loc = ("cookies", "categories", c_index, "gpc_opt_out")
            problems.append((where, "a strictly necessary category cannot be refused by GPC"))
    known = {c.id: c for c in cookies.categories}
    for p_index, prop in enumerate(cookies.properties):
        problems += _duplicated(("cookies", "properties", p_index, "items"), [i.id for i in prop.items])
        for i_index, item in enumerate(prop.items):
            where = ("cookies", "properties", p_index, "items", i_index)
            category = known.get(item.category)
            if category is None:
                problems.append(((*where, "category"), f"undeclared cookie category {item.category!r}"))
            elif category.strictly_necessary and item.linked_to_person:
                message = "an item the recipient links to a person needs consent (APPI Art. 31)"
                problems.append(((*where, "linked_to_person"), message))
    return problems
