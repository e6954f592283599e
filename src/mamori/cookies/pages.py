"""What the public pages show, built from the inventory in one language (no HTML here).

The external-transmission notice groups items by recipient and destination, as the rule asks
(what is sent, to whom, for what); the cookie policy groups them by category, as the banner does.
"""

from __future__ import annotations

from dataclasses import dataclass

from mamori.policy.schema import parse_period
from mamori.policy.sections.cookies import Cookies, InventoryItem


@dataclass(frozen=True, slots=True)
class ItemView:
    id: str
    name: str
    kind: str
    provider: str
    host: str
    country: str
    category: str
    category_id: str
    sent: str
    purpose: str
    retention: tuple[int, int, int] | None  # years, months, days; None: the browsing session
    linked_to_person: bool
    cookies: tuple[str, ...]
    privacy_url: str | None


@dataclass(frozen=True, slots=True)
class Recipient:
    provider: str
    host: str
    country: str
    items: tuple[ItemView, ...]


@dataclass(frozen=True, slots=True)
class PropertyView:
    id: str
    name: str
    origins: tuple[str, ...]
    recipients: tuple[Recipient, ...]


@dataclass(frozen=True, slots=True)
class CategoryView:
    id: str
    name: str
    description: str
    necessary: bool
    gpc: bool
    items: tuple[ItemView, ...]


def _retention(value: str) -> tuple[int, int, int] | None:
    """``session`` → None; ``P2Y`` → (2, 0, 0); hours only (``PT1H``) → (0, 0, 0), under a day."""
    if value == "session":
        return None
    days_part = value.split("T", maxsplit=1)[0]
    return (0, 0, 0) if days_part == "P" else parse_period(days_part)


def item_view(cookies: Cookies, item: InventoryItem, lang: str) -> ItemView:
    category = cookies.category(item.category)
    return ItemView(
        id=item.id,
        name=item.name,
        kind=item.kind.value,
        provider=item.provider.get(lang),
        host=item.destination.host,
        country=item.destination.country,
        category=category.name.get(lang) if category else item.category,
        category_id=item.category,
        sent=item.sent.get(lang),
        purpose=item.purpose.get(lang),
        retention=_retention(item.retention),
        linked_to_person=item.linked_to_person,
        cookies=tuple(item.cookies),
        privacy_url=item.privacy_url,
    )


def transmissions(cookies: Cookies, lang: str) -> list[PropertyView]:
    """Per web property, the recipients (provider, host, country) and what each item sends them."""
    views = []
    for prop in cookies.properties:
        grouped: dict[tuple[str, str, str], list[ItemView]] = {}
        for item in prop.items:
            key = (item.provider.get(lang), item.destination.host, item.destination.country)
            grouped.setdefault(key, []).append(item_view(cookies, item, lang))
        recipients = tuple(Recipient(p, h, c, tuple(items)) for (p, h, c), items in grouped.items())
        views.append(PropertyView(prop.id, prop.name.get(lang), tuple(prop.origins), recipients))
    return views


def categories(cookies: Cookies, lang: str) -> list[CategoryView]:
    """The categories with the items of every property in each (the cookie policy)."""
    return [
        CategoryView(
            id=category.id,
            name=category.name.get(lang),
            description=category.description.get(lang),
            necessary=category.strictly_necessary,
            gpc=category.gpc_opt_out,
            items=tuple(
                item_view(cookies, item, lang)
                for prop in cookies.properties
                for item in prop.items
                if item.category == category.id
            ),
        )
        for category in cookies.categories
    ]
