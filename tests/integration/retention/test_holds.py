"""Requests and incidents in progress hold their subjects' records; closing them releases the hold."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.incidents.models import IncidentSubject
from mamori.retention import service
from mamori.retention.holds import place_hold, release_hold
from mamori.security.crypto import cipher_from_settings
from tests.factories.dsr import create_case, requester
from tests.factories.incidents import create_incident
from tests.factories.subjects import create_subject
from tests.integration.fulfillment.conftest import Shop

NOW = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)


def _expire_all_orders(shop: Shop) -> None:
    with shop.shop.begin() as conn:
        conn.execute(text("UPDATE orders SET ordered_at = '2018-01-01 00:00:00'"))


def _kept(session: Session, settings: Settings, shop: Shop) -> list[int]:
    run = service.start_run(session, actor="user:officer", dry_run=False, now=NOW)
    service.execute_run(session, settings, run.id)
    with shop.shop.connect() as conn:
        return sorted({row[0] for row in conn.execute(text("SELECT customer_id FROM orders"))})


class TestHolds:
    def test_a_request_in_progress_holds_its_subject_and_requester(
        self, session: Session, settings: Settings, published: Shop
    ) -> None:
        _expire_all_orders(published)
        subject = create_subject(session, settings, identifiers=[("email", "user7@example.jp")])
        create_case(session, settings, subject_id=subject.id)
        create_case(session, settings, who=requester(email="user9@example.jp"))
        assert _kept(session, settings, published) == [7, 9]

    def test_an_incident_in_progress_holds_its_subjects(
        self, session: Session, settings: Settings, published: Shop
    ) -> None:
        _expire_all_orders(published)
        subject = create_subject(session, settings, identifiers=[("email", "user12@example.jp")])
        incident = create_incident(session, settings)
        session.add(IncidentSubject(incident_id=incident.id, subject_id=subject.id, added_by="user:officer"))
        session.flush()
        assert _kept(session, settings, published) == [12]

    def test_a_released_hold_holds_nothing(
        self, session: Session, settings: Settings, published: Shop
    ) -> None:
        _expire_all_orders(published)
        hold = place_hold(
            session,
            cipher_from_settings(settings),
            actor="user:officer",
            reason="audit",
            identities={"email": ["user2@example.jp"]},
        )
        release_hold(session, actor="user:officer", hold_id=hold.id)
        assert _kept(session, settings, published) == []

    def test_a_system_unreachable_for_holds_stops_every_mapped_sweep(
        self, session: Session, settings: Settings, published: Shop, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        _expire_all_orders(published)
        place_hold(
            session,
            cipher_from_settings(settings),
            actor="user:officer",
            reason="audit",
            identities={"email": ["user2@example.jp"]},
        )
        monkeypatch.setenv("CRM_DB_URL", "sqlite:////nonexistent-folder/crm.db")
        run = service.start_run(session, actor="user:officer", dry_run=False, now=NOW)
        service.execute_run(session, settings, run.id)
        result = service.run_dict(session, run)
        orders = next(t for t in result["tables"] if t["dataset"] == "orders")
        assert orders["status"] == "failed"
        assert "legal holds could not be resolved (unreachable: crm)" in orders["error"]
        assert result["status"] == "failed"
        assert published.scalar("SELECT count(*) FROM orders") == 150
