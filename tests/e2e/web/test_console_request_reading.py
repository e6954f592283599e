"""The case page's readings and the postal intake: reveal for a purpose, ID documents, runs retried."""

from __future__ import annotations

import base64
import io
import json
import re
import uuid

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.dsr.models import Case, CaseDocument
from mamori.dsr.service import upload_document
from mamori.fulfillment.models import FulfillmentRun, FulfillmentRunSystem
from mamori.security.rules import Role
from tests.e2e.web.console_login import csrf_of, sign_in
from tests.factories.dsr import create_case

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def officer(client: TestClient, session: Session) -> TestClient:
    sign_in(client, session, "mori", Role.PRIVACY_OFFICER)
    return client


def _events(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


class TestReveal:
    def test_hidden_until_a_purpose_is_named_then_shown_and_audited(
        self, officer: TestClient, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        page = officer.get(f"/console/requests/{case.id}?lang=en")
        assert "山田 花子" not in page.text
        assert 'id="reveal-form"' in page.text
        shown = officer.post(
            f"/console/requests/{case.id}/reveal",
            data={"purpose": "inquirer.response", "csrf_token": csrf_of(page.text)},
        )
        assert shown.status_code == 200
        assert shown.headers["cache-control"] == "no-store"
        assert "山田 花子" in shown.text
        assert "hanako@example.jp" in shown.text
        assert "山田" not in str(shown.url)
        [event] = _events(session, "request.requester_read")
        assert json.loads(event.details)["purpose"] == "inquirer.response"
        assert officer.get(f"/console/requests/{case.id}").text.count("山田 花子") == 0

    def test_a_purpose_outside_the_agents_duties_is_refused_in_japanese_and_audited(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        sign_in(client, session, "kato", Role.AGENT)
        page = client.get(f"/console/requests/{case.id}?lang=ja")
        options = re.findall(
            r'<option value="([a-z_.]+)"', page.text.split('id="reveal-form"')[1].split("</form>")[0]
        )
        assert options == ["customer.sales", "inquirer.response"] or set(options) <= {
            "customer.sales",
            "inquirer.response",
        }
        refused = client.post(
            f"/console/requests/{case.id}/reveal",
            data={"purpose": "customer.mailings", "csrf_token": csrf_of(page.text)},
        )
        assert refused.status_code == 403
        assert "山田 花子" not in refused.text
        assert 'id="reading-refused"' in refused.text
        assert "記録" in refused.text.split('id="reading-refused"')[1].split("</p>")[0]
        assert _events(session, "request.read_refused")

    def test_without_the_forms_token_nothing_is_shown(
        self, officer: TestClient, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        answer = officer.post(f"/console/requests/{case.id}/reveal", data={"purpose": "inquirer.response"})
        assert answer.status_code == 403
        assert "山田 花子" not in answer.text
        assert not _events(session, "request.requester_read")


class TestDocuments:
    def test_an_image_is_shown_in_the_page_for_a_purpose_never_cached(
        self, officer: TestClient, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        png = _png()
        document = upload_document(
            session,
            actor="user:agent",
            case_id=case.id,
            kind="id_document",
            whose="person",
            data=png,
            document_type="drivers_licence",
            settings=settings,
        )
        page = officer.get(f"/console/requests/{case.id}?lang=en")
        assert f"/console/requests/{case.id}/documents/{document.id}" in page.text
        assert base64.b64encode(png).decode() not in page.text
        shown = officer.post(
            f"/console/requests/{case.id}/documents/{document.id}",
            data={"purpose": "inquirer.response", "csrf_token": csrf_of(page.text)},
        )
        assert shown.status_code == 200
        assert shown.headers["cache-control"] == "no-store"
        assert f'src="data:image/png;base64,{base64.b64encode(png).decode()}"' in shown.text
        [event] = _events(session, "request.document_read")
        details = json.loads(event.details)
        assert (details["document_id"], details["purpose"]) == (str(document.id), "inquirer.response")

    def test_a_pdf_opens_alone_with_no_store(
        self, officer: TestClient, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        document = upload_document(
            session,
            actor="user:agent",
            case_id=case.id,
            kind="power_of_attorney",
            whose="requester",
            data=PDF,
            settings=settings,
        )
        page = officer.get(f"/console/requests/{case.id}")
        answer = officer.post(
            f"/console/requests/{case.id}/documents/{document.id}",
            data={"purpose": "inquirer.response", "csrf_token": csrf_of(page.text)},
        )
        assert answer.content == PDF
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"

    def test_a_refused_purpose_decrypts_nothing(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        png = _png()
        document = upload_document(
            session,
            actor="user:agent",
            case_id=case.id,
            kind="id_document",
            whose="person",
            data=png,
            document_type="drivers_licence",
            settings=settings,
        )
        sign_in(client, session, "kato", Role.AGENT)
        page = client.get(f"/console/requests/{case.id}?lang=en")
        refused = client.post(
            f"/console/requests/{case.id}/documents/{document.id}",
            data={"purpose": "customer.mailings", "csrf_token": csrf_of(page.text)},
        )
        assert refused.status_code == 403
        assert "data:image/png" not in refused.text
        assert "not among your role" in refused.text
        assert not _events(session, "request.document_read")

    def test_a_document_of_another_case_is_not_found(
        self, officer: TestClient, session: Session, settings: Settings
    ) -> None:
        mine, other = create_case(session, settings), create_case(session, settings)
        document = upload_document(
            session,
            actor="user:agent",
            case_id=other.id,
            kind="power_of_attorney",
            whose="requester",
            data=PDF,
            settings=settings,
        )
        page = officer.get(f"/console/requests/{mine.id}?lang=en")
        answer = officer.post(
            f"/console/requests/{mine.id}/documents/{document.id}",
            data={"purpose": "inquirer.response", "csrf_token": csrf_of(page.text)},
        )
        assert answer.status_code == 404
        assert PDF not in answer.content


def _failed_run(session: Session, case_ref: str) -> uuid.UUID:
    """A run as the executor leaves it when one system failed (the runs themselves are tested elsewhere)."""
    run = FulfillmentRun(
        action="access",
        status="failed",
        case_ref=case_ref,
        language="ja",
        policy_version=1,
        identity_kinds=["subject"],
        identities_encrypted="sealed",
        attempts=1,
        error="crm: timed out",
        created_by="user:officer",
    )
    session.add(run)
    session.flush()
    session.add_all(
        [
            FulfillmentRunSystem(run_id=run.id, system="crm", status="failed", error="timed out", attempts=1),
            FulfillmentRunSystem(run_id=run.id, system="shop", status="done", attempts=1),
        ]
    )
    session.flush()
    return run.id


class TestRuns:
    def test_a_failed_run_shows_its_systems_and_is_retried_once(
        self, officer: TestClient, session: Session, settings: Settings
    ) -> None:
        case = create_case(session, settings)
        run_id = _failed_run(session, case.reference)
        page = officer.get(f"/console/requests/{case.id}?lang=ja")
        assert f'id="run-{run_id}"' in page.text
        assert "timed out" in page.text
        retry = f"/console/requests/{case.id}/runs/{run_id}/retry"
        assert retry in page.text
        done = officer.post(retry, data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
        assert done.status_code == 303
        session.expire_all()
        assert session.get_one(FulfillmentRun, run_id).status == "pending"
        assert _events(session, "fulfillment.run_retried")
        again = officer.post(retry, data={"csrf_token": csrf_of(page.text)})
        assert again.status_code == 409
        assert 'id="refusal"' in again.text
        assert "失敗した実行だけ" in again.text

    def test_a_run_of_another_case_is_not_retried_from_this_one(
        self, officer: TestClient, session: Session, settings: Settings
    ) -> None:
        run_id = _failed_run(session, create_case(session, settings).reference)
        other = create_case(session, settings)
        page = officer.get(f"/console/requests/{other.id}")
        answer = officer.post(
            f"/console/requests/{other.id}/runs/{run_id}/retry", data={"csrf_token": csrf_of(page.text)}
        )
        assert answer.status_code == 422
        session.expire_all()
        assert session.get_one(FulfillmentRun, run_id).status == "failed"


class TestPostalIntake:
    def test_the_scan_and_the_typed_fields_open_a_postal_case(
        self, officer: TestClient, session: Session, settings: Settings
    ) -> None:
        create_case(session, settings)  # the policy is published
        form = officer.get("/console/requests/new?lang=en")
        assert form.status_code == 200
        png = _png()
        answer = officer.post(
            "/console/requests/new",
            data={
                "request_type": "disclosure",
                "requester_kind": "self",
                "name": "佐藤 一郎",
                "address": "東京都千代田区1-1",
                "language": "ja",
                "response_method": "post",
                "document_type": "drivers_licence",
                "csrf_token": csrf_of(form.text),
            },
            files={"scan": ("form.pdf", PDF, "application/pdf"), "id_document": ("id.png", png, "image/png")},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        case_id = answer.headers["location"].split("/")[-1].split("#")[0]
        case = session.scalars(
            select(Case).where(Case.channel == "post").order_by(Case.received_at.desc())
        ).first()
        assert case is not None
        assert str(case.id) == case_id
        assert "佐藤" not in (case.requester_name_encrypted or "")
        kinds = sorted(
            d.kind for d in session.scalars(select(CaseDocument).where(CaseDocument.case_id == case.id))
        )
        assert kinds == ["id_document", "other"]

    def test_a_refused_form_leaves_nothing_and_says_why_in_japanese(
        self, officer: TestClient, session: Session, settings: Settings
    ) -> None:
        create_case(session, settings)
        before = len(list(session.scalars(select(Case))))
        form = officer.get("/console/requests/new?lang=ja")
        answer = officer.post(
            "/console/requests/new",
            data={
                "request_type": "disclosure",
                "name": "佐藤 一郎",
                "language": "ja",
                "response_method": "post",
                "csrf_token": csrf_of(form.text),
            },
            files={"scan": ("form.txt", b"not a scan", "text/plain")},
        )
        assert answer.status_code == 422
        assert "まだ実行できません。何も変更していません。" in answer.text
        assert 'value="佐藤 一郎"' in answer.text
        session.expire_all()
        assert len(list(session.scalars(select(Case)))) == before

    def test_an_agent_without_write_cannot_open_the_form(
        self, client: TestClient, session: Session, settings: Settings
    ) -> None:
        create_case(session, settings)
        sign_in(client, session, "audi", Role.AUDITOR)
        assert client.get("/console/requests/new").status_code == 403
