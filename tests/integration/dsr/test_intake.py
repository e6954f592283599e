"""Opening request cases and moving them through the state machine, on a real database."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.dsr.models import Case, CaseEvent
from mamori.dsr.rules import CaseState, RequesterKind
from mamori.dsr.service import get_case, reject_case, transition_case
from mamori.errors import InvalidTransition, NotFound, ValidationFailed
from tests.factories.dsr import create_case, requester
from tests.factories.subjects import create_subject, ensure_policy

# Friday 25 December 2026, 11:00 in Tokyo
CHRISTMAS = datetime(2026, 12, 25, 2, 0, tzinfo=UTC)


def _count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _audit(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


class TestOpenCase:
    def test_a_postal_disclosure_request_gets_its_deadlines_and_is_audited(
        self, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings, received_at=CHRISTMAS)
        assert case.state == "received"
        assert case.reference.startswith("R20261225-")
        # 10 business days (New Year closure skipped) end 15 Jan, after the Art. 39 date: the day before
        assert case.target_on == date(2027, 1, 7)
        assert case.art39_on == date(2027, 1, 8)
        assert case.cap_on is None
        event = _audit(session, "request.received")[-1]
        assert event.target_id == str(case.id)
        assert "山田" not in event.details

    def test_the_requester_is_stored_encrypted(self, session: Session, settings: Settings) -> None:
        case = create_case(session, settings)
        assert "山田" not in case.requester_name_encrypted
        assert "hanako@" not in (case.requester_email_encrypted or "")
        assert "横浜" not in (case.requester_address_encrypted or "")
        assert case.requester_email_index is not None

    def test_a_cn_subject_gets_fifteen_working_days_capped_at_thirty(
        self, session: Session, settings: Settings
    ) -> None:
        subject = create_subject(session, settings, jurisdiction="CN", language="zh-Hans")
        case = create_case(
            session,
            settings,
            request_type="copy",
            subject_id=subject.id,
            received_at=CHRISTMAS,
            language="zh-Hans",
        )
        assert case.jurisdiction == "CN"
        assert case.target_on == date(2027, 1, 7)  # 15 working days run past the Art. 39 date too
        assert case.cap_on == date(2027, 1, 24)

    def test_an_inquiry_converted_into_a_case_keeps_the_link(
        self, session: Session, settings: Settings
    ) -> None:
        inquiry = uuid.uuid4()
        case = create_case(session, settings, channel="inquiry", inquiry_id=inquiry)
        assert get_case(session, case.id).inquiry_id == inquiry

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"request_type": "telepathy"}, "request_type"),
            ({"request_type": "copy"}, "request_type"),  # PIPL only, the subject is JP
            ({"channel": "pigeon"}, "channel"),
            ({"language": "fr"}, "language"),
            ({"response_method": "fax"}, "response_method"),
            ({"request_type": "utilisation_cease"}, "ground"),
            ({"ground": "no_longer_needed"}, "ground"),
            ({"erasure": True}, "erasure"),
            ({"who": requester(address=None)}, "requester.address"),
            ({"who": requester(email=None), "response_method": "electronic"}, "requester.email"),
            # the schema refuses it too; the service checks what reaches it by other paths
            ({"who": requester().model_copy(update={"email": "not-an-address"})}, "requester.email"),
            ({"who": requester(RequesterKind.LEGAL_REPRESENTATIVE)}, "requester.representation"),
            ({"who": requester(RequesterKind.NEXT_OF_KIN)}, "requester.kind"),
        ],
    )
    def test_bad_input_names_the_field_and_writes_nothing(
        self, session: Session, settings: Settings, changes: dict[str, object], field: str
    ) -> None:
        ensure_policy(session)
        before = (_count(session, Case), _count(session, AuditEvent))
        with pytest.raises(ValidationFailed) as caught:
            create_case(session, settings, **changes)  # type: ignore[arg-type]
        assert field in [e["field"] for e in caught.value.details["errors"]]
        assert (_count(session, Case), _count(session, AuditEvent)) == before

    def test_an_unknown_subject_is_not_found(self, session: Session, settings: Settings) -> None:
        with pytest.raises(NotFound):
            create_case(session, settings, subject_id=uuid.uuid4())


class TestTransitions:
    def test_each_move_is_in_the_history_and_the_audit_log(
        self, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        transition_case(
            session, actor="user:agent", case_id=case.id, to="identity_check", reason="ID enclosed"
        )
        history = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at)
        )
        assert [(e.from_state, e.to_state) for e in history] == [
            (None, "received"),
            ("received", "identity_check"),
        ]
        event = _audit(session, "request.identity_check")[-1]
        assert event.actor == "user:agent"
        assert json.loads(event.details)["reason"] == "ID enclosed"

    def test_an_illegal_move_raises_and_leaves_the_case_alone(
        self, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        before = _count(session, CaseEvent)
        with pytest.raises(InvalidTransition):
            transition_case(session, actor="user:agent", case_id=case.id, to="closed", reason="done")
        assert get_case(session, case.id).state == "received"
        assert _count(session, CaseEvent) == before

    def test_leaving_the_identity_check_needs_the_proof(self, session: Session, settings: Settings) -> None:
        case = create_case(session, settings)
        transition_case(session, actor="a", case_id=case.id, to="identity_check", reason="start")
        with pytest.raises(ValidationFailed, match="person_id"):
            transition_case(session, actor="a", case_id=case.id, to="in_progress", reason="go")
        assert get_case(session, case.id).state == "identity_check"

    def test_decided_needs_its_own_service(self, session: Session, settings: Settings) -> None:
        case = create_case(session, settings)
        with pytest.raises(ValidationFailed, match="decision"):
            transition_case(session, actor="a", case_id=case.id, to="decided", reason="x")

    def test_a_withdrawn_case_is_final(self, session: Session, settings: Settings) -> None:
        case = create_case(session, settings)
        transition_case(session, actor="a", case_id=case.id, to="withdrawn", reason="the person called")
        assert case.closed_at is not None
        with pytest.raises(InvalidTransition):
            transition_case(session, actor="a", case_id=case.id, to="identity_check", reason="again")

    def test_rejecting_needs_a_known_reason_code(self, session: Session, settings: Settings) -> None:
        case = create_case(session, settings)
        with pytest.raises(ValidationFailed):
            reject_case(session, actor="a", case_id=case.id, reason_code="bored", explanation="x")
        reject_case(
            session,
            actor="a",
            case_id=case.id,
            reason_code="agent_without_power_of_attorney",
            explanation="委任状の添付がありません",
        )
        assert case.state == "rejected"
        assert case.reasons == ["agent_without_power_of_attorney"]
        assert "委任状" not in (case.explanation_encrypted or "")


class TestDemoRequests:
    def test_the_demo_opens_sample_cases_once_in_every_state(
        self, session: Session, settings: Settings
    ) -> None:
        from mamori.dsr.demo import SAMPLES, add_sample_requests

        for sample in SAMPLES:
            jurisdiction = "CN" if sample.email.endswith(".cn") else "JP"
            create_subject(
                session, settings, identifiers=[("email", sample.email)], jurisdiction=jurisdiction
            )
        opened = add_sample_requests(session, settings)
        assert [case.state for case in opened] == [sample.state for sample in SAMPLES]
        assert {case.state for case in opened} == {state.value for state in CaseState}
        assert add_sample_requests(session, settings) == []
        assert _count(session, Case) == len(SAMPLES)
