"""Correction, suspension and erasure across the shop, the CRM and the call log; each one idempotent."""

from __future__ import annotations

import csv
import json
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from mamori.fulfillment.models import FulfillmentRun
from tests.factories.fulfillment_runs import again, run, tables
from tests.integration.fulfillment.conftest import ON_EVERY_ENGINE, Shop


def _calls(shop: Shop) -> dict[str, dict[str, str]]:
    with (shop.calls / "calls.csv").open(encoding="utf-8") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def _crm(shop: Shop, sql: str) -> Any:
    with shop.crm.connect() as conn:
        return conn.execute(text(sql)).all()


class TestCorrection:
    @ON_EVERY_ENGINE
    def test_changes_the_item_everywhere_it_is_mapped_and_reports_each_place(
        self, session: Session, published: Shop
    ) -> None:
        view = run(session, "correct", {"email": "user5@example.jp"}, changes={"phone": "080-1111-2222"})
        assert view.status == "completed", view.error
        assert published.scalar("SELECT phone FROM customer WHERE id = 5") == "080-1111-2222"
        assert _calls(published)["5"]["phone"] == "080-1111-2222"
        assert published.scalar("SELECT phone FROM customer WHERE id = 6") == "09000000006"
        places = {
            (s.system, t.dataset, p["field"]): p["changed"]
            for s in view.systems
            for t in s.tables
            for p in t.places
        }
        assert places == {("shop", "customer", "phone"): 1, ("callcentre", "calls", "phone"): 1}

    def test_a_second_identical_correction_changes_nothing(self, session: Session, published: Shop) -> None:
        run(session, "correct", {"email": "user5@example.jp"}, changes={"shop.customer.name": "佐藤 花子"})
        view = run(
            session, "correct", {"email": "user5@example.jp"}, changes={"shop.customer.name": "佐藤 花子"}
        )
        assert view.status == "completed"
        assert tables(view)["shop.customer"] == (1, 0, 0)
        assert published.scalar("SELECT name FROM customer WHERE id = 5") == "佐藤 花子"
        assert published.scalar("SELECT name_kana FROM customer WHERE id = 5") == "ヤマダ タロウ"


class TestCorrectionOfANameAndItsReading:
    """Correcting ``name`` must not write the kanji name into the reading (``name_kana``) column."""

    @ON_EVERY_ENGINE
    def test_the_name_changes_and_the_kana_reading_is_left_alone(
        self, session: Session, published: Shop
    ) -> None:
        view = run(session, "correct", {"email": "user5@example.jp"}, changes={"name": "佐藤 花子"})
        assert view.status == "completed", view.error
        assert published.scalar("SELECT name FROM customer WHERE id = 5") == "佐藤 花子"
        assert published.scalar("SELECT name_kana FROM customer WHERE id = 5") == "ヤマダ タロウ"
        places = {p["field"] for s in view.systems for t in s.tables for p in t.places}
        assert "name_kana" not in places

    @ON_EVERY_ENGINE
    def test_the_reading_changes_only_from_a_value_given_for_it(
        self, session: Session, published: Shop
    ) -> None:
        changes = {"name": "佐藤 花子", "shop.customer.name_kana": "サトウ ハナコ"}
        view = run(session, "correct", {"email": "user5@example.jp"}, changes=changes)
        assert view.status == "completed", view.error
        assert published.scalar("SELECT name FROM customer WHERE id = 5") == "佐藤 花子"
        assert published.scalar("SELECT name_kana FROM customer WHERE id = 5") == "サトウ ハナコ"
        assert published.scalar("SELECT name_kana FROM customer WHERE id = 6") == "ヤマダ タロウ"


class TestSuspension:
    @ON_EVERY_ENGINE
    def test_sets_the_flag_and_calls_the_webhook_over_http(
        self, session: Session, published: Shop, webhook: list[tuple[dict[str, Any], str | None]]
    ) -> None:
        view = run(session, "suspend", {"email": "user2@example.jp"})
        assert view.status == "completed", view.error
        assert _crm(published, "SELECT email, suspended FROM campaign_contact WHERE suspended = 1") == [
            ("user2@example.jp", 1)
        ]
        body, key = webhook[0]
        assert (body["system"], body["dataset"], body["keys"]) == ("shop", "customer", [[2]])
        assert key == f"{view.id}:shop:customer"
        assert "user2@example.jp" not in json.dumps(body)

    @pytest.mark.usefixtures("published")
    def test_a_webhook_that_fails_fails_that_system_only(self, session: Session) -> None:
        view = run(session, "suspend", {"email": "user2@example.jp"})  # the fixture's webhook URL is closed
        assert view.status == "failed"
        states = {s.system: s for s in view.systems}
        assert states["shop"].status == "failed"
        assert "webhook" in (states["shop"].error or "")
        assert states["crm"].status == "done"


class TestErasure:
    @ON_EVERY_ENGINE
    def test_leaves_no_personal_value_and_keeps_what_the_law_requires(
        self, session: Session, published: Shop
    ) -> None:
        view = run(session, "erase", {"email": "user3@example.jp"})
        assert view.status == "completed", view.error
        row = published.scalar(
            "SELECT COUNT(*) FROM customer WHERE id = 3 AND email IS NULL AND phone IS NULL AND name IS NULL"
            " AND name_kana IS NULL AND birth_date IS NULL"
        )
        assert row == 1
        assert (
            published.scalar("SELECT COUNT(*) FROM address WHERE id = 3 AND street IS NULL AND city IS NULL")
            == 1
        )
        assert published.scalar("SELECT COUNT(*) FROM loyalty_card WHERE customer_id = 3") == 0
        assert (
            published.scalar("SELECT COUNT(*) FROM orders WHERE customer_id = 3 AND total_yen IS NOT NULL")
            == 5
        )
        assert _crm(published, "SELECT COUNT(*) FROM campaign_contact WHERE email = 'user3@example.jp'") == [
            (0,)
        ]
        assert _calls(published)["3"]["phone"] == "0000000000"
        assert _calls(published)["3"]["summary"] == ""
        assert all(t.residual == 0 for s in view.systems for t in s.tables)

    def test_other_people_are_untouched(self, session: Session, published: Shop) -> None:
        run(session, "erase", {"email": "user3@example.jp"})
        assert published.scalar("SELECT name FROM customer WHERE id = 4") == "山田 太郎4"
        assert published.scalar("SELECT COUNT(*) FROM loyalty_card") == 29
        assert _calls(published)["4"]["phone"] == "09000000004"

    @pytest.mark.usefixtures("published")
    def test_kept_fields_are_reported_with_their_legal_reason(self, session: Session) -> None:
        view = run(session, "erase", {"email": "user3@example.jp"})
        orders = next(t for s in view.systems for t in s.tables if t.dataset == "orders")
        kept = {p["field"]: p for p in orders.places}
        assert kept["total_yen"]["strategy"] == "keep"
        assert kept["total_yen"]["kept"] == 5
        assert "法人税法" in kept["total_yen"]["legal_reason"]["ja"]

    def test_running_the_same_run_again_changes_nothing_and_still_verifies(
        self, session: Session, published: Shop
    ) -> None:
        first = run(session, "erase", {"email": "user3@example.jp"})
        assert again(session, first.id).attempts == 1  # a repeated job for a finished run does nothing
        stored = session.get(FulfillmentRun, first.id)
        assert stored is not None
        stored.status = "running"  # as if the worker had been killed before recording the outcome
        rerun = again(session, first.id)
        assert (rerun.status, rerun.attempts) == ("completed", 2)
        assert tables(rerun)["shop.customer"] == (1, 5, 0)  # found by its key; nothing more to change
        assert published.scalar("SELECT COUNT(*) FROM orders WHERE customer_id = 3") == 5
