"""Sub-processors: registered pending, approved or refused by an officer with evidence, audited;
entrustments refused while a sub-processor of the duty awaits approval; routes abroad."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.consents.decisions.rules import tokyo_date
from mamori.db.base import utcnow
from mamori.errors import InvalidTransition, NotFound, ValidationFailed
from mamori.provisions import entrustments, processors, subprocessors
from mamori.provisions.models import Entrustment, SubProcessor
from mamori.provisions.subprocessors import SubProcessorInput
from tests.factories.consents import ensure_policy
from tests.factories.provisions import OFFICER, create_officer

HOUSE, DUTY = "sample_mailing_house", "promotional_printing"


@pytest.fixture(autouse=True)
def _policy(session: Session) -> None:
    ensure_policy(session)
    create_officer(session)
    processors.record_assessment(
        session, actor="t", processor=HOUSE, kind="pre_selection", assessed_on=_today(), result="pass",
        evidence_ref="audit.pdf",
    )  # fmt: skip


def _today() -> date:
    return tokyo_date(utcnow())


def _last_audit(session: Session) -> AuditEvent:
    return session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _register(session: Session, name: str = "Print Sub Ltd.", **changes: object) -> SubProcessor:
    data = SubProcessorInput(**{"name": name, "country": "JP", "duties": [DUTY], **changes})  # type: ignore[arg-type]
    return subprocessors.register_sub_processor(session, actor="user:officer", processor=HOUSE, data=data)


def _decide(session: Session, sub: SubProcessor, *, approve: bool = True, **changes: object) -> SubProcessor:
    fields: dict[str, object] = {"decided_by": OFFICER, "evidence_ref": "contracts/sub-2026.pdf", **changes}
    return subprocessors.decide_sub_processor(
        session,
        actor="user:officer",
        processor=HOUSE,
        sub_id=sub.id,
        approve=approve,
        **fields,  # type: ignore[arg-type]
    )


def _entrust(session: Session) -> Entrustment:
    return entrustments.entrust(session, actor="t", processor=HOUSE, duty=DUTY, items=["name", "address"])


class TestRegisterSubProcessor:
    def test_is_pending_and_audited(self, session: Session) -> None:
        sub = _register(session)
        assert (sub.status, sub.decided_on, sub.decided_by, sub.created_by) == (
            "pending",
            None,
            None,
            "user:officer",
        )
        audit = _last_audit(session)
        assert (audit.action, audit.target_id) == ("sub_processor.registered", HOUSE)
        assert json.loads(audit.details)["status"] == "pending"
        assert [s.id for s in subprocessors.list_sub_processors(session, HOUSE)] == [sub.id]

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"name": " "}, "name"),
            ({"country": "XX"}, "country"),
            ({"duties": []}, "duties"),
            ({"duties": ["sns_messaging"]}, "duties[0]"),
            ({"measures_basis": "contract"}, "measures_checked_on"),
            ({"measures_interval": "yearly"}, "measures_interval"),
        ],
    )
    def test_bad_fields_are_named_and_nothing_written(
        self, session: Session, changes: dict[str, object], field: str
    ) -> None:
        before = _count(session, AuditEvent)
        with pytest.raises(ValidationFailed) as caught:
            _register(session, **changes)
        assert field in [e["field"] for e in caught.value.details["errors"]]
        assert (_count(session, SubProcessor), _count(session, AuditEvent)) == (0, before)

    def test_unknown_processor(self, session: Session) -> None:
        data = SubProcessorInput("Print Sub Ltd.", "JP", [DUTY])
        with pytest.raises(NotFound):
            subprocessors.register_sub_processor(session, actor="t", processor="ghost", data=data)


class TestSubProcessorAbroad:
    def test_adequate_country_needs_nothing_more(self, session: Session) -> None:
        sub = _register(session, country="DE")
        assert subprocessors.route_of(sub, _today()).route == "adequate"

    def test_without_equivalent_measures_is_refused(self, session: Session) -> None:
        with pytest.raises(ValidationFailed) as caught:
            _register(session, country="US")
        assert caught.value.details["errors"][0]["field"] == "country"
        assert _count(session, SubProcessor) == 0

    def test_with_measures_checked_in_time(self, session: Session) -> None:
        sub = _register(
            session,
            country="US",
            measures_basis="contract",
            measures_checked_on=_today() - timedelta(days=30),
        )
        assert subprocessors.route_of(sub, _today()).route == "equivalent_measures"

    def test_with_an_overdue_check_is_refused(self, session: Session) -> None:
        with pytest.raises(ValidationFailed, match="foreign-transfer route") as caught:
            _register(
                session, country="US", measures_basis="contract",
                measures_checked_on=_today() - timedelta(days=400), measures_interval="P1Y",
            )  # fmt: skip
        assert "periodic check" in caught.value.details["errors"][0]["message"]

    def test_approval_needs_the_route_still_in_force(self, session: Session) -> None:
        sub = _register(
            session,
            country="US",
            measures_basis="contract",
            measures_checked_on=_today() - timedelta(days=300),
        )
        sub.measures_checked_on = _today() - timedelta(days=400)
        with pytest.raises(ValidationFailed) as caught:
            _decide(session, sub)
        assert caught.value.details["errors"][0]["field"] == "country"
        assert sub.status == "pending"

    def test_approved_one_whose_check_lapsed_blocks_the_entrustment(self, session: Session) -> None:
        sub = _decide(
            session,
            _register(
                session, country="US", measures_basis="contract",
                measures_checked_on=_today() - timedelta(days=300),
            ),
        )  # fmt: skip
        assert _entrust(session).sub_processors == [str(sub.id)]
        sub.measures_checked_on = _today() - timedelta(days=400)
        with pytest.raises(ValidationFailed) as caught:
            _entrust(session)
        assert caught.value.details["errors"][0]["field"] == "duty"
        assert "no foreign-transfer route" in caught.value.details["errors"][0]["message"]


class TestDecideSubProcessor:
    def test_approval_records_who_when_and_evidence(self, session: Session) -> None:
        sub = _decide(session, _register(session), decided_on=_today() - timedelta(days=2))
        assert (sub.status, sub.decided_by, sub.decided_on, sub.evidence_ref) == (
            "approved",
            OFFICER,
            _today() - timedelta(days=2),
            "contracts/sub-2026.pdf",
        )
        audit = _last_audit(session)
        assert (audit.action, audit.actor) == ("sub_processor.approved", "user:officer")
        assert json.loads(audit.details)["decided_by"] == OFFICER

    def test_refusal_is_audited(self, session: Session) -> None:
        sub = _decide(session, _register(session), approve=False)
        assert (sub.status, sub.decided_on) == ("refused", _today())
        assert _last_audit(session).action == "sub_processor.refused"

    def test_an_approval_can_be_withdrawn(self, session: Session) -> None:
        sub = _decide(session, _decide(session, _register(session)), approve=False, evidence_ref="memo.eml")
        assert (sub.status, sub.evidence_ref) == ("refused", "memo.eml")

    @pytest.mark.parametrize(("first", "second"), [(True, True), (False, True), (False, False)])
    def test_no_second_decision_of_the_same_kind_or_after_a_refusal(
        self, session: Session, first: bool, second: bool
    ) -> None:
        sub = _decide(session, _register(session), approve=first)
        with pytest.raises(InvalidTransition):
            _decide(session, sub, approve=second)

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"decided_by": "nobody"}, "decided_by"),
            ({"evidence_ref": "  "}, "evidence_ref"),
            ({"decided_on": date.today() + timedelta(days=2)}, "decided_on"),  # noqa: DTZ011 - a calendar day
        ],
    )
    def test_bad_decision_is_named_and_nothing_changes(
        self, session: Session, changes: dict[str, object], field: str
    ) -> None:
        sub = _register(session)
        before = _count(session, AuditEvent)
        with pytest.raises(ValidationFailed) as caught:
            _decide(session, sub, **changes)
        assert [e["field"] for e in caught.value.details["errors"]] == [field]
        assert (sub.status, _count(session, AuditEvent)) == ("pending", before)

    def test_an_agent_cannot_decide(self, session: Session) -> None:
        create_officer(session, username="agent.ito", role="agent")
        with pytest.raises(ValidationFailed):
            _decide(session, _register(session), decided_by="agent.ito")

    def test_sub_processor_of_another_processor_is_not_found(self, session: Session) -> None:
        sub = _register(session)
        with pytest.raises(NotFound):
            subprocessors.decide_sub_processor(
                session, actor="t", processor="sample_payment_processor", sub_id=sub.id, approve=True,
                decided_by=OFFICER, evidence_ref="x",
            )  # fmt: skip
        with pytest.raises(NotFound):
            subprocessors.decide_sub_processor(
                session, actor="t", processor=HOUSE, sub_id=uuid.uuid4(), approve=True, decided_by=OFFICER,
                evidence_ref="x",
            )  # fmt: skip


class TestEntrustmentAndSubProcessors:
    def test_a_pending_sub_processor_of_the_duty_blocks_and_nothing_is_recorded(
        self, session: Session
    ) -> None:
        _register(session)
        before = _count(session, AuditEvent)
        with pytest.raises(ValidationFailed) as caught:
            _entrust(session)
        [error] = caught.value.details["errors"]
        assert error["field"] == "duty"
        assert "awaits approval" in error["message"]
        assert (_count(session, Entrustment), _count(session, AuditEvent)) == (0, before)

    def test_once_approved_the_entrustment_names_it(self, session: Session) -> None:
        sub = _decide(session, _register(session))
        entrustment = _entrust(session)
        assert entrustment.sub_processors == [str(sub.id)]
        assert json.loads(_last_audit(session).details)["sub_processors"] == [str(sub.id)]

    def test_a_refused_sub_processor_is_not_reached(self, session: Session) -> None:
        _decide(session, _register(session), approve=False)
        assert _entrust(session).sub_processors == []

    def test_a_pending_sub_processor_of_another_duty_does_not_block(self, session: Session) -> None:
        processors.register_processor(
            session, actor="t",
            data=processors.ProcessorInput(key=HOUSE, duties=[DUTY, "data_registration"]),
        )  # fmt: skip
        _register(session, duties=["data_registration"])
        assert _entrust(session).sub_processors == []
