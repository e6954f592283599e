"""The requests API end to end: one flow per request type and per requester kind, errors as problem+json."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select

from mamori.api.app import create_app
from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.consents.models import UsageSuspension
from mamori.db.session import unit_of_work
from mamori.dsr.models import Case, CaseEvent, PendingTask
from mamori.dsr.service.delivery import create_print_batch

BASE = "/api/v1/requests"
OFFICER: dict[str, str] = {}  # the privacy officer's token of the running test
SEARCHED_SYSTEMS = ("disclosure", "copy", "portability", "deceased_next_of_kin")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"power of attorney " * 20
ADDRESS = "〒224-0001 神奈川県横浜市都筑区中川1-2-3"


@pytest.fixture
def files_dir(tmp_path: Path) -> Path:
    return tmp_path / "files"


@pytest.fixture
def agent(fresh_database_url: str, tokens: dict[str, str], files_dir: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=fresh_database_url,
        mail_backend="null",
        files_dir=files_dir,  # type: ignore[call-arg]
        _env_file=None,
    )
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {tokens['agent']}"
        OFFICER["token"] = tokens["privacy_officer"]
        yield client


def _count(client: TestClient, what: Any) -> int:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with unit_of_work(runtime.session_factory) as session:
        return int(session.scalar(select(func.count()).select_from(what)) or 0)


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _subject(client: TestClient, jurisdiction: str = "JP") -> str:
    body = {
        "jurisdiction": jurisdiction,
        "language": "ja",
        "name": "山田 花子",
        "categories": [{"category": "customers"}],
        "identifiers": [{"kind": "email", "value": f"hanako.{jurisdiction.lower()}@example.jp"}],
    }
    return str(_ok(client.post("/api/v1/subjects", json=body), 201)["id"])


def _open(client: TestClient, request_type: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "request_type": request_type,
        "channel": "post",
        "language": "ja",
        "requester": {"name": "山田 花子", "address": ADDRESS, **extra.pop("requester", {})},
    }
    body.update(extra)
    return _ok(client.post(BASE, json=body), 201)


def _upload(client: TestClient, case_id: str, kind: str, whose: str = "person", **form: str) -> None:
    data = PDF if kind != "id_document" else PNG
    files = {"file": ("scan.bin", io.BytesIO(data), "application/octet-stream")}
    _ok(
        client.post(f"{BASE}/{case_id}/documents", data={"kind": kind, "whose": whose, **form}, files=files),
        201,
    )


def _check(client: TestClient, case_id: str, whose: str) -> dict[str, Any]:
    body = {
        "whose": whose,
        "document_type": "drivers_licence",
        "matched": ["name", "address"],
        "outcome": "verified",
    }
    return _ok(client.post(f"{BASE}/{case_id}/identity-checks", json=body), 201)


def _no_search_no_letter(client: TestClient, case_id: str) -> None:
    """No data map: the letter waits until the privacy officer (not an agent) says where the data is."""
    waiting = client.post(f"{BASE}/{case_id}/letter")
    assert waiting.status_code == 422, waiting.text
    assert [e["field"] for e in waiting.json()["errors"]] == ["systems"]
    statement = {"reason": "当社の他のシステムは顧客データを保有していない"}
    assert client.post(f"{BASE}/{case_id}/held-nowhere-else", json=statement).status_code == 403
    officer = {"Authorization": f"Bearer {OFFICER['token']}"}
    too_short = client.post(f"{BASE}/{case_id}/held-nowhere-else", json={"reason": "no"}, headers=officer)
    assert too_short.status_code == 422
    recorded = _ok(client.post(f"{BASE}/{case_id}/held-nowhere-else", json=statement, headers=officer))
    assert recorded["held_nowhere_else"]["by"] == "user:privacy_officer"
    assert recorded["held_nowhere_else"]["reason"] == statement["reason"]


def _answer(client: TestClient, case_id: str, decision: dict[str, Any]) -> str:
    """Decide, write the letter, mail it, close the case; the letter's text."""
    _ok(client.post(f"{BASE}/{case_id}/transitions", json={"to": "in_progress", "reason": "ID verified"}))
    decided = _ok(client.post(f"{BASE}/{case_id}/decision", json=decision))
    if decided["request_type"] in SEARCHED_SYSTEMS and decision["outcome"] != "refused":
        _no_search_no_letter(client, case_id)
    _ok(client.post(f"{BASE}/{case_id}/letter"), 201)
    pdf = client.get(f"{BASE}/{case_id}/letter.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    delivery = _ok(client.post(f"{BASE}/{case_id}/deliveries", json={"method": "post"}), 201)
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with unit_of_work(runtime.session_factory) as session:
        create_print_batch(session, actor="t", settings=runtime.settings)
    _ok(client.post(f"{BASE}/deliveries/{delivery['id']}/mailed", json={"tracking_number": "JP1234567890"}))
    closed = _ok(client.post(f"{BASE}/{case_id}/transitions", json={"to": "closed", "reason": "answered"}))
    assert closed["state"] == "closed"
    assert [e["to_state"] for e in closed["history"]] == [
        "received",
        "identity_check",
        "in_progress",
        "decided",
        "responded",
        "closed",
    ]
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace("\n", "")


TYPES = [
    ("purpose_notification", "JP", {}, {"outcome": "full"}, "利用目的"),
    ("disclosure", "JP", {}, {"outcome": "full"}, "山田 花子"),
    ("provision_record_disclosure", "JP", {}, {"outcome": "full"}, "第三者提供記録の開示"),
    ("correction", "JP", {}, {"outcome": "full", "changes": {"address": "東京都港区1-1"}}, "訂正"),
    ("utilisation_cease", "JP", {"ground": "no_longer_needed", "erasure": True}, {"outcome": "full"}, "消去"),
    ("provision_cease", "JP", {}, {"outcome": "full"}, "第三者提供の停止"),
    ("copy", "CN", {}, {"outcome": "full"}, "複製"),
    ("portability", "CN", {}, {"outcome": "full"}, "移転"),
    ("explanation", "CN", {}, {"outcome": "full"}, "取扱規則"),
]


class TestEachRequestType:
    @pytest.mark.parametrize(("request_type", "jurisdiction", "extra", "decision", "in_letter"), TYPES)
    def test_from_postal_form_to_closed_case(  # noqa: PLR0913
        self,
        agent: TestClient,
        request_type: str,
        jurisdiction: str,
        extra: dict[str, Any],
        decision: dict[str, Any],
        in_letter: str,
    ) -> None:
        subject = _subject(agent, jurisdiction)
        case = _open(agent, request_type, subject_id=subject, **extra)
        assert case["jurisdiction"] == jurisdiction
        assert (case["deadlines"]["cap_on"] is None) == (jurisdiction == "JP")
        _check(agent, case["id"], "person")
        text = _answer(agent, case["id"], decision)
        assert in_letter in text
        if request_type in SEARCHED_SYSTEMS and decision["outcome"] != "refused":  # the letter says why
            assert "当社の他のシステムは顧客データを保有していない" in "".join(text.split())
        assert case["reference"] in text

    def test_accepted_cease_requests_suspend_and_erasure_is_pending_work(self, agent: TestClient) -> None:
        subject = _subject(agent)
        case = _open(agent, "utilisation_cease", subject_id=subject, ground="risk_to_rights", erasure=True)
        _check(agent, case["id"], "person")
        _answer(agent, case["id"], {"outcome": "full"})
        assert _count(agent, UsageSuspension) == 1
        assert _count(agent, PendingTask) == 2  # a suspension and an erasure across the data map


class TestEachRequesterKind:
    @pytest.mark.parametrize("representation", ["minor", "adult_ward"])
    def test_a_legal_representative_with_proof_of_the_relation(
        self, agent: TestClient, representation: str
    ) -> None:
        case = _open(
            agent,
            "disclosure",
            subject_id=_subject(agent),
            requester={"kind": "legal_representative", "representation": representation},
        )
        _upload(agent, case["id"], "relation_proof")
        _check(agent, case["id"], "requester")
        text = _answer(agent, case["id"], {"outcome": "full"})
        assert "法定代理人" in text

    def test_an_agent_with_power_of_attorney_and_the_persons_id(self, agent: TestClient) -> None:
        case = _open(
            agent, "disclosure", subject_id=_subject(agent), requester={"kind": "agent", "name": "代理 太郎"}
        )
        _upload(agent, case["id"], "power_of_attorney")
        _upload(agent, case["id"], "id_document", document_type="my_number_card_front", side="front")
        _check(agent, case["id"], "person")
        _check(agent, case["id"], "requester")
        text = _answer(agent, case["id"], {"outcome": "full"})
        assert "代理 太郎" in text
        assert "個人番号は記録しておりません" in text

    def test_an_agent_without_power_of_attorney_is_refused(self, agent: TestClient) -> None:
        case = _open(
            agent, "disclosure", subject_id=_subject(agent), requester={"kind": "agent", "name": "代理 太郎"}
        )
        _check(agent, case["id"], "person")
        _check(agent, case["id"], "requester")
        response = agent.post(f"{BASE}/{case['id']}/transitions", json={"to": "in_progress", "reason": "go"})
        assert response.status_code == 422
        assert response.json()["missing"] == ["power_of_attorney"]
        rejected = _ok(
            agent.post(
                f"{BASE}/{case['id']}/reject",
                json={
                    "reason_code": "agent_without_power_of_attorney",
                    "explanation": "委任状の添付がありませんでした。",
                },
            )
        )
        assert rejected["state"] == "rejected"
        _ok(agent.post(f"{BASE}/{case['id']}/letter"), 201)
        pdf = agent.get(f"{BASE}/{case['id']}/letter.pdf").content
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
        assert "委任状が添付されていなかった" in text

    def test_the_next_of_kin_of_a_deceased_person(self, agent: TestClient) -> None:
        case = _open(
            agent,
            "deceased_next_of_kin",
            subject_id=_subject(agent, "CN"),
            requester={"kind": "next_of_kin", "name": "王 明"},
            language="zh-Hans",
        )
        _upload(agent, case["id"], "death_proof")
        _upload(agent, case["id"], "relation_proof")
        _check(agent, case["id"], "requester")
        text = _answer(agent, case["id"], {"outcome": "full"})
        assert "死者的近亲属" in text


class TestBadInput:
    def test_an_unknown_type_is_422_naming_the_field(self, agent: TestClient) -> None:
        response = agent.post(
            BASE, json={"request_type": "telepathy", "requester": {"name": "x", "address": "y"}}
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["request_type"]
        assert _count(agent, Case) == 0

    def test_an_illegal_transition_is_409_and_the_case_is_unchanged(self, agent: TestClient) -> None:
        case = _open(agent, "disclosure")
        events = _count(agent, CaseEvent)
        response = agent.post(f"{BASE}/{case['id']}/transitions", json={"to": "closed", "reason": "x"})
        assert response.status_code == 409
        assert response.json()["type"].endswith("invalid-transition")
        assert agent.get(f"{BASE}/{case['id']}").json()["state"] == "received"
        assert _count(agent, CaseEvent) == events

    @pytest.mark.parametrize(
        ("data", "field"), [(b"GIF89a" + b"0" * 64, "file"), (b"%PDF-" + b"0" * 10_485_760, "file")]
    )
    def test_a_wrong_type_or_oversized_upload_is_refused(
        self, agent: TestClient, files_dir: Path, data: bytes, field: str
    ) -> None:
        case = _open(agent, "disclosure")
        files = {"file": ("scan.pdf", io.BytesIO(data), "application/pdf")}
        response = agent.post(
            f"{BASE}/{case['id']}/documents", data={"kind": "power_of_attorney"}, files=files
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == [field]
        assert not files_dir.exists() or not any(p.is_file() for p in files_dir.rglob("*"))

    def test_reading_needs_a_token(self, agent: TestClient) -> None:
        del agent.headers["Authorization"]
        assert agent.get(BASE).status_code == 401


class TestRequesterPrivacy:
    """Security item 5: lists show references, not names; a reveal names a purpose and is audited."""

    def test_the_list_shows_references_not_the_requesters_details(
        self, agent: TestClient, tokens: dict[str, str]
    ) -> None:
        case = _open(agent, "disclosure", requester={"email": "hanako@example.jp"})
        for role in ("agent", "auditor"):
            agent.headers["Authorization"] = f"Bearer {tokens[role]}"
            listed = agent.get(BASE)
            assert listed.status_code == 200
            assert [c["reference"] for c in listed.json()] == [case["reference"]]
            for secret in ("山田", "hanako", "神奈川"):
                assert secret not in listed.text
        with unit_of_work(agent.app.state.runtime.session_factory) as session:  # type: ignore[attr-defined]
            actions = set(session.scalars(select(AuditEvent.action)))
        assert "request.requester_read" not in actions

    def test_one_case_shows_who_filed_it_but_not_their_name_or_contact_details(
        self, agent: TestClient, tokens: dict[str, str]
    ) -> None:
        opened = _open(agent, "disclosure", requester={"email": "hanako@example.jp"})
        for role in ("agent", "auditor"):
            agent.headers["Authorization"] = f"Bearer {tokens[role]}"
            one = agent.get(f"{BASE}/{opened['id']}")
            assert one.status_code == 200
            assert one.json()["requester"]["kind"] == "self"
            assert (one.json()["requester"]["name"], one.json()["requester"]["email"]) == (None, None)
            for secret in ("山田", "hanako", "神奈川"):
                assert secret not in one.text
                assert secret not in str(opened)

    def test_a_reveal_names_a_purpose_of_the_callers_duties_and_is_audited(
        self, agent: TestClient, tokens: dict[str, str]
    ) -> None:
        case = _open(agent, "disclosure", requester={"email": "hanako@example.jp"})
        shown = agent.post(f"{BASE}/{case['id']}/reveal", json={"purpose": "inquirer.response"})
        assert shown.status_code == 200, shown.text
        assert (shown.json()["name"], shown.json()["email"]) == ("山田 花子", "hanako@example.jp")
        unknown = agent.post(f"{BASE}/{case['id']}/reveal", json={"purpose": "made.up"})
        assert unknown.status_code == 422
        agent.headers["Authorization"] = f"Bearer {tokens['auditor']}"
        refused = agent.post(f"{BASE}/{case['id']}/reveal", json={"purpose": "inquirer.response"})
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "山田" not in refused.text
        with unit_of_work(agent.app.state.runtime.session_factory) as session:  # type: ignore[attr-defined]
            events = list(session.scalars(select(AuditEvent).where(AuditEvent.target_id == case["id"])))
        read = [e for e in events if e.action == "request.requester_read"]
        assert len(read) == 1
        assert read[0].actor == "user:agent"
        assert "inquirer.response" in str(read[0].details)
        assert [e.actor for e in events if e.action == "request.read_refused"] == [
            "user:agent",
            "user:auditor",
        ]


class TestReferences:
    def test_a_case_is_found_by_its_reference_as_by_its_id(self, agent: TestClient) -> None:
        case = _open(agent, "disclosure")
        by_id = _ok(agent.get(f"{BASE}/{case['id']}"))
        by_reference = _ok(agent.get(f"{BASE}/{case['reference'].lower()}"))
        assert by_reference == by_id
        _ok(
            agent.post(
                f"{BASE}/{case['reference']}/transitions", json={"to": "withdrawn", "reason": "by post"}
            )
        )
        assert _ok(agent.get(f"{BASE}/{case['id']}"))["state"] == "withdrawn"
        missing = agent.get(f"{BASE}/R20000101-000000")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
