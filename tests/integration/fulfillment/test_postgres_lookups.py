"""PostgreSQL lookups of one traversal step go out pipelined; they find what one-by-one lookups find."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from mamori.fulfillment.connectors.base import Lookup
from mamori.fulfillment.connectors.sql import PostgresConnector, SqlConnector
from mamori.policy.loader import load_bundle
from tests.integration.fulfillment.conftest import Shop

pytestmark = pytest.mark.parametrize("shop", ["postgresql"], indirect=True)

LOOKUPS = [
    Lookup("customer", ("email",), (("user3@example.jp",), ("user4@example.jp",), ("nobody@example.jp",))),
    Lookup("orders", ("customer_id",), ((3,), ("4",), ("not a number",))),  # text from a file, and junk
    Lookup("address", ("id",), ()),  # nothing to look up
    Lookup("order_item", ("order_id",), tuple((n,) for n in range(1, 40))),
]


def _connector(shop: Shop) -> PostgresConnector:
    result = load_bundle(shop.bundle)
    assert result.bundle is not None, result.errors
    system = next(s for s in result.bundle.datamap if s.id == "shop")
    return PostgresConnector(system)


def _sorted(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return sorted(tuple(sorted(row.items())) for row in rows)


def test_pipelined_lookups_find_the_same_rows_in_one_round_trip(shop: Shop) -> None:
    connector = _connector(shop)
    try:
        one_by_one = [SqlConnector.fetch(connector, [lookup]) for lookup in LOOKUPS]
        statements: list[str] = []
        event.listen(connector.reader(), "before_cursor_execute", lambda *a: statements.append(a[2]))
        pipelined = connector.fetch(LOOKUPS)
    finally:
        connector.close()
    assert [_sorted(rows) for rows in pipelined] == [_sorted(rows[0]) for rows in one_by_one]
    assert [len(rows) for rows in pipelined] == [2, 10, 0, 117]  # 3 items an order
    assert statements == []  # straight to the driver, pipelined: not one statement through SQLAlchemy


def test_a_lookup_on_a_missing_table_fails_the_system_without_a_personal_value(shop: Shop) -> None:
    connector = _connector(shop)
    with shop.shop.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE order_item RENAME TO order_item_gone")
    try:
        with pytest.raises(Exception, match="order_item") as raised:
            connector.fetch([LOOKUPS[0], LOOKUPS[3]])
    finally:
        connector.close()
        with shop.shop.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE order_item_gone RENAME TO order_item")
    assert "user3" not in str(raised.value)
