"""Browser consent records in the database: write, decide, export, link to a person."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.cookies import service
from mamori.cookies.models import CookieConsent
from mamori.cookies.rules import Verdict
from mamori.errors import NotFound, ValidationFailed
from tests.factories.subjects import create_subject, ensure_policy


@pytest.fixture
def inventory(session: Session) -> service.Inventory:
    ensure_policy(session)
    return service.current_inventory(session)


def _record(inventory: service.Inventory, browser: uuid.UUID, **choices: bool) -> service.ConsentInput:
    return service.ConsentInput("www", browser, inventory.hash_of("www"), choices)


class TestRecordConsents:
    def test_stores_what_was_shown_and_chosen_and_no_address(
        self, session: Session, inventory: service.Inventory
    ) -> None:
        browser = uuid.uuid4()
        service.record_consents(session, inventory, [_record(inventory, browser, analytics=True)])
        row = service.latest_consent(session, "www", browser)
        assert row is not None
        assert row.inventory_hash == inventory.hash_of("www")
        assert row.policy_version == inventory.version
        assert row.choices == {"necessary": True, "analytics": True, "advertising": False}
        assert not {"ip", "address", "user_agent"} & set(CookieConsent.__table__.columns.keys())

    def test_gpc_is_recorded_as_a_refusal(self, session: Session, inventory: service.Inventory) -> None:
        browser = uuid.uuid4()
        given = service.ConsentInput(
            "www", browser, inventory.hash_of("www"), {"analytics": True, "advertising": True}, gpc=True
        )
        service.record_consents(session, inventory, [given])
        row = service.latest_consent(session, "www", browser)
        assert row is not None
        assert row.gpc
        assert row.choices["advertising"] is False

    def test_a_bad_record_stores_nothing(self, session: Session, inventory: service.Inventory) -> None:
        good = _record(inventory, uuid.uuid4(), analytics=True)
        bad = service.ConsentInput("www", uuid.uuid4(), "x" * 64, {"marketing": True})
        with pytest.raises(ValidationFailed) as caught:
            service.record_consents(session, inventory, [good, bad])
        errors = {e["field"]: e["message"] for e in caught.value.details["errors"]}
        assert errors["records[1].choices"] == "unknown category 'marketing'"
        assert "records[1].inventory_hash" in errors
        assert (
            session.scalar(select(CookieConsent).where(CookieConsent.browser_id == good.browser_id)) is None
        )


class TestDecide:
    def test_latest_choice_for_the_current_inventory_decides(
        self, session: Session, inventory: service.Inventory
    ) -> None:
        browser = uuid.uuid4()
        assert service.decide(session, inventory, "www", "ga4", browser).verdict is Verdict.NO_CONSENT
        service.record_consents(session, inventory, [_record(inventory, browser, analytics=True)])
        assert service.decide(session, inventory, "www", "ga4", browser).allowed
        assert not service.decide(session, inventory, "www", "meta_pixel", browser).allowed

    def test_unknown_item(self, session: Session, inventory: service.Inventory) -> None:
        with pytest.raises(NotFound):
            service.decide(session, inventory, "www", "nope", uuid.uuid4())


class TestExportAndSubject:
    def test_export_and_linked_browser_show_in_the_person_s_list(
        self, session: Session, settings: Settings, inventory: service.Inventory
    ) -> None:
        browser = uuid.uuid4()
        service.record_consents(session, inventory, [_record(inventory, browser, analytics=True)])
        exported = service.export_consents(session, property_id="www", limit=10_000)
        mine = [r for r in exported if r["pii_principal_id"] == str(browser)]
        assert mine[0]["pii_principal_id_type"] == "pseudonymous-browser-id"
        subject = create_subject(session, settings)
        assert service.subject_browser_consents(session, subject.id) == []
        assert service.link_browser(session, actor="subject", browser_id=browser, subject_id=subject.id)
        assert not service.link_browser(session, actor="subject", browser_id=browser, subject_id=subject.id)
        [listed] = service.subject_browser_consents(session, subject.id)
        assert listed["purposes"] == [
            {"category": "advertising", "consented": False},
            {"category": "analytics", "consented": True},
            {"category": "necessary", "consented": True},
        ]
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "cookie_browser.linked")).all()
        assert [e.target_id for e in audit] == [str(subject.id)]
