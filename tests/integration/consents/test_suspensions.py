"""Usage suspensions against a real database."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.consents import suspensions
from mamori.consents.models import UsageSuspension
from mamori.db.base import utcnow
from mamori.errors import Conflict, NotFound, ValidationFailed
from tests.factories.consents import create_plain_subject, ensure_policy

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _policy(session: Session) -> None:
    ensure_policy(session)


def _last_audit(session: Session) -> AuditEvent:
    return session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()


class TestSuspend:
    def test_creates_an_active_suspension_and_audits_it(self, session: Session) -> None:
        subject = create_plain_subject(session)
        item = suspensions.suspend(
            session, actor="user:officer", subject_id=subject.id, scope="purpose:customer.mailings",
            reason="asked by phone", source="request", source_ref="DSR-2026-0001",
        )  # fmt: skip
        assert item.created_by == "user:officer"
        assert [s.id for s in suspensions.active_suspensions(session, subject.id)] == [item.id]
        audit = _last_audit(session)
        assert audit.action == "suspension.created"
        details = json.loads(audit.details)
        assert details == {
            "suspension_id": str(item.id),
            "scope": "purpose:customer.mailings",
            "source": "request",
        }
        assert "phone" not in audit.details  # the free-text reason stays out of the log

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"scope": "camera"}, "scope"),
            ({"scope": "purpose:nope"}, "scope"),
            ({"source": "email"}, "source"),
            ({"source": "request", "source_ref": None}, "source_ref"),
            ({"reason": "  "}, "reason"),
            ({"starts_at": T0, "ends_at": T0}, "ends_at"),
        ],
    )
    def test_bad_input_names_the_field_and_writes_nothing(
        self, session: Session, changes: dict[str, object], field: str
    ) -> None:
        subject = create_plain_subject(session)
        before = session.scalar(select(func.count()).select_from(UsageSuspension))
        args: dict[str, object] = {"scope": "all", "reason": "r", "source": "manual", **changes}
        with pytest.raises(ValidationFailed) as exc:
            suspensions.suspend(session, actor="t", subject_id=subject.id, **args)  # type: ignore[arg-type]
        assert [e["field"] for e in exc.value.details["errors"]] == [field]
        assert session.scalar(select(func.count()).select_from(UsageSuspension)) == before

    def test_unknown_and_erased_subjects(self, session: Session) -> None:
        with pytest.raises(NotFound):
            suspensions.suspend(
                session, actor="t", subject_id=uuid.uuid4(), scope="all", reason="r", source="manual"
            )
        erased = create_plain_subject(session, status="erased")
        with pytest.raises(ValidationFailed):
            suspensions.suspend(
                session, actor="t", subject_id=erased.id, scope="all", reason="r", source="manual"
            )


class TestLift:
    def test_lifting_ends_it_and_twice_is_a_conflict(self, session: Session) -> None:
        subject = create_plain_subject(session)
        item = suspensions.suspend(
            session, actor="t", subject_id=subject.id, scope="all", reason="r", source="manual"
        )
        lifted = suspensions.lift(session, actor="user:officer", suspension_id=item.id)
        assert lifted.lifted_at is not None
        assert suspensions.active_suspensions(session, subject.id) == []
        assert _last_audit(session).action == "suspension.lifted"
        with pytest.raises(Conflict):
            suspensions.lift(session, actor="t", suspension_id=item.id)

    def test_unknown_suspension(self, session: Session) -> None:
        with pytest.raises(NotFound):
            suspensions.lift(session, actor="t", suspension_id=uuid.uuid4())

    def test_an_ended_suspension_cannot_be_lifted(self, session: Session) -> None:
        subject = create_plain_subject(session)
        item = suspensions.suspend(
            session, actor="t", subject_id=subject.id, scope="all", reason="r", source="manual",
            starts_at=T0, ends_at=T0 + timedelta(days=1),
        )  # fmt: skip
        with pytest.raises(Conflict):
            suspensions.lift(session, actor="t", suspension_id=item.id)


class TestActiveSuspensions:
    def test_period_and_merged_subjects(self, session: Session) -> None:
        survivor = create_plain_subject(session)
        merged = create_plain_subject(session)
        windowed = suspensions.suspend(
            session, actor="t", subject_id=merged.id, scope="third_party_provision", reason="r",
            source="manual", starts_at=T0, ends_at=T0 + timedelta(days=10),
        )  # fmt: skip
        open_ended = suspensions.suspend(
            session, actor="t", subject_id=survivor.id, scope="all", reason="r", source="manual", starts_at=T0
        )
        merged.status, merged.merged_into_id = "merged", survivor.id
        session.flush()
        during = {
            s.id for s in suspensions.active_suspensions(session, survivor.id, at=T0 + timedelta(days=1))
        }
        assert during == {windowed.id, open_ended.id}
        later = {
            s.id for s in suspensions.active_suspensions(session, survivor.id, at=T0 + timedelta(days=10))
        }
        assert later == {open_ended.id}
        assert suspensions.active_suspensions(session, survivor.id, at=T0 - timedelta(seconds=1)) == []
        only_given = suspensions.active_suspensions(session, [survivor.id], at=T0 + timedelta(days=1))
        assert [s.id for s in only_given] == [open_ended.id]
        listed = suspensions.list_suspensions(session, survivor.id)
        assert {s.id for s in listed} == {windowed.id, open_ended.id}

    def test_a_future_suspension_is_not_yet_active(self, session: Session) -> None:
        subject = create_plain_subject(session)
        suspensions.suspend(
            session, actor="t", subject_id=subject.id, scope="all", reason="r", source="manual",
            starts_at=utcnow() + timedelta(days=3),
        )  # fmt: skip
        assert suspensions.active_suspensions(session, subject.id) == []
