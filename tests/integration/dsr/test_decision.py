"""Decisions and their effects: suspensions that decisions honour at once, fulfillment work, fees."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.consents.decisions.service import check
from mamori.consents.models import UsageSuspension
from mamori.dsr.models import PendingTask
from mamori.dsr.service import decide, get_case, link_subject, pending_tasks, record_payment
from mamori.errors import InvalidTransition, ValidationFailed
from tests.factories.dsr import case_in_progress, create_case
from tests.factories.subjects import create_subject


def _allowed(session: Session, settings: Settings, subject_id: uuid.UUID) -> bool:
    """What a business system is told before using the person's data for sales."""
    result = check(session, settings, actor="system:pos", subject=subject_id, purpose_id="customer.sales")
    return bool(result["allowed"])


def _count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


class TestDecide:
    def test_a_refusal_needs_reasons_that_fit_and_an_explanation(
        self, session: Session, settings: Settings
    ) -> None:
        case = case_in_progress(session, settings)
        for reasons, explanation, field in [
            ([], "x", "reasons"),
            (["harm_to_person_or_others"], "", "explanation"),
            (["no_ground"], "x", "reasons"),
            (["because"], "x", "reasons[0]"),
        ]:
            with pytest.raises(ValidationFailed) as caught:
                decide(
                    session,
                    actor="a",
                    case_id=case.id,
                    outcome="refused",
                    reasons=reasons,
                    explanation=explanation,
                    settings=settings,
                )
            assert field in [e["field"] for e in caught.value.details["errors"]]
        assert get_case(session, case.id).state == "in_progress"

    def test_a_partial_disclosure_records_reasons_and_explanation_encrypted(
        self, session: Session, settings: Settings
    ) -> None:
        case = case_in_progress(session, settings)
        decide(
            session,
            actor="user:officer",
            case_id=case.id,
            outcome="partial",
            reasons=["harm_to_person_or_others"],
            explanation="第三者の情報を含む記録を除きました",
            settings=settings,
        )
        assert (case.state, case.outcome, case.reasons) == (
            "decided",
            "partial",
            ["harm_to_person_or_others"],
        )
        assert "第三者" not in (case.explanation_encrypted or "")
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "request.decision_recorded")
        ).one()
        assert json.loads(event.details)["reasons"] == ["harm_to_person_or_others"]

    def test_deciding_twice_is_an_invalid_transition(self, session: Session, settings: Settings) -> None:
        case = case_in_progress(session, settings)
        decide(session, actor="a", case_id=case.id, outcome="full", settings=settings)
        with pytest.raises(InvalidTransition):
            decide(session, actor="a", case_id=case.id, outcome="full", settings=settings)

    def test_an_undecided_case_in_received_cannot_be_decided(
        self, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        with pytest.raises(InvalidTransition):
            decide(session, actor="a", case_id=case.id, outcome="full", settings=settings)


class TestEffects:
    def test_an_accepted_cease_request_makes_decisions_refuse_from_then_on(
        self, session: Session, settings: Settings
    ) -> None:
        subject = create_subject(session, settings)
        assert _allowed(session, settings, subject.id)
        case = case_in_progress(
            session,
            settings,
            subject_id=subject.id,
            request_type="utilisation_cease",
            ground="no_longer_needed",
        )
        decide(session, actor="user:officer", case_id=case.id, outcome="full", settings=settings)
        assert not _allowed(session, settings, subject.id)
        suspension = session.scalars(
            select(UsageSuspension).where(UsageSuspension.subject_id == subject.id)
        ).one()
        assert (suspension.scope, suspension.source, suspension.source_ref) == (
            "all",
            "request",
            case.reference,
        )

    def test_an_accepted_cease_provision_request_suspends_provision_only(
        self, session: Session, settings: Settings
    ) -> None:
        subject = create_subject(session, settings)
        case = case_in_progress(session, settings, subject_id=subject.id, request_type="provision_cease")
        decide(session, actor="a", case_id=case.id, outcome="full", settings=settings)
        scopes = session.scalars(
            select(UsageSuspension.scope).where(UsageSuspension.subject_id == subject.id)
        )
        assert list(scopes) == ["third_party_provision"]
        assert _allowed(session, settings, subject.id)

    def test_a_refused_cease_request_changes_nothing(self, session: Session, settings: Settings) -> None:
        subject = create_subject(session, settings)
        case = case_in_progress(
            session, settings, subject_id=subject.id, request_type="utilisation_cease", ground="unlawful_use"
        )
        decide(
            session,
            actor="a",
            case_id=case.id,
            outcome="refused",
            reasons=["no_ground"],
            explanation="不適正な利用の事実は確認されませんでした",
            settings=settings,
        )
        assert _count(session, UsageSuspension) == 0
        assert _allowed(session, settings, subject.id)

    def test_suspension_erasure_and_correction_become_pending_fulfillment_work(
        self, session: Session, settings: Settings
    ) -> None:
        subject = create_subject(session, settings)
        erase = case_in_progress(
            session,
            settings,
            subject_id=subject.id,
            request_type="utilisation_cease",
            ground="no_longer_needed",
            erasure=True,
        )
        decide(session, actor="a", case_id=erase.id, outcome="full", settings=settings)
        correct = case_in_progress(session, settings, subject_id=subject.id, request_type="correction")
        with pytest.raises(ValidationFailed, match="changes"):
            decide(session, actor="a", case_id=correct.id, outcome="full", settings=settings)
        decide(
            session,
            actor="a",
            case_id=correct.id,
            outcome="full",
            changes={"address": "東京都千代田区1-1"},
            settings=settings,
        )
        tasks = {(t.case_id, t.action) for t in pending_tasks(session)}
        assert tasks == {(erase.id, "suspend"), (erase.id, "erase"), (correct.id, "correct")}
        stored = session.scalars(select(PendingTask).where(PendingTask.action == "correct")).one()
        assert "千代田" not in (stored.changes_encrypted or "")

    def test_accepting_needs_the_person_on_record(self, session: Session, settings: Settings) -> None:
        case = case_in_progress(session, settings, request_type="provision_cease")
        with pytest.raises(ValidationFailed, match="subject_id"):
            decide(session, actor="a", case_id=case.id, outcome="full", settings=settings)
        link_subject(session, actor="a", case_id=case.id, subject_id=create_subject(session, settings).id)
        decide(session, actor="a", case_id=case.id, outcome="full", settings=settings)
        assert case.state == "decided"


class TestFees:
    def test_a_request_without_fee_takes_no_payment(self, session: Session, settings: Settings) -> None:
        case = create_case(session, settings)
        with pytest.raises(ValidationFailed, match="no fee"):
            record_payment(session, actor="a", case_id=case.id, amount_yen=300, method="postal_order")
