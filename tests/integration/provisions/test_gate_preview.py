"""The gate's preview: the verdict of the real rules, shown before anything is recorded."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.errors import PolicyViolation, ValidationFailed
from mamori.provisions.gate import ProvisionRequest, preview
from mamori.provisions.models import Provision, ProvisionRecord
from tests.factories.consents import create_plain_subject, ensure_policy, record_consent
from tests.factories.provisions import ITEMS, make_provision

BUREAU = "recipient:sample_credit_bureau"


@pytest.fixture(autouse=True)
def _policy(session: Session) -> None:
    ensure_policy(session)


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _request(subjects: list[uuid.UUID], basis: str = "consent") -> ProvisionRequest:
    return ProvisionRequest(
        recipient="sample_credit_bureau", subjects=subjects, items=list(ITEMS), basis=basis
    )


class TestPreview:
    def test_shows_who_would_be_refused_and_why_and_records_nothing(self, session: Session) -> None:
        agreed, silent, withdrew = (create_plain_subject(session) for _ in range(3))
        record_consent(session, agreed, scope=BUREAU)
        record_consent(session, withdrew, scope=BUREAU)
        record_consent(session, withdrew, scope=BUREAU, action="withdrawn")
        audits = _count(session, AuditEvent)
        shown = preview(session, _request([agreed.id, silent.id, withdrew.id]))
        assert shown.provided == [agreed.id]
        reasons = {r.subject_id: [x.code for x in r.reasons] for r in shown.refused}
        assert reasons == {silent.id: ["consent_missing"], withdrew.id: ["consent_withdrawn"]}
        assert shown.recipient.key == "sample_credit_bureau"
        assert (_count(session, Provision), _count(session, ProvisionRecord)) == (0, 0)
        assert _count(session, AuditEvent) == audits

    def test_the_recording_meets_the_verdict_the_preview_showed(
        self, session: Session, settings: Settings
    ) -> None:
        people = [create_plain_subject(session) for _ in range(4)]
        for person in people[::2]:
            record_consent(session, person, scope=BUREAU)
        shown = preview(session, _request([p.id for p in people]))
        outcome = make_provision(session, settings, [p.id for p in people])
        assert sorted(map(str, shown.provided)) == sorted(map(str, outcome.provided))
        assert {r.subject_id for r in shown.refused} == {r.subject_id for r in outcome.refused}

    def test_refuses_opt_out_and_unknown_recipients_as_the_gate_does(self, session: Session) -> None:
        person = create_plain_subject(session)
        with pytest.raises(PolicyViolation):
            preview(session, _request([person.id], basis="opt_out"))
        with pytest.raises(ValidationFailed):
            preview(
                session,
                ProvisionRequest(recipient="nobody", subjects=[person.id], items=["name"], basis="consent"),
            )
