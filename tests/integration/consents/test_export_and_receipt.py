"""The ISO/IEC TS 27560 export and the consent receipt (HTML and PDF) of one person."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from mamori.consents import export
from mamori.errors import NotFound, ValidationFailed
from mamori.notices.receipt import receipt_for_subject
from mamori.policy.models import PolicyVersion
from mamori.policy.service import bundle_of
from mamori.subjects.models import Subject
from mamori.web.receipts import receipt_html, receipt_pdf
from tests.factories.consents import MAILINGS, create_plain_subject, ensure_policy, record_consent

T0 = datetime(2026, 1, 10, 1, 30, tzinfo=UTC)


@pytest.fixture
def policy(session: Session) -> PolicyVersion:
    return ensure_policy(session)


@pytest.fixture
def person(session: Session, policy: PolicyVersion) -> Subject:
    subject = create_plain_subject(session, jurisdiction="CN", language="zh-Hans")
    record_consent(session, subject, occurred_at=T0, channel="shop", language="zh-Hans")
    record_consent(session, subject, action="withdrawn", occurred_at=T0 + timedelta(days=3), channel="phone")
    record_consent(session, subject, scope="cross_border:US", separate=True, occurred_at=T0)
    record_consent(session, subject, scope="camera", occurred_at=T0, expires_at=T0 + timedelta(days=1))
    return subject


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


class TestExportConsents:
    def test_one_record_per_scope_in_the_27560_structure(
        self, session: Session, person: Subject, policy: PolicyVersion
    ) -> None:
        doc = export.export_consents(session, person.id)
        assert doc["schema_version"] == "ISO/IEC TS 27560:2023"
        assert doc["pii_principal_id"] == str(person.id)
        records = {r["pii_processing"]["scope"]: r for r in doc["records"]}
        assert set(records) == {MAILINGS, "cross_border:US", "camera"}
        mailings = records[MAILINGS]
        assert mailings["record_id"] == export.record_id(person.id, MAILINGS)
        assert mailings["record_state"] == "consent_withdrawn"
        assert [e["event_state"] for e in mailings["events"]] == ["consent_given", "consent_withdrawn"]
        assert [e["channel"] for e in mailings["events"]] == ["shop", "phone"]
        assert mailings["events"][0]["event_time"] == "2026-01-10T01:30:00Z"
        assert mailings["events"][0]["policy_version"] == policy.number
        purpose = mailings["pii_processing"]["purposes"][0]
        assert purpose["purpose_id"] == "customer.mailings"
        assert purpose["purpose"] == bundle_of(policy).purposes()["customer.mailings"].text.ja
        assert purpose["lawful_basis"] == "consent"
        assert {i["pii_attribute_id"] for i in purpose["pii_information"]} >= {"email", "address"}
        assert mailings["pii_processing"]["pii_controllers"] == ["aoki"]
        assert mailings["pii_processing"]["jurisdiction"] == "CN"
        assert mailings["party_identification"][0]["party_role"] == "pii_controller"
        cross = records["cross_border:US"]
        assert cross["pii_processing"]["geographic_restrictions"] == ["US"]
        assert cross["events"][0]["event_type"] == "explicit_separate"
        assert records["camera"]["record_state"] == "consent_expired"
        assert records["camera"]["events"][0]["validity_duration"] == 86400

    def test_json_keeps_cjk_characters_and_no_identifier(self, session: Session, person: Subject) -> None:
        text = export.to_json(export.export_consents(session, person.id))
        assert "\\u" not in text
        assert "株式会社AOKI" in text
        assert json.loads(text)["pii_principal_id"] == str(person.id)

    def test_record_ids_are_stable(self, session: Session, person: Subject) -> None:
        first = export.export_consents(session, person.id)
        again = export.export_consents(session, person.id)
        assert [r["record_id"] for r in first["records"]] == [r["record_id"] for r in again["records"]]

    def test_unknown_subject(self, session: Session, policy: PolicyVersion) -> None:  # noqa: ARG002
        with pytest.raises(NotFound):
            export.export_consents(session, uuid.uuid4())


class TestConsentReceipt:
    def test_in_the_subjects_language_by_default(self, session: Session, person: Subject) -> None:
        receipt = receipt_for_subject(session, person.id)
        assert receipt.lang == "zh-Hans"
        assert receipt.title == "同意记录（存根）"
        states = {c.scope: c.state for c in receipt.consents}
        assert states == {MAILINGS: "已撤回", "cross_border:US": "已同意", "camera": "已过期"}

    def test_each_consent_with_purpose_text_state_date_channel_and_version(
        self, session: Session, person: Subject, policy: PolicyVersion
    ) -> None:
        receipt = receipt_for_subject(session, person.id, "en")
        mailings = next(c for c in receipt.consents if c.scope == MAILINGS)
        assert mailings.title == bundle_of(policy).purposes()["customer.mailings"].text.en
        assert (mailings.state, mailings.channel) == ("Withdrawn", "Telephone")
        assert mailings.date == "13 January 2026, 10:30 (Japan time)"
        assert mailings.version == f"Version {policy.number}"
        assert [e.channel for e in mailings.history] == ["In a shop", "Telephone"]
        cross = next(c for c in receipt.consents if c.scope == "cross_border:US")
        assert cross.title == "Transfer abroad (United States)"
        assert cross.separate
        assert receipt.reference == str(person.id)
        assert "AOKI Inc." in receipt.controller

    def test_html_shows_how_to_withdraw(self, session: Session, person: Subject) -> None:
        html = receipt_html(receipt_for_subject(session, person.id, "ja"))
        assert '<html lang="ja">' in html
        assert "同意の撤回について" in html
        assert "撤回済み" in html
        assert str(person.id) in html

    def test_unknown_language_names_the_field(self, session: Session, person: Subject) -> None:
        with pytest.raises(ValidationFailed) as exc:
            receipt_for_subject(session, person.id, "fr")
        assert exc.value.details["errors"][0]["field"] == "lang"

    def test_pdf_contains_the_japanese_purpose_text(
        self, session: Session, person: Subject, policy: PolicyVersion
    ) -> None:
        pdf = receipt_pdf(receipt_for_subject(session, person.id, "ja"))
        assert pdf.startswith(b"%PDF")
        text = _squeeze("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
        purpose = bundle_of(policy).purposes()["customer.mailings"].text.ja
        assert _squeeze(purpose) in text
        assert "同意の記録（控え）" in text
        assert "撤回済み" in text
