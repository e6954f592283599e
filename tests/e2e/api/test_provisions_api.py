"""The provisions API as a client sees it, on a database the app commits to."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from mamori.api.app import create_app
from mamori.audit.models import AuditEvent
from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.consents.models import ConsentEvent
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.policy.service import publish_bundle
from mamori.provisions.models import Provision, ProvisionRecord
from mamori.security.rules import Role
from mamori.security.service import add_user, create_token
from tests.factories.consents import create_plain_subject, record_consent


@dataclass
class World:
    url: str
    tokens: dict[str, str]
    agreed: uuid.UUID
    silent: uuid.UUID

    def counts(self) -> tuple[int, int, int]:
        engine = make_engine(self.url)
        with engine.connect() as conn:
            result = tuple(
                conn.scalar(select(func.count()).select_from(m)) or 0
                for m in (Provision, ProvisionRecord, AuditEvent)
            )
        engine.dispose()
        return result  # type: ignore[return-value]


@pytest.fixture
def world(fresh_database_url: str) -> World:
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
        tokens = {}
        for role in (Role.PRIVACY_OFFICER, Role.AUDITOR):
            add_user(
                session, actor="t", username=role.value, display_name=role.value, role=role, password="x" * 12
            )
            tokens[role.value] = create_token(session, actor="t", username=role.value, name="t").secret
        agreed, silent = create_plain_subject(session), create_plain_subject(session)
        record_consent(session, agreed, scope="recipient:sample_credit_bureau")
    engine.dispose()
    return World(fresh_database_url, tokens, agreed.id, silent.id)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    settings = Settings(database_url=world.url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _auth(world: World, role: str = "privacy_officer") -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[role]}"}


def _body(world: World, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "recipient": "sample_credit_bureau",
        "subjects": [str(world.agreed), str(world.silent)],
        "items": ["name", "address"],
        "basis": "consent",
        "lang": "en",
    }
    return {**body, **changes}


class TestCreateProvision:
    def test_provides_records_and_explains_each_refusal(self, client: TestClient, world: World) -> None:
        response = client.post("/api/v1/provisions", json=_body(world), headers=_auth(world))
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["provided"] == [str(world.agreed)]
        [refusal] = body["refused"]
        assert refusal["subject_id"] == str(world.silent)
        assert refusal["reasons"][0]["code"] == "consent_missing"
        assert "recipient:sample_credit_bureau" in refusal["reasons"][0]["message"]
        assert world.counts()[:2] == (1, 1)
        records = client.get(
            f"/api/v1/subjects/{world.agreed}/provision-records",
            params={"purpose": "customer.credit"},
            headers=_auth(world, "auditor"),
        )
        assert records.status_code == 200
        [record] = records.json()
        assert record["party"]["name"]["ja"] == "（サンプル）信用情報機関"
        assert record["items"] == ["name", "address"]

    def test_refusal_message_in_japanese_keeps_characters(self, client: TestClient, world: World) -> None:
        response = client.post("/api/v1/provisions", json=_body(world, lang="ja"), headers=_auth(world))
        assert "同意がありません" in response.json()["refused"][0]["reasons"][0]["message"]
        assert "同意".encode() in response.content

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"recipient": "nobody_inc"}, "recipient"),
            ({"subjects": []}, "subjects"),
            ({"basis": "law", "approved_by": "privacy_officer"}, "justification"),
            ({"basis": "law", "justification": "照会書 118", "approved_by": "auditor"}, "approved_by"),
            ({"subjects": [str(uuid.UUID(int=7))]}, "subjects[0]"),
            ({"items": ["shoe_size"]}, "items[0]"),
        ],
    )
    def test_bad_input_is_problem_json_naming_the_field(
        self, client: TestClient, world: World, changes: dict[str, object], field: str
    ) -> None:
        before = world.counts()
        response = client.post("/api/v1/provisions", json=_body(world, **changes), headers=_auth(world))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in response.json()["errors"]]
        assert world.counts() == before

    def test_opt_out_is_refused(self, client: TestClient, world: World) -> None:
        response = client.post("/api/v1/provisions", json=_body(world, basis="opt_out"), headers=_auth(world))
        assert response.status_code == 422
        assert "opt-out" in response.json()["detail"]

    def test_auditor_cannot_provide(self, client: TestClient, world: World) -> None:
        response = client.post("/api/v1/provisions", json=_body(world), headers=_auth(world, "auditor"))
        assert response.status_code == 403


class TestShowProvision:
    def _provided(self, client: TestClient, world: World) -> str:
        response = client.post("/api/v1/provisions", json=_body(world), headers=_auth(world))
        assert response.status_code == 201, response.text
        return str(response.json()["provision_id"])

    def test_shows_one_provision_with_its_persons_and_audits_the_read(
        self, client: TestClient, world: World
    ) -> None:
        provision_id = self._provided(client, world)
        before = world.counts()[2]
        response = client.get(
            f"/api/v1/provisions/{provision_id}",
            params={"purpose": "customer.credit"},
            headers=_auth(world, "auditor"),
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["basis"], body["art29_record"], body["items"]) == ("consent", True, ["name", "address"])
        assert body["recipient"]["address"]["ja"] == "東京都千代田区見本町1-1"
        assert body["recipient"]["representative"]["name"]["ja"] == "見本 太郎"
        assert (body["provided_count"], body["refused_count"], body["persons_total"]) == (1, 1, 1)
        [person] = body["persons"]
        assert person["subject_id"] == str(world.agreed)
        assert body["retention_end"] == person["retention_end"]
        assert world.counts()[2] == before + 1

    def test_unknown_id_is_404_problem_json(self, client: TestClient, world: World) -> None:
        before = world.counts()
        response = client.get(
            f"/api/v1/provisions/{uuid.uuid4()}", params={"purpose": "customer.credit"}, headers=_auth(world)
        )
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert world.counts() == before

    @pytest.mark.parametrize("params", [{"purpose": "customer.credit"}, {}])
    def test_malformed_id_or_no_purpose_is_422(
        self, client: TestClient, world: World, params: dict[str, str]
    ) -> None:
        provision_id = "not-a-uuid" if params else self._provided(client, world)
        before = world.counts()
        response = client.get(f"/api/v1/provisions/{provision_id}", params=params, headers=_auth(world))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert world.counts() == before

    def test_purpose_of_another_category_is_refused_and_the_refusal_kept(
        self, client: TestClient, world: World
    ) -> None:
        provision_id = self._provided(client, world)
        before = world.counts()[2]
        response = client.get(
            f"/api/v1/provisions/{provision_id}", params={"purpose": "employee.hr"}, headers=_auth(world)
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "purpose"
        assert world.counts()[2] == before + 1

    def test_subject_records_need_a_purpose(self, client: TestClient, world: World) -> None:
        response = client.get(f"/api/v1/subjects/{world.agreed}/provision-records", headers=_auth(world))
        assert response.status_code == 422

    def test_the_pipl_counters_route_is_not_taken_for_an_id(self, client: TestClient, world: World) -> None:
        response = client.get("/api/v1/provisions/pipl-counters", headers=_auth(world))
        assert response.status_code == 200


class TestReceiptsAndParties:
    def test_register_a_provider_and_record_a_receipt(self, client: TestClient, world: World) -> None:
        party = {
            "key": "sample_list_broker",
            "kind": "provider",
            "name": {"ja": "見本名簿株式会社", "en": "Sample Lists Ltd."},
            "country": "JP",
            "address": {"ja": "東京都港区見本3-3"},
            "representative": {"title": {"ja": "代表取締役"}, "name": {"ja": "見本 次郎"}},
        }
        created = client.post("/api/v1/parties", json=party, headers=_auth(world))
        assert created.status_code == 201, created.text
        receipt = {
            "provider": "sample_list_broker",
            "subjects": [str(world.silent)],
            "items": ["name", "address"],
            "acquisition": "members' web sign-up with consent to provision",
        }
        response = client.post("/api/v1/receipts", json=receipt, headers=_auth(world))
        assert response.status_code == 201, response.text
        records = client.get(
            f"/api/v1/subjects/{world.silent}/provision-records",
            params={"purpose": "customer.sales"},
            headers=_auth(world),
        ).json()
        assert [(r["kind"], r["acquisition"]) for r in records] == [("receipt", receipt["acquisition"])]
        assert records[0]["party"]["representative"]["name"]["ja"] == "見本 次郎"

    def test_receipt_from_unknown_provider(self, client: TestClient, world: World) -> None:
        body = {"provider": "ghost", "subjects": [str(world.silent)], "items": ["name"], "acquisition": "x"}
        response = client.post("/api/v1/receipts", json=body, headers=_auth(world))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "provider"

    def test_parties_list_the_policys_parties(self, client: TestClient, world: World) -> None:
        response = client.get(
            "/api/v1/parties", params={"kind": "group_company"}, headers=_auth(world, "auditor")
        )
        assert {p["key"] for p in response.json()} == {"aoki_holdings", "aoki", "kaikatsu_frontier", "valic"}


def _consent_events(world: World) -> int:
    engine = make_engine(world.url)
    with engine.connect() as conn:
        value = conn.scalar(select(func.count()).select_from(ConsentEvent)) or 0
    engine.dispose()
    return value


class TestCountryInformation:
    def test_lists_the_countries_with_information(self, client: TestClient, world: World) -> None:
        response = client.get("/api/v1/provisions/countries", headers=_auth(world, "auditor"))
        assert (response.status_code, response.json()) == (200, ["SG", "US"])

    @pytest.mark.parametrize(
        ("lang", "name"),
        [
            ("ja", "シンガポール共和国"),
            ("en", "Republic of Singapore"),
            ("zh-Hans", "新加坡共和国"),
            ("zh-Hant", "新加坡共和國"),
        ],
    )
    def test_text_and_its_hash_in_each_language(
        self, client: TestClient, world: World, lang: str, name: str
    ) -> None:
        response = client.get(f"/api/v1/provisions/countries/SG?lang={lang}", headers=_auth(world, "auditor"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["code"], body["language"], body["scope"], body["sample"]) == (
            "SG",
            lang,
            "cross_border:SG",
            True,
        )
        assert body["name"] == name
        assert body["text"].startswith(body["text"].split("\n")[0] + "\n" + name)
        assert body["system"] in body["text"]
        [measures] = body["measures"]
        assert measures["party"] == "sample_partner_sg"
        assert measures["text"] in body["text"]
        assert body["notice_hash"] == hashlib.sha256(body["text"].encode()).hexdigest()
        if lang != "en":
            assert name.encode() in response.content  # characters, not \u escapes

    def test_unknown_country_is_404_and_bad_language_422_problem_json(
        self, client: TestClient, world: World
    ) -> None:
        missing = client.get("/api/v1/provisions/countries/CN", headers=_auth(world))
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        bad = client.get("/api/v1/provisions/countries/SG?lang=ko", headers=_auth(world))
        assert bad.status_code == 422
        assert bad.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in bad.json()["errors"]] == ["lang"]

    def test_consent_with_the_shown_hash_lets_the_provision_to_sg_through(
        self, client: TestClient, world: World
    ) -> None:
        shown = client.get("/api/v1/provisions/countries/SG?lang=en", headers=_auth(world)).json()
        consent = {"subject_id": str(world.silent), "action": "given", "language": "en", "channel": "web"}
        for scope, extra in (
            ("recipient:sample_partner_sg", {}),
            (shown["scope"], {"notice_hash": shown["notice_hash"]}),
        ):
            response = client.post(
                "/api/v1/consents", json={**consent, "scope": scope, **extra}, headers=_auth(world)
            )
            assert response.status_code == 201, response.text
        body = _body(world, recipient="sample_partner_sg", subjects=[str(world.silent), str(world.agreed)])
        response = client.post("/api/v1/provisions", json=body, headers=_auth(world))
        assert response.status_code == 201, response.text
        assert (response.json()["provided"], response.json()["route"]) == ([str(world.silent)], "consent")
        [refusal] = response.json()["refused"]
        assert refusal["subject_id"] == str(world.agreed)
        assert [r["code"] for r in refusal["reasons"]] == ["consent_missing", "cross_border_consent_missing"]
        assert "SG is not an adequate country" in refusal["reasons"][1]["message"]

    @pytest.mark.parametrize("notice_hash", [None, "e" * 64, "ja-text"])
    def test_consent_without_the_right_hash_is_422_naming_notice_hash_and_writes_nothing(
        self, client: TestClient, world: World, notice_hash: str | None
    ) -> None:
        if notice_hash == "ja-text":  # the Japanese text's hash, for a consent given in English
            notice_hash = client.get("/api/v1/provisions/countries/SG?lang=ja", headers=_auth(world)).json()[
                "notice_hash"
            ]
        before = (_consent_events(world), world.counts())
        consent = {
            "subject_id": str(world.silent), "scope": "cross_border:SG", "action": "given", "language": "en",
            "channel": "web", "notice_hash": notice_hash,
        }  # fmt: skip
        response = client.post("/api/v1/consents", json=consent, headers=_auth(world))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["notice_hash"]
        assert (_consent_events(world), world.counts()) == before


class TestProcessorsApi:
    def test_assess_entrust_and_list_overdue(self, client: TestClient, world: World) -> None:
        overdue = client.get("/api/v1/processors/assessments/overdue", headers=_auth(world, "auditor"))
        assert {o["processor"] for o in overdue.json()} == {
            "sample_mailing_house",
            "sample_payment_processor",
        }
        assessment = {
            "kind": "pre_selection",
            "assessed_on": "2026-11-01",
            "result": "pass",
            "evidence_ref": "a.pdf",
        }
        created = client.post(
            "/api/v1/processors/sample_mailing_house/assessments", json=assessment, headers=_auth(world)
        )
        assert created.status_code == 201, created.text
        body = {"duty": "promotional_printing", "items": ["name", "address", "email"]}
        entrusted = client.post(
            "/api/v1/processors/sample_mailing_house/entrustments", json=body, headers=_auth(world)
        )
        assert entrusted.status_code == 201, entrusted.text
        assert entrusted.json()["excess_items"] == ["email"]
        overdue = client.get("/api/v1/processors/assessments/overdue", headers=_auth(world, "auditor"))
        assert [o["processor"] for o in overdue.json()] == ["sample_payment_processor"]

    def test_entrust_with_an_unknown_duty_is_problem_json(self, client: TestClient, world: World) -> None:
        body = {"duty": "painting", "items": ["name"]}
        response = client.post(
            "/api/v1/processors/sample_mailing_house/entrustments", json=body, headers=_auth(world)
        )
        assert response.status_code == 422
        assert "duty" in [e["field"] for e in response.json()["errors"]]

    def test_pipl_counters_and_sweep(self, client: TestClient, world: World) -> None:
        counters = client.get("/api/v1/provisions/pipl-counters", params={"year": 2026}, headers=_auth(world))
        assert counters.json()["obligation"] == "exempt"
        assert counters.json()["thresholds"]["sensitive_security_assessment_from"] == 10_000
        swept = client.post("/api/v1/provisions/sweep", headers=_auth(world))
        assert swept.json() == {"provision_records": 0, "receipt_records": 0, "provisions": 0, "receipts": 0}


class TestSubProcessorsApi:
    BASE = "/api/v1/processors/sample_mailing_house"

    def _assessed(self, client: TestClient, world: World) -> None:
        assessment = {
            "kind": "pre_selection",
            "assessed_on": "2026-11-01",
            "result": "pass",
            "evidence_ref": "a",
        }
        assert (
            client.post(f"{self.BASE}/assessments", json=assessment, headers=_auth(world)).status_code == 201
        )

    def test_pending_blocks_the_entrustment_until_approved(self, client: TestClient, world: World) -> None:
        self._assessed(client, world)
        body = {"name": "Print Sub Ltd.", "country": "JP", "duties": ["promotional_printing"]}
        created = client.post(f"{self.BASE}/sub-processors", json=body, headers=_auth(world))
        assert created.status_code == 201, created.text
        sub = created.json()
        assert (sub["status"], sub["route"], sub["decided_by"]) == ("pending", "domestic", None)
        entrust = {"duty": "promotional_printing", "items": ["name", "address"]}
        blocked = client.post(f"{self.BASE}/entrustments", json=entrust, headers=_auth(world))
        assert blocked.status_code == 422
        assert blocked.headers["content-type"] == "application/problem+json"
        assert "awaits approval" in blocked.json()["errors"][0]["message"]
        decision = {"decided_by": "privacy_officer", "evidence_ref": "contracts/sub.pdf"}
        approved = client.post(
            f"{self.BASE}/sub-processors/{sub['id']}/approve", json=decision, headers=_auth(world)
        )
        assert approved.status_code == 200, approved.text
        assert (approved.json()["status"], approved.json()["decided_by"]) == ("approved", "privacy_officer")
        entrusted = client.post(f"{self.BASE}/entrustments", json=entrust, headers=_auth(world))
        assert entrusted.status_code == 201, entrusted.text
        assert entrusted.json()["sub_processors"] == [sub["id"]]
        listed = client.get(f"{self.BASE}/sub-processors", headers=_auth(world, "auditor"))
        assert [(s["id"], s["status"]) for s in listed.json()] == [(sub["id"], "approved")]

    def test_refuse_then_no_second_refusal(self, client: TestClient, world: World) -> None:
        body = {"name": "Print Sub Ltd.", "country": "JP", "duties": ["promotional_printing"]}
        sub = client.post(f"{self.BASE}/sub-processors", json=body, headers=_auth(world)).json()
        decision = {"decided_by": "privacy_officer", "evidence_ref": "memo.eml"}
        url = f"{self.BASE}/sub-processors/{sub['id']}/refuse"
        assert client.post(url, json=decision, headers=_auth(world)).json()["status"] == "refused"
        again = client.post(url, json=decision, headers=_auth(world))
        assert again.status_code == 409
        assert again.headers["content-type"] == "application/problem+json"

    def test_bad_input_is_problem_json(self, client: TestClient, world: World) -> None:
        abroad = {"name": "Overseas Print Inc.", "country": "US", "duties": ["promotional_printing"]}
        response = client.post(f"{self.BASE}/sub-processors", json=abroad, headers=_auth(world))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "country"
        decision = {"decided_by": "auditor", "evidence_ref": "x"}
        unknown = client.post(
            f"{self.BASE}/sub-processors/{uuid.uuid4()}/approve", json=decision, headers=_auth(world)
        )
        assert unknown.status_code == 404
        body = {"name": "Print Sub Ltd.", "country": "JP", "duties": ["promotional_printing"]}
        sub = client.post(f"{self.BASE}/sub-processors", json=body, headers=_auth(world)).json()
        by_auditor = client.post(
            f"{self.BASE}/sub-processors/{sub['id']}/approve", json=decision, headers=_auth(world)
        )
        assert by_auditor.status_code == 422
        assert by_auditor.json()["errors"][0]["field"] == "decided_by"

    def test_an_auditor_cannot_register_one(self, client: TestClient, world: World) -> None:
        body = {"name": "Print Sub Ltd.", "country": "JP", "duties": ["promotional_printing"]}
        response = client.post(f"{self.BASE}/sub-processors", json=body, headers=_auth(world, "auditor"))
        assert response.status_code == 403
