"""The reminder sweep as the job runner sees it: registered as periodic work, and idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.incidents.models import IncidentReminder
from mamori.incidents.tasks import REMIND, remind
from mamori.jobs.registry import load_registry
from tests.factories.incidents import create_incident


def test_the_runner_finds_the_hourly_reminder_sweep() -> None:
    registry = load_registry()
    assert registry.handler(REMIND) is remind
    assert registry.periodic[REMIND] == timedelta(hours=1)


def test_the_sweep_records_each_step_once(session: Session, settings: Settings) -> None:
    incident = create_incident(session, settings, persons_max=4000, occurred_at=None,
                               known_at=datetime.now(UTC) - timedelta(days=10))  # fmt: skip
    remind(session, {})
    remind(session, {})
    steps = session.scalars(select(IncidentReminder).where(IncidentReminder.incident_id == incident.id)).all()
    # 10 days on, the preliminary report and the notices are overdue; the final report is weeks away.
    assert sorted((s.clock, s.days_left) for s in steps) == [
        ("individual_notice", -1),
        ("ppc_preliminary", -1),
    ]
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "incident.reminder_due", AuditEvent.target_id == str(incident.id)
        )
    ).all()
    assert len(events) == 2
