"""Identity documents (encrypted on disk, type and size checked) and identity checks."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.dsr.models import Case, CaseDocument, IdentityCheck
from mamori.dsr.rules import RequesterKind
from mamori.dsr.service import proof_missing, transition_case
from mamori.dsr.service.identity import read_document, record_identity_check, upload_document
from mamori.errors import InvalidTransition, ValidationFailed
from tests.factories.dsr import create_case, requester
from tests.factories.subjects import create_subject
from tests.integration.dsr.conftest import JPEG, PDF, PNG, all_file_bytes


def _upload(session: Session, settings: Settings, case: Case, **kwargs: object) -> CaseDocument:
    fields: dict[str, object] = {
        "kind": "id_document",
        "whose": "person",
        "data": PNG,
        "document_type": "drivers_licence",
    }
    fields.update(kwargs)
    return upload_document(session, actor="user:agent", case_id=case.id, settings=settings, **fields)  # type: ignore[arg-type]


def _count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


class TestUploadDocument:
    def test_the_file_is_encrypted_on_disk_and_reads_back(self, session: Session, settings: Settings) -> None:
        case = create_case(session, settings)
        document = _upload(session, settings, case)
        assert document.content_type == "image/png"
        disk = all_file_bytes(settings.files_dir)
        assert disk
        assert b"ID-FRONT" not in disk
        assert b"PNG" not in disk
        _, data = read_document(
            session, actor="user:officer", case_id=case.id, document_id=document.id, settings=settings
        )
        assert data == PNG

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"data": b"GIF89a" + b"x" * 100}, "file"),
            ({"data": b"%PDF-" + b"x" * (10 * 1024 * 1024)}, "file"),
            ({"document_type": "library_card"}, "document_type"),
            ({"kind": "selfie"}, "kind"),
            ({"whose": "neighbour"}, "whose"),
            ({"document_type": "my_number_card_front", "side": "back"}, "side"),
            ({"document_type": "my_number_card_front"}, "side"),
        ],
    )
    def test_bad_uploads_are_refused_and_nothing_is_stored(
        self, session: Session, settings: Settings, changes: dict[str, object], field: str
    ) -> None:
        case = create_case(session, settings)
        before = (_count(session, CaseDocument), _count(session, AuditEvent))
        with pytest.raises(ValidationFailed) as caught:
            _upload(session, settings, case, **changes)
        assert field in [e["field"] for e in caught.value.details["errors"]]
        assert (_count(session, CaseDocument), _count(session, AuditEvent)) == before
        assert not all_file_bytes(settings.files_dir) if settings.files_dir.exists() else True

    def test_a_my_number_card_front_is_accepted_and_the_case_says_so(
        self, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        _upload(session, settings, case, document_type="my_number_card_front", side="front")
        assert case.my_number_front_only


class TestIdentityCheck:
    def test_the_check_records_what_matched_and_starts_the_identity_step(
        self, session: Session, settings: Settings
    ) -> None:
        subject = create_subject(session, settings)
        case = create_case(session, settings, subject_id=subject.id)
        document = _upload(session, settings, case)
        check = record_identity_check(
            session,
            actor="user:agent",
            case_id=case.id,
            whose="person",
            document_type="drivers_licence",
            matched=["name", "address", "email"],
            outcome="verified",
            document_id=document.id,
            settings=settings,
        )
        assert case.state == "identity_check"
        assert check.matched == ["name", "address", "email"]
        assert proof_missing(session, case) == []
        transition_case(session, actor="user:agent", case_id=case.id, to="in_progress", reason="ID verified")
        assert case.state == "in_progress"
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "request.identity_checked")
        ).one()
        assert json.loads(event.details)["outcome"] == "verified"

    def test_asking_for_an_item_we_do_not_hold_is_refused(self, session: Session, settings: Settings) -> None:
        subject = create_subject(session, settings)  # no date of birth held
        case = create_case(session, settings, subject_id=subject.id)
        with pytest.raises(ValidationFailed, match="do not hold the date_of_birth"):
            record_identity_check(
                session,
                actor="a",
                case_id=case.id,
                whose="person",
                document_type="passport",
                matched=["date_of_birth"],
                outcome="verified",
            )
        assert _count(session, IdentityCheck) == 0
        assert case.state == "received"

    def test_a_failed_check_needs_reasons_and_proves_nothing(
        self, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        with pytest.raises(ValidationFailed, match="reasons"):
            record_identity_check(
                session,
                actor="a",
                case_id=case.id,
                whose="person",
                document_type="passport",
                matched=[],
                outcome="failed",
            )
        record_identity_check(
            session,
            actor="a",
            case_id=case.id,
            whose="person",
            document_type="passport",
            matched=[],
            outcome="failed",
            reasons="写真が不鮮明",
            settings=settings,
        )
        assert proof_missing(session, case) == ["person_id"]
        stored = session.scalars(select(IdentityCheck)).one()
        assert "写真" not in (stored.reasons_encrypted or "")

    def test_an_agent_without_the_persons_id_cannot_go_on(self, session: Session, settings: Settings) -> None:
        case = create_case(session, settings, who=requester(RequesterKind.AGENT, name="代理 太郎"))
        _upload(session, settings, case, kind="power_of_attorney", document_type=None, data=PDF)
        record_identity_check(
            session,
            actor="a",
            case_id=case.id,
            whose="requester",
            document_type="passport",
            matched=["name", "photo"],
            outcome="verified",
        )
        with pytest.raises(ValidationFailed) as caught:
            transition_case(session, actor="a", case_id=case.id, to="in_progress", reason="go")
        assert caught.value.details["missing"] == ["person_id"]
        assert case.state == "identity_check"

    def test_a_registered_login_proves_identity_online_only(
        self, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings, channel="post")
        with pytest.raises(ValidationFailed) as caught:
            record_identity_check(
                session,
                actor="a",
                case_id=case.id,
                whose="person",
                document_type="registered_login",
                matched=["name"],
                outcome="verified",
            )
        assert caught.value.details["errors"] == [
            {"field": "document_type", "message": "a registered login proves identity online only"}
        ]

    def test_no_check_after_the_identity_step(self, session: Session, settings: Settings) -> None:
        case = create_case(
            session, settings, who=requester(RequesterKind.LEGAL_REPRESENTATIVE, representation="adult_ward")
        )
        _upload(session, settings, case, kind="relation_proof", document_type=None, data=JPEG)
        record_identity_check(
            session,
            actor="a",
            case_id=case.id,
            whose="requester",
            document_type="passport",
            matched=["name"],
            outcome="verified",
        )
        transition_case(session, actor="a", case_id=case.id, to="in_progress", reason="relation proven")
        with pytest.raises(InvalidTransition):
            record_identity_check(
                session,
                actor="a",
                case_id=case.id,
                whose="person",
                document_type="passport",
                matched=["name"],
                outcome="verified",
            )
