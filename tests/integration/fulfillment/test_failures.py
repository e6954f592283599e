"""Erasure that leaves a value fails naming the field; a system that is down fails alone and is retried."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from mamori.errors import InvalidTransition, NotFound, ValidationFailed
from mamori.fulfillment import service
from tests.factories.fulfillment_runs import again, run, tables
from tests.integration.fulfillment.conftest import ON_EVERY_ENGINE, Shop

RESTORE_NAME = {
    "sqlite": [
        (
            "CREATE TRIGGER keep_name AFTER UPDATE OF name ON customer WHEN NEW.name IS NULL"
            " BEGIN UPDATE customer SET name = OLD.name WHERE id = NEW.id; END"
        )
    ],
    "postgresql": [
        (
            "CREATE OR REPLACE FUNCTION keep_name() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN NEW.name := OLD.name; RETURN NEW; END $$"
        ),
        "CREATE TRIGGER keep_name BEFORE UPDATE ON customer FOR EACH ROW EXECUTE FUNCTION keep_name()",
    ],
    "mysql": [
        "DROP TRIGGER IF EXISTS keep_name",
        "CREATE TRIGGER keep_name BEFORE UPDATE ON customer FOR EACH ROW SET NEW.name = OLD.name",
    ],
}


class TestErasureVerification:
    @ON_EVERY_ENGINE
    def test_a_store_that_keeps_a_value_makes_the_run_fail_naming_the_field(
        self, session: Session, published: Shop
    ) -> None:
        # The database silently keeps the name, as a trigger or a replica would; the run must not say done.
        with published.shop.begin() as conn:
            for statement in RESTORE_NAME[published.kind]:
                conn.exec_driver_sql(statement)
        view = run(session, "erase", {"email": "user3@example.jp"})
        assert view.status == "failed"
        shop = next(s for s in view.systems if s.system == "shop")
        assert shop.status == "failed"
        assert "shop.customer.name" in (shop.error or "")
        assert "shop.customer.phone" not in (shop.error or "")
        assert tables(view)["shop.customer"][2] == 1
        assert "山田" not in (view.error or "")
        assert published.scalar("SELECT name FROM customer WHERE id = 3") == "山田 太郎3"
        assert published.scalar("SELECT phone FROM customer WHERE id = 3") is None


class TestSystemDown:
    @ON_EVERY_ENGINE
    def test_the_others_complete_and_a_retry_finishes_it(
        self, session: Session, published: Shop, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        good = published.crm.url.render_as_string(hide_password=False)
        monkeypatch.setenv("CRM_DB_URL", "sqlite:////nonexistent/folder/crm.db")
        view = run(session, "erase", {"email": "user3@example.jp"})
        assert view.status == "failed"
        states = {s.system: s for s in view.systems}
        assert states["crm"].status == "failed"
        assert (states["crm"].error or "").startswith("crm: ")
        assert (states["shop"].status, states["callcentre"].status) == ("done", "done")
        assert published.scalar("SELECT email FROM customer WHERE id = 3") is None
        with published.crm.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM campaign_contact WHERE id = 3")).scalar() == 1

        monkeypatch.setenv("CRM_DB_URL", good)
        service.retry_run(session, actor="user:agent", run_id=view.id)
        retried = again(session, view.id)
        assert retried.status == "completed", retried.error
        assert {s.system: s.status for s in retried.systems} == {
            "shop": "done",
            "crm": "done",
            "callcentre": "done",
        }
        with published.crm.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM campaign_contact WHERE id = 3")).scalar() == 0
        assert tables(retried)["shop.customer"][1] == 5  # counted once over both attempts

    @pytest.mark.usefixtures("published")
    def test_only_a_failed_run_can_be_retried(self, session: Session) -> None:
        view = run(session, "access", {"email": "user3@example.jp"})
        with pytest.raises(InvalidTransition):
            service.retry_run(session, actor="user:agent", run_id=view.id)


class TestStartRun:
    @pytest.mark.usefixtures("published")
    def test_wrong_fields_are_named_and_nothing_is_written(self, session: Session) -> None:
        with pytest.raises(ValidationFailed) as caught:
            service.start_run(
                session,
                actor="a",
                action="erase",
                identities={"passport": "X1"},
                case_ref="R-1",
                changes={"phone": "1"},
                language="fr",
            )
        fields = {e["field"] for e in caught.value.details["errors"]}
        assert fields == {"identities.passport", "changes", "language"}

    @pytest.mark.usefixtures("published")
    def test_a_correction_names_unknown_targets(self, session: Session) -> None:
        with pytest.raises(ValidationFailed) as caught:
            service.start_run(
                session,
                actor="a",
                action="correct",
                identities={"email": "user1@example.jp"},
                case_ref="R-1",
                changes={"shoe_size": "27"},
            )
        assert caught.value.details["errors"] == [
            {"field": "changes.shoe_size", "message": "not a mapped data item or system.dataset.field"}
        ]

    @pytest.mark.usefixtures("published")
    def test_an_unknown_run_is_not_found(self, session: Session) -> None:
        import uuid

        with pytest.raises(NotFound):
            service.get_run(session, uuid.uuid4())
