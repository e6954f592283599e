"""Receipts, the retention sweep on both sides of each boundary, and the PIPL counters."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.errors import ValidationFailed
from mamori.provisions.counters import pipl_counters
from mamori.provisions.models import Provision, ProvisionRecord, ReceiptRecord
from mamori.provisions.parties import PartyInput, register_party
from mamori.provisions.receipts import ReceiptRequest, record_receipt
from mamori.provisions.rules import add_years
from mamori.provisions.service import list_records_for_subject, sweep_expired_records
from tests.factories.consents import create_plain_subject, ensure_policy, record_consent
from tests.factories.provisions import OFFICER, create_officer, make_provision

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
TINY = timedelta(microseconds=1)


@pytest.fixture(autouse=True)
def _policy(session: Session) -> None:
    ensure_policy(session)


def _provider(session: Session, *, contract_document: bool = False) -> str:
    key = "sample_broker_contract" if contract_document else "sample_broker"
    register_party(
        session,
        actor="test",
        data=PartyInput(
            key=key,
            kind="provider",
            name={"ja": "見本名簿株式会社"},
            country="JP",
            address={"ja": "東京都港区見本3-3"},
            representative={"title": {"ja": "代表"}, "name": {"ja": "見本"}},
            contract_document=contract_document,
        ),
    )
    return key


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


class TestRecordReceipt:
    def test_records_provider_acquisition_and_each_person(self, session: Session) -> None:
        a, b = create_plain_subject(session), create_plain_subject(session)
        key = _provider(session)
        request = ReceiptRequest(
            key, [a.id, b.id], ["name", "email"], "web sign-up with consent", received_at=T0
        )
        receipt = record_receipt(session, actor="test", request=request)
        assert receipt.subjects == 2
        [listed] = list_records_for_subject(session, a.id)
        assert (listed.kind, listed.acquisition, listed.items) == (
            "receipt",
            "web sign-up with consent",
            ["name", "email"],
        )
        assert listed.party["address"] == {"ja": "東京都港区見本3-3"}
        assert listed.retention_end == add_years(T0, 3)

    def test_contract_document_keeps_one_year(self, session: Session) -> None:
        a = create_plain_subject(session)
        key = _provider(session, contract_document=True)
        record_receipt(
            session, actor="test", request=ReceiptRequest(key, [a.id], ["name"], "contract", received_at=T0)
        )
        assert list_records_for_subject(session, a.id)[0].retention_end == add_years(T0, 1)

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"provider": "ghost"}, "provider"),
            ({"provider": "sample_credit_bureau", "acquisition": " "}, "acquisition"),
            ({"subjects": []}, "subjects"),
            ({"items": ["shoe_size"]}, "items[0]"),
        ],
    )
    def test_bad_input_records_nothing(
        self, session: Session, changes: dict[str, object], field: str
    ) -> None:
        a = create_plain_subject(session)
        fields = {"provider": _provider(session), "subjects": [a.id], "items": ["name"], "acquisition": "web"}
        with pytest.raises(ValidationFailed) as caught:
            record_receipt(session, actor="test", request=ReceiptRequest(**{**fields, **changes}))  # type: ignore[arg-type]
        assert field in [e["field"] for e in caught.value.details["errors"]]
        assert _count(session, ReceiptRecord) == 0


class TestSweep:
    def _provided(self, session: Session, settings: Settings, recipient: str) -> datetime:
        subject = create_plain_subject(session)
        record_consent(session, subject, scope=f"recipient:{recipient}", occurred_at=T0 - timedelta(days=1))
        make_provision(session, settings, [subject.id], recipient=recipient, now=T0)
        return session.scalars(select(ProvisionRecord.retention_end)).one()

    @pytest.mark.parametrize(
        ("recipient", "years"), [("sample_credit_bureau", 3), ("sample_mailing_partner", 1)]
    )
    def test_keeps_a_record_until_its_retention_end(
        self, session: Session, settings: Settings, recipient: str, years: int
    ) -> None:
        end = self._provided(session, settings, recipient)
        assert end == add_years(T0, years)
        assert sweep_expired_records(session, actor="test", now=end).provision_records == 0
        assert sweep_expired_records(session, actor="test", now=end - TINY).provision_records == 0
        assert _count(session, ProvisionRecord) == 1

    @pytest.mark.parametrize(
        ("recipient", "years"), [("sample_credit_bureau", 3), ("sample_mailing_partner", 1)]
    )
    def test_deletes_a_record_past_its_retention_end_and_audits(
        self, session: Session, settings: Settings, recipient: str, years: int
    ) -> None:
        end = self._provided(session, settings, recipient)
        result = sweep_expired_records(session, actor="job:test", now=end + TINY)
        assert result.provision_records == 1
        assert _count(session, ProvisionRecord) == 0
        audit = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
        assert audit.action == "provision_records.swept"
        assert json.loads(audit.details)["provision_records"] == 1
        # the provision itself (no personal data) stays until 3 years have passed since it
        assert _count(session, Provision) == (1 if years == 1 else 0)

    def test_receipt_records_on_both_sides(self, session: Session) -> None:
        a = create_plain_subject(session)
        record_receipt(
            session,
            actor="test",
            request=ReceiptRequest(_provider(session), [a.id], ["name"], "web", received_at=T0),
        )
        end = add_years(T0, 3)
        assert sweep_expired_records(session, actor="test", now=end).receipt_records == 0
        assert sweep_expired_records(session, actor="test", now=end + TINY).receipt_records == 1

    def test_receipt_records_under_a_contract_document_on_both_sides_of_one_year(
        self, session: Session
    ) -> None:
        a = create_plain_subject(session)
        key = _provider(session, contract_document=True)
        record_receipt(
            session, actor="test", request=ReceiptRequest(key, [a.id], ["name"], "contract", received_at=T0)
        )
        end = add_years(T0, 1)
        assert sweep_expired_records(session, actor="test", now=end).receipt_records == 0
        assert sweep_expired_records(session, actor="test", now=end + TINY).receipt_records == 1

    def test_a_later_provision_under_contract_keeps_the_earlier_record_one_year_after_it(
        self, session: Session, settings: Settings
    ) -> None:
        subject = create_plain_subject(session)
        partner = "sample_mailing_partner"
        record_consent(session, subject, scope=f"recipient:{partner}", occurred_at=T0 - timedelta(days=1))
        later = T0 + timedelta(days=100)
        make_provision(session, settings, [subject.id], recipient=partner, now=T0)
        make_provision(session, settings, [subject.id], recipient=partner, now=later)
        assert (
            sweep_expired_records(session, actor="test", now=add_years(T0, 1) + TINY).provision_records == 0
        )
        assert sweep_expired_records(session, actor="test", now=add_years(later, 1)).provision_records == 0
        assert (
            sweep_expired_records(session, actor="test", now=add_years(later, 1) + TINY).provision_records
            == 2
        )

    def test_an_exception_record_is_kept_three_years(self, session: Session, settings: Settings) -> None:
        create_officer(session)
        subject = create_plain_subject(session)
        make_provision(
            session, settings, [subject.id], basis="law", justification="照会", approved_by=OFFICER, now=T0
        )
        end = add_years(T0, 3)
        assert sweep_expired_records(session, actor="test", now=end).provision_records == 0
        assert sweep_expired_records(session, actor="test", now=end + TINY).provision_records == 1

    def test_a_provision_without_records_goes_after_three_years(
        self, session: Session, settings: Settings
    ) -> None:
        end = self._provided(session, settings, "sample_mailing_partner")
        sweep_expired_records(session, actor="test", now=end + TINY)
        assert sweep_expired_records(session, actor="test", now=add_years(T0, 3)).provisions == 0
        assert sweep_expired_records(session, actor="test", now=add_years(T0, 3) + TINY).provisions == 1


class TestPiplCounters:
    def test_counts_cn_persons_sent_abroad_split_by_sensitivity(
        self, session: Session, settings: Settings
    ) -> None:
        cn = [create_plain_subject(session, jurisdiction="CN") for _ in range(3)]
        jp = create_plain_subject(session)
        when = datetime(2026, 5, 1, tzinfo=UTC)
        for subject in (*cn, jp):
            record_consent(
                session,
                subject,
                scope="recipient:sample_partner_de",
                separate=True,
                occurred_at=when - timedelta(days=1),
            )
        make_provision(session, settings, [s.id for s in (*cn, jp)], recipient="sample_partner_de", now=when)
        make_provision(
            session, settings, [cn[0].id], recipient="sample_partner_de", items=["payment_info"], now=when
        )
        counters = pipl_counters(session, year=2026)
        assert (counters.non_sensitive, counters.sensitive) == (3, 1)
        body = counters.as_dict()
        assert body["obligation"] == "standard_contract"
        assert body["thresholds"]["non_sensitive_exempt_below"] == 100_000
        assert pipl_counters(session, year=2025).non_sensitive == 0


class TestSweepTask:
    def test_the_daily_task_runs_the_sweep(self, session: Session) -> None:
        from mamori.provisions.tasks import PERIODIC, SWEEP, TASKS

        assert PERIODIC[SWEEP] == timedelta(days=1)
        TASKS[SWEEP](session, {})
        audit = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
        assert (audit.action, audit.actor) == ("provision_records.swept", "job:provisions.sweep_records")
