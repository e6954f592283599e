"""Retention sweeps over the shop: exactly the expired rows go, held ones stay, every run is recorded."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.retention import service
from mamori.retention.holds import place_hold
from mamori.retention.models import RetentionRunTable
from mamori.security.crypto import cipher_from_settings
from tests.integration.fulfillment.conftest import Shop

NOW = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)  # orders before 2019-12-08 and members before 2021-12-08 expire


def _age(shop: Shop) -> None:
    """Orders 1-40 (customers 1-8) from 2018, members 1-4 from 2020; everything else recent."""
    with shop.shop.begin() as conn:
        conn.execute(text("UPDATE orders SET ordered_at = '2018-01-01 00:00:00' WHERE id <= 40"))
        conn.execute(
            text("UPDATE orders SET ordered_at = '2019-12-09 00:00:00' WHERE id = 41")
        )  # just inside
        conn.execute(text("UPDATE customer SET created_at = '2020-01-01 00:00:00' WHERE id <= 4"))


def _rows(shop: Shop, sql: str) -> list[int]:
    with shop.shop.connect() as conn:
        return [row[0] for row in conn.execute(text(sql))]


def _sweep(session: Session, settings: Settings, *, dry_run: bool, batch: int = 7) -> dict[str, object]:
    run = service.start_run(session, actor="user:officer", dry_run=dry_run, now=NOW)
    service.execute_run(session, settings, run.id, batch=batch)
    return service.run_dict(session, run)


def _table(result: dict[str, object], name: str) -> dict[str, object]:
    return next(t for t in result["tables"] if f"{t['system']}.{t['dataset']}" == name)  # type: ignore[attr-defined]


class TestSweepOverTheShop:
    def test_dry_run_counts_and_changes_nothing(
        self, session: Session, settings: Settings, published: Shop
    ) -> None:
        _age(published)
        result = _sweep(session, settings, dry_run=True)
        orders = _table(result, "shop.orders")
        assert (orders["expired"], orders["changed"], orders["held"]) == (40, 0, 0)
        assert _table(result, "shop.customer")["expired"] == 4
        assert published.scalar("SELECT count(*) FROM orders") == 150
        assert published.scalar("SELECT count(*) FROM customer WHERE email IS NULL") == 0
        kinds = session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == result["id"])).all()
        assert kinds == ["retention.dry_run"]

    def test_removes_exactly_the_expired_rows_and_keeps_held_ones(
        self, session: Session, settings: Settings, published: Shop
    ) -> None:
        _age(published)
        place_hold(
            session,
            cipher_from_settings(settings),
            actor="user:officer",
            reason="lawsuit of customer 3",
            identities={"email": ["user3@example.jp"]},
        )
        expired_before = _rows(published, "SELECT id FROM orders WHERE ordered_at < '2019-12-08' ORDER BY id")
        assert expired_before == list(range(1, 41))

        result = _sweep(session, settings, dry_run=False)

        assert result["status"] == "done", result["error"]
        # Customer 3's orders (11-15) are held; every other expired order went with its lines.
        assert _rows(published, "SELECT id FROM orders WHERE ordered_at < '2019-12-08' ORDER BY id") == list(
            range(11, 16)
        )
        assert published.scalar("SELECT count(*) FROM orders") == 150 - 35
        assert published.scalar("SELECT min(id) FROM orders WHERE id > 15") == 41
        assert published.scalar("SELECT count(*) FROM order_item WHERE order_id <= 40") == 5 * 3
        assert published.scalar("SELECT count(*) FROM order_item") == 450 - 35 * 3
        # Members 1, 2 and 4 are anonymised (the row stays); member 3 is held; 5 is recent.
        assert _rows(published, "SELECT id FROM customer WHERE email IS NULL ORDER BY id") == [1, 2, 4]
        assert _rows(
            published, "SELECT id FROM customer WHERE name IS NULL AND phone IS NULL ORDER BY id"
        ) == [1, 2, 4]
        assert published.scalar("SELECT count(*) FROM customer") == 30
        orders = _table(result, "shop.orders")
        assert (orders["expired"], orders["changed"], orders["held"], orders["residual"]) == (40, 35, 5, 0)
        customer = _table(result, "shop.customer")
        assert (customer["expired"], customer["changed"], customer["held"]) == (4, 3, 1)
        assert "purchase_history" in orders["items"]
        event = session.scalars(select(AuditEvent).where(AuditEvent.target_id == result["id"])).one()
        assert event.action == "retention.swept"
        assert "user3@example.jp" not in str(event.details)

    def test_a_second_sweep_finds_nothing_new(
        self, session: Session, settings: Settings, published: Shop
    ) -> None:
        _age(published)
        _sweep(session, settings, dry_run=False)
        again = _sweep(session, settings, dry_run=False)
        assert _table(again, "shop.orders")["expired"] == 0
        assert _table(again, "shop.customer")["expired"] == 0

    def test_an_interrupted_sweep_resumes_from_its_cursor(
        self, session: Session, settings: Settings, published: Shop
    ) -> None:
        _age(published)
        run = service.start_run(session, actor="user:officer", dry_run=False, now=NOW)
        calls = []

        def crash(row: RetentionRunTable) -> None:
            calls.append(row.changed)
            if row.dataset == "orders" and row.changed >= 14:
                raise KeyboardInterrupt

        with contextlib.suppress(KeyboardInterrupt):
            service.execute_run(session, settings, run.id, batch=7, report=crash)
        assert published.scalar("SELECT count(*) FROM orders WHERE id <= 40") == 40 - 14
        assert service.unfinished_run(session) is not None
        service.execute_run(session, settings, run.id, batch=7)
        result = service.run_dict(session, run)
        assert result["status"] == "done"
        assert published.scalar("SELECT count(*) FROM orders WHERE id <= 40") == 0
        assert _table(result, "shop.orders")["changed"] == 40
