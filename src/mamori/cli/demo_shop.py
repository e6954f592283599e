"""The demo's business system: the example shop as a SQLite file, with fictitious customers.

The tables are those of the shop data set (``examples/shop/``): customer, address, loyalty_card,
orders, order_item, plus a ``suspended`` flag on customer that the default bundle's data map uses to
stop a person's data being used. Customer k has e-mail ``user{k}@example.jp``, phone
``090{k:08d}``, loyalty card ``LC{k:012d}``, 5 orders of 3 lines each, as in the benchmark data set.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
)

SHOP_FILE = "mamori-shop.db"  # the default bundle's data map names sqlite:///mamori-shop.db
BATCH = 5000

metadata = MetaData()
address = Table(
    "address",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("prefecture", String(40)),
    Column("city", String(100)),
    Column("street", String(200)),
    Column("postal_code", String(10)),
)
customer = Table(
    "customer",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(200), index=True),
    Column("phone", String(40), index=True),
    Column("name", String(200)),
    Column("name_kana", String(200)),
    Column("birth_date", Date),
    Column("address_id", Integer, ForeignKey("address.id"), index=True),
    Column("created_at", DateTime),
    Column("suspended", Integer, default=0, nullable=False),
)
loyalty_card = Table(
    "loyalty_card",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customer.id"), index=True),
    Column("card_number", String(40), index=True),
    Column("points", Integer),
)
orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customer.id"), index=True),
    Column("store_code", String(20)),
    Column("ordered_at", DateTime),
    Column("total_yen", Integer),
    Column("shipping_address_id", Integer, ForeignKey("address.id"), index=True),
)
order_item = Table(
    "order_item",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("orders.id"), index=True),
    Column("sku", String(40)),
    Column("qty", Integer),
    Column("price_yen", Integer),
)

# Fictitious names: family and given name with their reading, combined per customer.
FAMILY = (
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
)
GIVEN = (
    ("花子", "ハナコ"),
    ("太郎", "タロウ"),
    ("陽菜", "ヒナ"),
    ("蓮", "レン"),
    ("結衣", "ユイ"),
    ("大翔", "ヒロト"),
    ("美咲", "ミサキ"),
    ("悠真", "ユウマ"),
    ("葵", "アオイ"),
    ("湊", "ミナト"),
)
PLACES = (
    ("東京都", "見本区"),
    ("大阪府", "見本市北区"),
    ("神奈川県", "見本市都筑区"),
    ("北海道", "見本市中央区"),
)
ORDERS_PER_CUSTOMER = 5
ITEMS_PER_ORDER = 3


def shop_exists(path: Path) -> bool:
    """True when ``path`` is a shop this module made (kept as it is on a second demo run)."""
    if not path.is_file():
        return False
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return bool(conn.exec_driver_sql("SELECT count(*) FROM customer").scalar())
    except Exception:  # noqa: BLE001 - any other file is replaced
        return False
    finally:
        engine.dispose()


def create_shop(path: Path, customers: int) -> None:
    """Write a new shop with ``customers`` customers to ``path`` (an old file is replaced)."""
    path.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            for table, rows in _rows(customers):
                for chunk in _chunks(rows):
                    conn.execute(insert(table), chunk)
    finally:
        engine.dispose()


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _rows(n: int) -> Iterator[tuple[Table, Iterator[dict[str, Any]]]]:
    yield address, (_address(k) for k in range(1, n + 1))
    yield customer, (customer_row(k) for k in range(1, n + 1))
    yield loyalty_card, ({"id": k, "customer_id": k, "card_number": f"LC{k:012d}", "points": k * 37 % 5000}
                         for k in range(1, n + 1))  # fmt: skip
    yield orders, (_order(g) for g in range(1, n * ORDERS_PER_CUSTOMER + 1))
    yield order_item, (
        {"id": g, "order_id": 1 + (g - 1) // ITEMS_PER_ORDER, "sku": f"SKU{g % 5000:04d}", "qty": 1 + g % 3,
         "price_yen": 100 * (1 + g % 90)}
        for g in range(1, n * ORDERS_PER_CUSTOMER * ITEMS_PER_ORDER + 1)
    )  # fmt: skip


def _address(k: int) -> dict[str, Any]:
    prefecture, city = PLACES[k % len(PLACES)]
    return {"id": k, "prefecture": prefecture, "city": city, "street": f"見本町{k % 9 + 1}-{k}",
            "postal_code": f"{100 + k % 800:03d}-{k % 10000:04d}"}  # fmt: skip


def customer_row(k: int) -> dict[str, Any]:
    """Customer ``k`` of the shop (the same for every demo, so the README's examples can name them)."""
    family, given = FAMILY[k % len(FAMILY)], GIVEN[(k // len(FAMILY)) % len(GIVEN)]
    return {
        "id": k,
        "email": f"user{k}@example.jp",
        "phone": f"090{k:08d}",
        "name": f"{family[0]} {given[0]}",
        "name_kana": f"{family[1]} {given[1]}",
        "birth_date": date(1960, 1, 1) + timedelta(days=k * 97 % 15000),
        "address_id": k,
        "created_at": datetime(2024, 4, 1, tzinfo=UTC).replace(tzinfo=None) + timedelta(hours=k),
        "suspended": 0,
    }


def _order(g: int) -> dict[str, Any]:
    owner = 1 + (g - 1) // ORDERS_PER_CUSTOMER
    return {
        "id": g,
        "customer_id": owner,
        "store_code": f"S{g % 300:03d}",
        "ordered_at": datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None) - timedelta(hours=g % 5000),
        "total_yen": 1000 + g * 113 % 20000,
        "shipping_address_id": owner,
    }
