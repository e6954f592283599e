"""The provision gate against a real database: each basis, each refusal, and the records."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.consents import suspensions
from mamori.consents.decisions.rules import tokyo_date
from mamori.db.base import utcnow
from mamori.errors import PolicyViolation, ValidationFailed
from mamori.policy.service import publish_bundle
from mamori.provisions.countries import country_notice
from mamori.provisions.gate import ProvisionRequest, provide
from mamori.provisions.messages import reason_dict
from mamori.provisions.models import Provision, ProvisionRecord
from mamori.provisions.rules import add_years
from mamori.provisions.service import list_records_for_subject
from mamori.subjects.lifecycle import erase_subject, relate
from tests.bundles import copy_default_bundle, edit
from tests.factories.consents import create_plain_subject, ensure_policy, record_consent
from tests.factories.provisions import OFFICER, create_officer, make_provision

BUREAU = "recipient:sample_credit_bureau"


@pytest.fixture(autouse=True)
def _policy(session: Session) -> None:
    ensure_policy(session)


def _last_audit(session: Session) -> AuditEvent:
    return session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


class TestConsentBasis:
    def test_provides_to_those_who_consented_and_refuses_the_rest_individually(
        self, session: Session, settings: Settings
    ) -> None:
        agreed, silent, withdrew = (create_plain_subject(session) for _ in range(3))
        event = record_consent(session, agreed, scope=BUREAU)
        record_consent(session, withdrew, scope=BUREAU)
        record_consent(session, withdrew, scope=BUREAU, action="withdrawn")
        outcome = make_provision(session, settings, [agreed.id, silent.id, withdrew.id])
        assert outcome.provided == [agreed.id]
        reasons = {r.subject_id: [x.code for x in r.reasons] for r in outcome.refused}
        assert reasons == {silent.id: ["consent_missing"], withdrew.id: ["consent_withdrawn"]}
        [record] = session.scalars(select(ProvisionRecord)).all()
        assert (record.subject_id, record.consent_event_id) == (agreed.id, event.id)
        assert outcome.provision.art29_record is True
        assert outcome.provision.recipient_snapshot["address"]["ja"].startswith("東京都")

    def test_record_keeps_three_years_without_a_contract_document(
        self, session: Session, settings: Settings
    ) -> None:
        subject = create_plain_subject(session)
        record_consent(session, subject, scope=BUREAU)
        now = utcnow()
        make_provision(session, settings, [subject.id], now=now)
        [record] = list_records_for_subject(session, subject.id)
        assert record.retention_end == add_years(now, 3)

    def test_contract_document_keeps_one_year_after_the_last_provision(
        self, session: Session, settings: Settings
    ) -> None:
        subject = create_plain_subject(session)
        record_consent(
            session,
            subject,
            scope="recipient:sample_mailing_partner",
            occurred_at=utcnow() - timedelta(days=90),
        )
        first, second = utcnow() - timedelta(days=60), utcnow()
        make_provision(session, settings, [subject.id], recipient="sample_mailing_partner", now=first)
        make_provision(session, settings, [subject.id], recipient="sample_mailing_partner", now=second)
        records = list_records_for_subject(session, subject.id)
        assert [r.retention_end for r in records] == [add_years(second, 1)] * 2

    def test_expired_consent_is_refused(self, session: Session, settings: Settings) -> None:
        subject = create_plain_subject(session)
        now = utcnow()
        record_consent(
            session,
            subject,
            scope=BUREAU,
            occurred_at=now - timedelta(days=10),
            expires_at=now - timedelta(days=1),
        )
        outcome = make_provision(session, settings, [subject.id])
        assert [x.code for x in outcome.refused[0].reasons] == ["consent_expired"]

    def test_suspension_of_third_party_provision_blocks(self, session: Session, settings: Settings) -> None:
        subject = create_plain_subject(session)
        record_consent(session, subject, scope=BUREAU)
        suspensions.suspend(
            session, actor="test", subject_id=subject.id, scope="third_party_provision",
            reason="asked to stop", source="manual",
        )  # fmt: skip
        outcome = make_provision(session, settings, [subject.id])
        assert outcome.provided == []
        assert [x.code for x in outcome.refused[0].reasons] == ["third_party_provision_suspended"]

    def test_merged_subject_is_provided_under_its_survivor(
        self, session: Session, settings: Settings
    ) -> None:
        survivor = create_plain_subject(session)
        merged = create_plain_subject(session, merged_into=survivor)
        record_consent(session, merged, scope=BUREAU)
        outcome = make_provision(session, settings, [merged.id, survivor.id])
        assert outcome.provided == [survivor.id]
        assert [r.kind for r in list_records_for_subject(session, merged.id)] == ["provision"]

    def test_audit_event_names_counts_and_reasons(self, session: Session, settings: Settings) -> None:
        agreed, silent = create_plain_subject(session), create_plain_subject(session)
        record_consent(session, agreed, scope=BUREAU)
        outcome = make_provision(session, settings, [agreed.id, silent.id])
        audit = _last_audit(session)
        details = json.loads(audit.details)
        assert (audit.action, audit.target_id) == ("provision.recorded", "sample_credit_bureau")
        assert details["provision_id"] == str(outcome.provision.id)
        assert (details["provided"], details["refused"]) == (1, 1)
        assert details["refusal_reasons"] == {"consent_missing": 1}
        assert details["refused_subjects"] == [str(silent.id)]


class TestPipl:
    def test_cn_subject_needs_a_separate_consent(self, session: Session, settings: Settings) -> None:
        plain, separate = (create_plain_subject(session, jurisdiction="CN") for _ in range(2))
        record_consent(session, plain, scope=BUREAU)
        record_consent(session, separate, scope=BUREAU, separate=True)
        outcome = make_provision(session, settings, [plain.id, separate.id])
        assert outcome.provided == [separate.id]
        assert [x.code for x in outcome.refused[0].reasons] == ["pipl_separate_consent_missing"]

    def test_cn_subject_needs_separate_consent_even_for_a_group_company(
        self, session: Session, settings: Settings
    ) -> None:
        japan, china, china_ok = (
            create_plain_subject(session),
            create_plain_subject(session, jurisdiction="CN"),
            create_plain_subject(session, jurisdiction="CN"),
        )
        record_consent(session, china_ok, scope="sharing", separate=True)
        outcome = make_provision(
            session, settings, [japan.id, china.id, china_ok.id], recipient="valic", basis="joint_use"
        )
        assert sorted(outcome.provided) == sorted([japan.id, china_ok.id])
        assert [r.subject_id for r in outcome.refused] == [china.id]
        assert outcome.provision.art29_record is False


class TestExceptions:
    def test_exception_with_justification_and_officer_needs_no_art29_record(
        self, session: Session, settings: Settings
    ) -> None:
        create_officer(session)
        subject = create_plain_subject(session)
        outcome = make_provision(
            session, settings, [subject.id], basis="law", justification="照会書 2026-118 に基づく",
            approved_by=OFFICER,
        )  # fmt: skip
        assert outcome.provided == [subject.id]
        assert outcome.provision.art29_record is False
        details = json.loads(_last_audit(session).details)
        assert details["approved_by"] == OFFICER
        assert details["justification_encrypted"] == outcome.provision.justification_encrypted
        assert "照会書" not in _last_audit(session).details
        [listed] = list_records_for_subject(session, subject.id)
        assert (listed.basis, listed.art29_record) == ("law", False)

    @pytest.mark.parametrize(
        ("changes", "fields"),
        [
            ({"justification": None}, ["justification"]),
            ({"justification": "  "}, ["justification"]),
            ({"approved_by": None}, ["approved_by"]),
            ({"approved_by": "nobody"}, ["approved_by"]),
            ({"justification": None, "approved_by": None}, ["justification", "approved_by"]),
        ],
    )
    def test_exception_without_justification_or_officer_records_nothing(
        self, session: Session, settings: Settings, changes: dict[str, str | None], fields: list[str]
    ) -> None:
        create_officer(session)
        subject = create_plain_subject(session)
        before = _count(session, AuditEvent)
        kwargs = {
            "basis": "life_body_property",
            "justification": "救急搬送",
            "approved_by": OFFICER,
            **changes,
        }
        with pytest.raises(ValidationFailed) as caught:
            make_provision(session, settings, [subject.id], **kwargs)  # type: ignore[arg-type]
        assert [e["field"] for e in caught.value.details["errors"]] == fields
        assert (_count(session, Provision), _count(session, AuditEvent)) == (0, before)

    def test_an_agent_cannot_approve(self, session: Session, settings: Settings) -> None:
        create_officer(session, username="agent.ito", role="agent")
        subject = create_plain_subject(session)
        with pytest.raises(ValidationFailed) as caught:
            make_provision(
                session, settings, [subject.id], basis="law", justification="x", approved_by="agent.ito"
            )
        assert caught.value.details["errors"][0]["field"] == "approved_by"


class TestBadInput:
    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"recipient": "nobody_inc"}, "recipient"),
            ({"recipient": "sample_mailing_house"}, "recipient"),
            ({"items": []}, "items"),
            ({"items": ["name", "shoe_size"]}, "items[1]"),
            ({"basis": "because"}, "basis"),
            ({"basis": "joint_use"}, "recipient"),
            ({"basis": "joint_use", "recipient": "valic", "items": ["payment_info"]}, "items[0]"),
        ],
    )
    def test_names_the_field_and_records_nothing(
        self, session: Session, settings: Settings, kwargs: dict[str, object], field: str
    ) -> None:
        subject = create_plain_subject(session)
        with pytest.raises(ValidationFailed) as caught:
            make_provision(session, settings, [subject.id], **kwargs)  # type: ignore[arg-type]
        assert field in [e["field"] for e in caught.value.details["errors"]]
        assert _count(session, Provision) == 0

    def test_empty_subject_list(self, session: Session, settings: Settings) -> None:
        with pytest.raises(ValidationFailed) as caught:
            make_provision(session, settings, [])
        assert caught.value.details["errors"][0]["field"] == "subjects"

    def test_unknown_subject(self, session: Session, settings: Settings) -> None:
        import uuid

        known = create_plain_subject(session)
        with pytest.raises(ValidationFailed) as caught:
            make_provision(session, settings, [known.id, uuid.uuid4()])
        assert caught.value.details["errors"][0]["field"] == "subjects[1]"
        assert _count(session, Provision) == 0

    def test_opt_out_is_refused_with_a_reason(self, session: Session, settings: Settings) -> None:
        subject = create_plain_subject(session)
        with pytest.raises(PolicyViolation, match="opt-out provision"):
            make_provision(session, settings, [subject.id], basis="opt_out")
        assert _count(session, Provision) == 0


class TestForeignRecipients:
    def test_adequate_country_needs_no_cross_border_consent(
        self, session: Session, settings: Settings
    ) -> None:
        subject = create_plain_subject(session)
        record_consent(session, subject, scope="recipient:sample_partner_de")
        outcome = make_provision(session, settings, [subject.id], recipient="sample_partner_de")
        assert (outcome.provided, outcome.provision.route) == ([subject.id], "adequate")

    def test_equivalent_measures_checked_in_time(self, session: Session, settings: Settings) -> None:
        subject = create_plain_subject(session)
        record_consent(
            session,
            subject,
            scope="recipient:sample_partner_us",
            occurred_at=datetime(2026, 7, 1, tzinfo=UTC),
        )
        on_time = datetime(2027, 6, 1, 12, tzinfo=UTC)
        outcome = make_provision(session, settings, [subject.id], recipient="sample_partner_us", now=on_time)
        assert (outcome.provided, outcome.provision.route) == ([subject.id], "equivalent_measures")

    def test_overdue_check_falls_back_to_each_persons_consent(
        self, session: Session, settings: Settings
    ) -> None:
        told, untold = create_plain_subject(session), create_plain_subject(session)
        for subject in (told, untold):
            record_consent(
                session,
                subject,
                scope="recipient:sample_partner_us",
                occurred_at=datetime(2026, 7, 1, tzinfo=UTC),
            )
        record_consent(session, told, scope="cross_border:US", occurred_at=datetime(2026, 7, 1, tzinfo=UTC))
        late = datetime(2027, 6, 2, 12, tzinfo=UTC)
        outcome = make_provision(
            session, settings, [told.id, untold.id], recipient="sample_partner_us", now=late
        )
        assert (outcome.provided, outcome.provision.route) == ([told.id], "consent")
        assert [x.code for x in outcome.refused[0].reasons] == ["cross_border_consent_missing"]

    def test_no_route_needs_consent_after_country_information(
        self, session: Session, settings: Settings
    ) -> None:
        told, untold = create_plain_subject(session), create_plain_subject(session)
        for subject in (told, untold):
            record_consent(session, subject, scope="recipient:sample_partner_sg")
        shown = country_notice(session, "SG", "zh-Hans")
        record_consent(session, told, scope=shown.scope, language="zh-Hans", notice_hash=shown.notice_hash)
        outcome = make_provision(session, settings, [told.id, untold.id], recipient="sample_partner_sg")
        assert (outcome.provided, outcome.provision.route) == ([told.id], "consent")
        [refusal] = outcome.refused
        assert refusal.subject_id == untold.id
        [reason] = refusal.reasons
        assert (reason.code, dict(reason.details)) == (
            "cross_border_consent_missing",
            {"scope": "cross_border:SG", "country": "SG"},
        )
        message = reason_dict(reason, "en")["message"]
        assert "SG is not an adequate country and the recipient has no equivalent measures" in message
        assert "consent given after the country information was shown (cross_border:SG)" in message

    def test_a_consent_without_the_country_information_cannot_be_recorded(
        self, session: Session, settings: Settings
    ) -> None:
        subject = create_plain_subject(session)
        record_consent(session, subject, scope="recipient:sample_partner_sg")
        with pytest.raises(ValidationFailed) as caught:
            record_consent(session, subject, scope="cross_border:SG", notice_hash="a" * 64)
        assert [e["field"] for e in caught.value.details["errors"]] == ["notice_hash"]
        outcome = make_provision(session, settings, [subject.id], recipient="sample_partner_sg")
        assert [x.code for x in outcome.refused[0].reasons] == ["cross_border_consent_missing"]

    def test_overdue_measures_refusal_names_the_due_day(self, session: Session, settings: Settings) -> None:
        subject = create_plain_subject(session)
        record_consent(
            session,
            subject,
            scope="recipient:sample_partner_us",
            occurred_at=datetime(2026, 7, 1, tzinfo=UTC),
        )
        late = datetime(2027, 6, 2, 12, tzinfo=UTC)
        outcome = make_provision(session, settings, [subject.id], recipient="sample_partner_us", now=late)
        [reason] = outcome.refused[0].reasons
        assert reason.details["measures_due"] == "2027-06-01"
        assert "期限（2027-06-01）を過ぎています" in reason_dict(reason, "ja")["message"]


class TestEachBasis:
    @pytest.mark.parametrize(
        "code", ["law", "life_body_property", "public_health_children", "government_cooperation"]
    )
    def test_each_exception_of_art_27_1_provides_without_consent_and_without_art29_record(
        self, session: Session, settings: Settings, code: str
    ) -> None:
        create_officer(session)
        subject = create_plain_subject(session)
        outcome = make_provision(
            session, settings, [subject.id], basis=code, justification="記録番号 118", approved_by=OFFICER
        )
        assert (outcome.provided, outcome.provision.basis, outcome.provision.art29_record) == (
            [subject.id],
            code,
            False,
        )
        [record] = session.scalars(select(ProvisionRecord)).all()
        assert record.consent_event_id is None

    def test_joint_use_needs_no_consent_of_a_japanese_subject_and_no_art29_record(
        self, session: Session, settings: Settings
    ) -> None:
        subject = create_plain_subject(session)
        outcome = make_provision(session, settings, [subject.id], recipient="aoki", basis="joint_use")
        assert (outcome.provided, outcome.provision.art29_record) == ([subject.id], False)

    def test_consent_to_a_purpose_that_names_third_party_provision(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(
            bundle,
            "purposes.yaml",
            "        flags: [credit]",
            "        flags: [credit, third_party_provision]",
        )
        publish_bundle(session, actor="t", directory=bundle)
        subject = create_plain_subject(session)
        record_consent(session, subject, scope="purpose:customer.credit")
        request = ProvisionRequest(
            recipient="sample_credit_bureau", subjects=[subject.id], items=["name"], basis="consent",
            purpose="customer.credit",
        )  # fmt: skip
        outcome = provide(session, settings, actor="t", request=request)
        assert outcome.provided == [subject.id]
        without_purpose = make_provision(session, settings, [subject.id])
        assert [x.code for x in without_purpose.refused[0].reasons] == ["consent_missing"]

    def test_a_purpose_that_does_not_name_third_party_provision_is_bad_input(
        self, session: Session, settings: Settings
    ) -> None:
        subject = create_plain_subject(session)
        request = ProvisionRequest(
            recipient="sample_credit_bureau", subjects=[subject.id], items=["name"], basis="consent",
            purpose="customer.credit",
        )  # fmt: skip
        with pytest.raises(ValidationFailed) as caught:
            provide(session, settings, actor="t", request=request)
        assert caught.value.details["errors"][0]["field"] == "purpose"
        assert _count(session, Provision) == 0


class TestMoreRefusals:
    def test_an_erased_subject_is_refused(self, session: Session, settings: Settings) -> None:
        subject = create_plain_subject(session)
        record_consent(session, subject, scope=BUREAU)
        erase_subject(session, "test", subject.id)
        outcome = make_provision(session, settings, [subject.id])
        assert [x.code for x in outcome.refused[0].reasons] == ["subject_erased"]

    def test_a_minors_own_consent_is_refused_a_legal_representatives_is_not(
        self, session: Session, settings: Settings
    ) -> None:
        child, parent = create_plain_subject(session), create_plain_subject(session)
        child.date_of_birth = tokyo_date(utcnow()) - timedelta(days=10 * 365)
        relate(
            session, "test", child.id, related_subject_id=parent.id, kind="legal_representative_minor",
            evidence_ref="koseki/118", valid_from=tokyo_date(utcnow()) - timedelta(days=30),
        )  # fmt: skip
        record_consent(session, child, scope=BUREAU)
        refused = make_provision(session, settings, [child.id])
        assert [x.code for x in refused.refused[0].reasons] == ["minor_consent_unentitled"]
        record_consent(session, child, scope=BUREAU, on_behalf_by_id=parent.id)
        assert make_provision(session, settings, [child.id]).provided == [child.id]

    def test_a_usage_suspension_of_everything_blocks_even_an_exception(
        self, session: Session, settings: Settings
    ) -> None:
        create_officer(session)
        subject = create_plain_subject(session)
        suspensions.suspend(
            session, actor="test", subject_id=subject.id, scope="all", reason="asked to stop", source="manual"
        )
        outcome = make_provision(
            session, settings, [subject.id], basis="law", justification="照会", approved_by=OFFICER
        )
        assert [x.code for x in outcome.refused[0].reasons] == ["third_party_provision_suspended"]


class TestNothingRecordedOnBadInput:
    @pytest.mark.parametrize(
        "kwargs",
        [
            {"recipient": "nobody_inc"},
            {"subjects": []},
            {"basis": "law", "justification": None, "approved_by": OFFICER},
            {"basis": "law", "justification": "照会", "approved_by": None},
        ],
    )
    def test_no_provision_no_record_no_audit_event(
        self, session: Session, settings: Settings, kwargs: dict[str, object]
    ) -> None:
        create_officer(session)
        subject = create_plain_subject(session)
        before = _count(session, AuditEvent)
        fields: dict[str, object] = {"subjects": [subject.id], **kwargs}
        subjects = fields.pop("subjects")
        with pytest.raises(ValidationFailed):
            make_provision(session, settings, subjects, **fields)  # type: ignore[arg-type]
        assert (
            _count(session, Provision),
            _count(session, ProvisionRecord),
            _count(session, AuditEvent),
        ) == (
            0,
            0,
            before,
        )
