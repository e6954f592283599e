"""The shop schema of ../shared/bench/shop/ on any SQLAlchemy database, a small data set, and a bundle.

The tables are the demo shop's (:mod:`mamori.cli.demo_shop`, one definition for the product and
the tests).

PostgreSQL gets the benchmark's own SQL files; MySQL/MariaDB and SQLite the same tables through
SQLAlchemy Core. Customer k has e-mail ``user{k}@example.jp``, phone ``090{k:08d}``, card
``LC{k:012d}``, 5 orders of 3 items each, as in ``shop_data.sql``.
"""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    inspect,
    text,
)

from mamori.cli.demo_shop import address, customer, loyalty_card, order_item, orders
from mamori.cli.demo_shop import metadata as shop_metadata
from mamori.config import DEFAULT_POLICY_DIR

REPO = Path(__file__).resolve().parents[2]
SHOP_DIR = Path("/work/shared/bench/shop")
EXAMPLE_DATAMAP = REPO / "examples" / "shop" / "datamap"

crm_metadata = MetaData()
campaign_contact = Table(
    "campaign_contact",
    crm_metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(200), index=True),
    Column("display_name", String(200)),
    Column("segment", String(40)),
    Column("suspended", Integer, default=0),
)
PREFECTURES = ["東京都", "大阪府", "北海道", "福岡県"]
INDEXES = [
    "CREATE INDEX ON customer (email)",
    "CREATE INDEX ON customer (phone)",
    "CREATE INDEX ON customer (address_id)",
    "CREATE INDEX ON loyalty_card (customer_id)",
    "CREATE INDEX ON loyalty_card (card_number)",
    "CREATE INDEX ON orders (customer_id)",
    "CREATE INDEX ON orders (shipping_address_id)",
    "CREATE INDEX ON order_item (order_id)",
]


def load_shop(engine: Engine, n: int) -> None:
    """Create the shop tables on ``engine`` (dropping old ones) with ``n`` customers."""
    if engine.dialect.name == "postgresql":
        _load_shop_postgres(engine, n)
        return
    _reset(engine, shop_metadata, drop_triggers=True)
    now = datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None)
    ks = range(1, n + 1)
    with engine.begin() as conn:
        conn.execute(
            insert(address),
            [
                {
                    "id": g,
                    "prefecture": PREFECTURES[g % 4],
                    "city": f"city{g}",
                    "street": f"street {g}",
                    "postal_code": f"{g % 9999999:07d}",
                }
                for g in ks
            ],
        )
        conn.execute(
            insert(customer),
            [
                {
                    "id": g,
                    "email": f"user{g}@example.jp",
                    "phone": f"090{g:08d}",
                    "name": f"山田 太郎{g}",
                    "name_kana": "ヤマダ タロウ",
                    "birth_date": date(1970, 1, 1) + timedelta(days=g % 15000),
                    "address_id": g,
                    "created_at": now,
                }
                for g in ks
            ],
        )
        conn.execute(
            insert(loyalty_card),
            [{"id": g, "customer_id": g, "card_number": f"LC{g:012d}", "points": g % 5000} for g in ks],
        )
        conn.execute(
            insert(orders),
            [
                {
                    "id": g,
                    "customer_id": 1 + (g - 1) // 5,
                    "store_code": f"S{g % 300}",
                    "ordered_at": now - timedelta(hours=g % 1000),
                    "total_yen": 1000 + g % 20000,
                    "shipping_address_id": 1 + (g - 1) // 5,
                }
                for g in range(1, n * 5 + 1)
            ],
        )
        conn.execute(
            insert(order_item),
            [
                {
                    "id": g,
                    "order_id": 1 + (g - 1) // 3,
                    "sku": f"SKU{g % 5000}",
                    "qty": 1 + g % 3,
                    "price_yen": 100 + g % 9000,
                }
                for g in range(1, n * 15 + 1)
            ],
        )


def _reset(engine: Engine, metadata: MetaData, *, drop_triggers: bool = False) -> None:
    """Empty tables (created when missing); faster than dropping them on MariaDB.

    Tables left by an older schema (a column missing) are dropped and made again.
    """
    existing = inspect(engine)
    stale = [
        t for t in metadata.sorted_tables
        if existing.has_table(t.name) and {c["name"] for c in existing.get_columns(t.name)} != set(t.c.keys())
    ]  # fmt: skip
    if stale:
        metadata.drop_all(engine)
    metadata.create_all(engine)
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
        if drop_triggers:
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS keep_name")  # left by a verification test


def _load_shop_postgres(engine: Engine, n: int) -> None:
    """The benchmark's own files: shop_schema.sql, shop_data.sql with ``:n`` = n, then the indexes."""
    schema = (SHOP_DIR / "shop_schema.sql").read_text(encoding="utf-8")
    data = (SHOP_DIR / "shop_data.sql").read_text(encoding="utf-8").replace(":n", str(int(n)))
    with engine.begin() as conn:
        for statement in [*_statements(schema), *_statements(data), *INDEXES]:
            conn.exec_driver_sql(statement.replace("%", "%%"))  # no parameters: a literal %
        conn.execute(text("ANALYZE"))


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


def load_crm(engine: Engine, emails: list[str]) -> None:
    _reset(engine, crm_metadata)
    with engine.begin() as conn:
        conn.execute(
            insert(campaign_contact),
            [
                {"id": i, "email": e, "display_name": f"会員{i}", "segment": "gold", "suspended": 0}
                for i, e in enumerate(emails, start=1)
            ],
        )


def write_calls(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "calls.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "phone", "customer_id", "summary"])
        for k in range(1, n + 1):
            writer.writerow([k, f"090{k:08d}", k, f"配送についての問い合わせ{k}"])


def shop_bundle(tmp_path: Path, *, only: tuple[str, ...] = ("shop", "crm", "callcentre")) -> Path:
    """The default policy with the example data map (only the systems named)."""
    bundle = tmp_path / "bundle"
    shutil.copytree(DEFAULT_POLICY_DIR, bundle)
    (bundle / "datamap").mkdir()
    for name in only:
        shutil.copy(EXAMPLE_DATAMAP / f"{name}.yaml", bundle / "datamap" / f"{name}.yaml")
    return bundle


def set_kind(bundle: Path, system: str, kind: str) -> None:
    """Point a system of the bundle at another kind of database (the example says PostgreSQL/MySQL)."""
    path = bundle / "datamap" / f"{system}.yaml"
    content = path.read_text(encoding="utf-8")
    for old in ("kind: postgresql", "kind: mysql", "kind: sqlite"):
        content = content.replace(old, f"kind: {kind}")
    path.write_text(content, encoding="utf-8")
