"""`mamori retention …` as an operator runs it: dry run, sweep with progress, holds; real processes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from tests.e2e.cli.test_datamap_cli import mamori
from tests.factories.fulfillment import load_shop, set_kind, shop_bundle


@pytest.fixture
def shop(tmp_path: Path, fresh_database_url: str) -> dict[str, str]:
    """The shop with orders 1-12 from 2018 and its map published; the environment that points at it."""
    engine = create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    load_shop(engine, 6)
    engine.dispose()
    with sqlite3.connect(tmp_path / "shop.db") as conn:
        conn.execute("UPDATE orders SET ordered_at = '2018-01-01 00:00:00' WHERE id <= 12")
    bundle = shop_bundle(tmp_path, only=("shop",))
    set_kind(bundle, "shop", "sqlite")
    env = {"SHOP_DB_URL": f"sqlite:///{tmp_path / 'shop.db'}"}
    published = mamori(fresh_database_url, "policy", "publish", str(bundle), env=env)
    assert published.returncode == 0, published.stderr
    return env


def _orders(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "shop.db") as conn:
        return int(conn.execute("SELECT count(*) FROM orders").fetchone()[0])


def test_dry_run_report_then_sweep(fresh_database_url: str, shop: dict[str, str], tmp_path: Path) -> None:
    dry = mamori(fresh_database_url, "retention", "sweep", "--dry-run", env=shop)
    assert dry.returncode == 0, dry.stderr
    line = next(row for row in dry.stdout.splitlines() if row.startswith("shop.orders"))
    assert line.split()[1:4] == ["delete", "P7Y", "12"]
    assert "purchase_history" in line
    assert "DRY RUN" in dry.stdout
    assert _orders(tmp_path) == 30

    swept = mamori(fresh_database_url, "retention", "sweep", "--batch", "5", "--json", env=shop)
    assert swept.returncode == 0, swept.stderr
    assert "shop.orders: 10 expired, 10 deleted, 0 held" in swept.stderr  # progress after each batch
    result = json.loads(swept.stdout)
    orders = next(t for t in result["tables"] if t["dataset"] == "orders")
    assert (orders["expired"], orders["changed"], orders["residual"]) == (12, 12, 0)
    assert _orders(tmp_path) == 18

    runs = mamori(fresh_database_url, "retention", "runs", env=shop)
    assert runs.stdout.count("\n") == 2
    assert "dry-run" in runs.stdout


def test_a_held_person_keeps_their_orders(
    fresh_database_url: str, shop: dict[str, str], tmp_path: Path
) -> None:
    held = mamori(
        fresh_database_url,
        "retention",
        "hold",
        "add",
        "--reason",
        "lawsuit",
        "--identity",
        "email=user2@example.jp",
        env=shop,
    )
    assert held.returncode == 0, held.stderr
    swept = mamori(fresh_database_url, "retention", "sweep", env=shop)
    assert swept.returncode == 0, swept.stderr
    with sqlite3.connect(tmp_path / "shop.db") as conn:
        left = [row[0] for row in conn.execute("SELECT id FROM orders WHERE id <= 12 ORDER BY id")]
    assert left == [6, 7, 8, 9, 10]
    listed = mamori(fresh_database_url, "retention", "hold", "list", env=shop)
    assert "identities: email" in listed.stdout
    assert "user2@example.jp" not in listed.stdout
