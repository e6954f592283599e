"""The registers of the management system on a real database: risks, audits, evidence, actions, training."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.errors import InvalidTransition, ValidationFailed
from mamori.incidents import actions as incident_actions
from mamori.incidents.schemas import ActionCreate
from mamori.pms import actions, audits, risks, training
from mamori.pms.common import today
from mamori.pms.models import Evidence, Risk
from mamori.pms.rules import Stage
from mamori.policy.models import PolicyVersion
from tests.factories.incidents import create_incident


def _risk(session: Session, **changes: object) -> Risk:
    values: dict[str, object] = {
        "system": "shop",
        "dataset": "customer",
        "stage": "storage",
        "description": "Backups copied to a laptop",
        "owner": "hana",
        "likelihood": 3,
        "impact": 4,
        "residual_likelihood": 2,
        "residual_impact": 3,
        "measures": ["access_control", "device_protection"],
    } | changes
    return risks.register_risk(session, actor="user:hana", data=risks.RiskInput(**values))  # type: ignore[arg-type]


def _actions_of(session: Session, target: str) -> list[str]:
    rows = session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_id == target).order_by(AuditEvent.seq)
    )
    return list(rows)


@pytest.mark.usefixtures("policy")
class TestRiskRegister:
    def test_registers_with_review_date_by_residual_level(self, session: Session) -> None:
        risk = _risk(session)
        # residual 2 x 3 = 6 (medium): reviewed again in 12 months
        assert (risk.review_on - today()).days in range(365, 367)
        assert _actions_of(session, str(risk.id)) == ["pms.risk_registered"]

    def test_critical_residual_is_reviewed_in_three_months(self, session: Session) -> None:
        risk = _risk(session, likelihood=5, impact=5, residual_likelihood=4, residual_impact=4)
        assert 89 <= (risk.review_on - today()).days <= 92

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"dataset": "nowhere"}, "dataset"),
            ({"stage": "archiving"}, "stage"),
            ({"measures": ["moat"]}, "measures"),
            ({"residual_likelihood": 4, "residual_impact": 4}, "residual"),
            ({"impact": 6}, "impact"),
        ],
    )
    def test_refuses_and_writes_nothing(
        self, session: Session, changes: dict[str, object], field: str
    ) -> None:
        with pytest.raises(ValidationFailed) as caught:
            _risk(session, **changes)
        assert field in [e["field"] for e in caught.value.details["errors"]]
        assert risks.list_risks(session) == []

    def test_review_appends_a_rating_and_lists_overdue(self, session: Session) -> None:
        risk = _risk(session, review_on=today() - timedelta(days=1))
        assert risks.list_risks(session, overdue_on=today()) == [risk]
        data = risks.RatingInput(3, 4, 1, 2, measures=["access_control"])
        risks.rate_risk(session, actor="user:hana", risk_id=risk.id, data=data)
        assert [(r.residual_likelihood, r.residual_impact) for r in risks.ratings(session, risk.id)] == [
            (2, 3),
            (1, 2),
        ]
        assert risks.list_risks(session, overdue_on=today()) == []


@pytest.mark.usefixtures("policy")
class TestAuditChecklist:
    def test_derived_from_the_real_bundle(self, session: Session, policy: PolicyVersion) -> None:
        from mamori.policy.service import bundle_of

        bundle = bundle_of(policy)
        items = audits.checklist(session)
        purposes = [i for i in items if i.code == "purpose.retention"]
        assert sorted(i.subject for i in purposes) == sorted(bundle.purposes())
        datasets = [f"shop.{d.id}" for d in bundle.datamap[0].datasets]
        risk_items = {i.subject: i for i in items if i.code == "dataset.risks"}
        assert sorted(risk_items) == sorted(datasets)
        assert not any(i.passed for i in risk_items.values())
        assert {i.subject: i.passed for i in items if i.code == "measures.kind"} == {
            "organisational": True,
            "human": True,
            "physical": True,
            "technical": True,
        }

    def test_a_dataset_passes_once_every_stage_is_assessed(self, session: Session) -> None:
        for stage in list(Stage)[:-1]:
            _risk(session, stage=stage)
        item = next(
            i for i in audits.checklist(session) if i.code == "dataset.risks" and i.subject == "shop.customer"
        )
        assert not item.passed
        assert item.detail == "disposal"
        _risk(session, stage="disposal")
        item = next(
            i for i in audits.checklist(session) if i.code == "dataset.risks" and i.subject == "shop.customer"
        )
        assert item.passed

    def test_start_keeps_the_checklist_and_findings_need_a_running_audit(
        self, session: Session, settings: Settings
    ) -> None:
        plan = audits.AuditPlan("Shop systems", today(), today() + timedelta(days=5), "ken")
        audit = audits.plan_audit(session, actor="user:hana", plan=plan)
        assert audit.reference == f"AUD-{today().year}-001"
        with pytest.raises(InvalidTransition):
            audits.add_finding(
                session, settings, actor="user:ken", audit_id=audit.id, kind="observation", text="x"
            )
        audits.start_audit(session, actor="user:ken", audit_id=audit.id)
        assert len(audit.checklist) == len(audits.checklist(session))
        assert any(not item["passed"] for item in audit.checklist)


@pytest.mark.usefixtures("policy")
class TestEvidence:
    def test_file_on_disk_holds_no_plaintext(self, session: Session, files_settings: Settings) -> None:
        audit = audits.plan_audit(
            session, actor="user:hana", plan=audits.AuditPlan("Shop", today(), today(), "ken")
        )
        audits.start_audit(session, actor="user:ken", audit_id=audit.id)
        finding = audits.add_finding(
            session,
            files_settings,
            actor="user:ken",
            audit_id=audit.id,
            kind="minor_nonconformity",
            text="鈴木さんの机に顧客名簿が放置されていた",
            check_code="dataset.risks",
        )
        content = "顧客名簿 山田太郎 090-1234-5678".encode()
        evidence = audits.attach_evidence(
            session,
            files_settings,
            actor="user:ken",
            finding_id=finding.id,
            name="名簿の写真.txt",
            data=content,
        )
        stored = list((files_settings.files_dir / "pms").rglob("*"))
        raw = next(path for path in stored if path.is_file()).read_bytes()
        assert content not in raw
        assert "山田".encode() not in raw
        assert "鈴木" not in finding.text_encrypted
        row = session.get(Evidence, evidence.id)
        assert row is not None
        assert "名簿" not in row.name_encrypted
        name, data = audits.read_evidence(session, files_settings, actor="user:ken", evidence_id=evidence.id)
        assert (name, data) == ("名簿の写真.txt", content)
        assert audits.finding_text(files_settings, finding) == "鈴木さんの机に顧客名簿が放置されていた"
        events = session.scalars(select(AuditEvent.details).where(AuditEvent.action.like("pms.%")))
        assert "山田" not in json.dumps(list(events), ensure_ascii=False)


class TestCorrectiveActions:
    def test_done_then_verified_by_another(self, session: Session, settings: Settings) -> None:
        data = actions.ActionInput(
            "audit", "Lock the archive room", "hana", today() + timedelta(days=30), "AUD-1"
        )
        action = actions.add_action(session, settings, actor="user:ken", data=data)
        with pytest.raises(InvalidTransition):
            actions.verify_action(
                session, settings, actor="user:ken", action_id=action.id, effective=True, note="ok"
            )
        actions.complete_action(session, actor="user:hana", action_id=action.id)
        with pytest.raises(ValidationFailed):
            actions.verify_action(
                session, settings, actor="user:hana", action_id=action.id, effective=True, note="ok"
            )
        actions.verify_action(
            session, settings, actor="user:ken", action_id=action.id, effective=False, note="door still open"
        )
        assert action.state == "open"
        assert action.ineffective_count == 1
        actions.complete_action(session, actor="user:hana", action_id=action.id)
        actions.verify_action(
            session, settings, actor="user:ken", action_id=action.id, effective=True, note="locked"
        )
        assert action.state == "verified"
        assert actions.verification(settings, action) == "locked"
        assert _actions_of(session, str(action.id)) == [
            "pms.action_added",
            "pms.action_done",
            "pms.action_verified",
            "pms.action_done",
            "pms.action_verified",
        ]

    def test_incident_actions_appear_without_a_copy(self, session: Session, settings: Settings) -> None:
        incident = create_incident(session, settings)
        due = today() - timedelta(days=2)
        incident_actions.add_action(
            session,
            settings,
            "user:officer",
            incident.id,
            ActionCreate(title="Re-train the shop", owner="ken", due_on=due),
        )
        actions.add_action(
            session,
            settings,
            actor="user:ken",
            data=actions.ActionInput("complaint", "Answer faster", "hana", today() + timedelta(days=3)),
        )
        listed = actions.all_actions(session, settings, open_only=True)
        assert [(a.source, a.title, a.overdue) for a in listed] == [
            ("incident", "Re-train the shop", True),
            ("complaint", "Answer faster", False),
        ]
        assert listed[0].source_ref == incident.reference

    def test_incident_is_not_a_source_of_its_own(self, session: Session, settings: Settings) -> None:
        with pytest.raises(ValidationFailed):
            actions.add_action(
                session, settings, actor="u", data=actions.ActionInput("incident", "x", "y", today())
            )


class TestTraining:
    def test_overdue_lists_expired_failed_and_missing(self, session: Session) -> None:
        day = today()
        for person, done, result in (
            ("aiko", day, "passed"),
            ("ben", day.replace(year=day.year - 2), "passed"),
            ("chen", day, "failed"),
        ):
            data = training.TrainingInput("privacy-basics", person, done, result, 12)
            training.record_training(session, actor="user:hana", data=data)
        due = training.overdue(session, today=day)
        assert [(d.person, d.last_completed_on) for d in due] == [
            ("ben", day.replace(year=day.year - 2)),
            ("chen", None),
        ]

    def test_future_date_is_refused(self, session: Session) -> None:
        data = training.TrainingInput("privacy-basics", "aiko", today() + timedelta(days=1), "passed")
        with pytest.raises(ValidationFailed):
            training.record_training(session, actor="u", data=data)
        assert training.list_training(session) == []

    def test_staff_without_any_record_is_overdue(self, session: Session) -> None:
        from mamori.security.rules import Role
        from mamori.security.service import add_user

        add_user(session, actor="t", username="dai", display_name="Dai", role=Role.AGENT, password="x" * 12)
        training.record_training(
            session, actor="u", data=training.TrainingInput("privacy-basics", "aiko", today(), "passed")
        )
        assert ("privacy-basics", "dai") in {(d.course, d.person) for d in training.overdue(session)}
