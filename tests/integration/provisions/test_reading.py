"""Reading records back for a purpose: one provision with its persons, a person's records; audited."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.errors import NotFound, PolicyViolation
from mamori.provisions.reading import read_provision, read_records_for_subject
from mamori.provisions.rules import add_years
from tests.factories.consents import create_plain_subject, ensure_policy, record_consent
from tests.factories.provisions import OFFICER, create_officer, make_provision

BUREAU = "recipient:sample_credit_bureau"
PURPOSE = "customer.credit"


@pytest.fixture(autouse=True)
def _policy(session: Session) -> None:
    ensure_policy(session)


def _last_audit(session: Session) -> AuditEvent:
    return session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()


def _audits(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


class TestReadProvision:
    def test_shows_recipient_basis_items_persons_and_retention_end(
        self, session: Session, settings: Settings
    ) -> None:
        agreed, silent = create_plain_subject(session), create_plain_subject(session)
        event = record_consent(session, agreed, scope=BUREAU)
        now = utcnow()
        outcome = make_provision(session, settings, [agreed.id, silent.id], now=now)
        view = read_provision(
            session, settings, actor="user:auditor", provision_id=outcome.provision.id, purpose=PURPOSE
        )
        p = view.provision
        assert (p.basis, p.art29_record, p.items, p.route) == (
            "consent",
            True,
            ["name", "address"],
            "domestic",
        )
        assert p.recipient_snapshot["representative"]["name"]["ja"] == "見本 太郎"
        assert (p.provided, p.refused, view.persons_total) == (1, 1, 1)
        [person] = view.persons
        assert (person.subject_id, person.consent_event_id) == (agreed.id, event.id)
        assert view.retention_end == person.retention_end == add_years(now, 3)
        assert view.justification is None
        audit = _last_audit(session)
        assert (audit.action, audit.actor, audit.target_id) == (
            "provision.read",
            "user:auditor",
            str(p.id),
        )
        assert json.loads(audit.details)["purpose"] == PURPOSE

    def test_exception_shows_its_justification_and_officer(
        self, session: Session, settings: Settings
    ) -> None:
        create_officer(session)
        subject = create_plain_subject(session)
        outcome = make_provision(
            session, settings, [subject.id], basis="law", justification="照会書 2026-118 に基づく",
            approved_by=OFFICER,
        )  # fmt: skip
        view = read_provision(
            session, settings, actor="t", provision_id=outcome.provision.id, purpose=PURPOSE
        )
        assert (view.justification, view.provision.approved_by) == ("照会書 2026-118 に基づく", OFFICER)
        assert view.provision.art29_record is False
        assert "照会書" not in _last_audit(session).details

    def test_latest_retention_end_after_a_later_provision_under_contract(
        self, session: Session, settings: Settings
    ) -> None:
        subject = create_plain_subject(session)
        partner = "sample_mailing_partner"
        record_consent(
            session, subject, scope=f"recipient:{partner}", occurred_at=utcnow() - timedelta(days=90)
        )
        first, second = utcnow() - timedelta(days=60), utcnow()
        earlier = make_provision(session, settings, [subject.id], recipient=partner, now=first)
        make_provision(session, settings, [subject.id], recipient=partner, now=second)
        view = read_provision(
            session, settings, actor="t", provision_id=earlier.provision.id, purpose=PURPOSE
        )
        assert view.retention_end == add_years(second, 1)

    def test_pages_through_the_persons(self, session: Session, settings: Settings) -> None:
        subjects = [create_plain_subject(session) for _ in range(5)]
        for subject in subjects:
            record_consent(session, subject, scope=BUREAU)
        outcome = make_provision(session, settings, [s.id for s in subjects])
        pages = [
            read_provision(
                session, settings, actor="t", provision_id=outcome.provision.id, purpose=PURPOSE,
                limit=2, offset=offset,
            )
            for offset in (0, 2, 4)
        ]  # fmt: skip
        assert [len(page.persons) for page in pages] == [2, 2, 1]
        assert {p.subject_id for page in pages for p in page.persons} == {s.id for s in subjects}
        assert {page.persons_total for page in pages} == {5}

    def test_unknown_provision_is_not_found_and_writes_nothing(
        self, session: Session, settings: Settings
    ) -> None:
        before = _audits(session)
        with pytest.raises(NotFound):
            read_provision(session, settings, actor="t", provision_id=uuid.uuid4(), purpose=PURPOSE)
        assert _audits(session) == before

    @pytest.mark.parametrize(
        ("purpose", "reason"),
        [("employee.hr", "declared-for-other-categories"), ("gossip", "unknown-purpose")],
    )
    def test_purpose_not_declared_for_the_persons_is_refused_and_audited(
        self, session: Session, settings: Settings, purpose: str, reason: str
    ) -> None:
        subject = create_plain_subject(session)
        record_consent(session, subject, scope=BUREAU)
        outcome = make_provision(session, settings, [subject.id])
        with pytest.raises(PolicyViolation) as caught:
            read_provision(session, settings, actor="t", provision_id=outcome.provision.id, purpose=purpose)
        assert caught.value.details["errors"][0]["field"] == "purpose"
        audit = _last_audit(session)
        assert audit.action == "provision.read_refused"
        assert json.loads(audit.details) == {"purpose": purpose, "reason": reason}

    def test_a_provision_nobody_was_provided_in_reads_for_any_purpose_of_the_policy(
        self, session: Session, settings: Settings
    ) -> None:
        silent = create_plain_subject(session)
        outcome = make_provision(session, settings, [silent.id])
        view = read_provision(
            session, settings, actor="t", provision_id=outcome.provision.id, purpose="employee.hr"
        )
        assert (view.persons, view.retention_end, view.provision.refused) == ([], None, 1)


class TestReadRecordsForSubject:
    def test_lists_and_audits_the_read(self, session: Session, settings: Settings) -> None:
        subject = create_plain_subject(session)
        record_consent(session, subject, scope=BUREAU)
        make_provision(session, settings, [subject.id])
        [record] = read_records_for_subject(session, actor="t", subject_id=subject.id, purpose=PURPOSE)
        assert record.party["key"] == "sample_credit_bureau"
        audit = _last_audit(session)
        assert (audit.action, audit.target_id) == ("provision_records.read", str(subject.id))
        assert json.loads(audit.details) == {"purpose": PURPOSE, "records": 1}

    def test_purpose_of_another_category_is_refused(self, session: Session) -> None:
        subject = create_plain_subject(session)
        with pytest.raises(PolicyViolation):
            read_records_for_subject(session, actor="t", subject_id=subject.id, purpose="employee.hr")
        assert _last_audit(session).action == "provision_records.read_refused"

    def test_unknown_subject(self, session: Session) -> None:
        with pytest.raises(NotFound):
            read_records_for_subject(session, actor="t", subject_id=uuid.uuid4(), purpose=PURPOSE)
