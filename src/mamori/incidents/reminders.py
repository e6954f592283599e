"""Reminders before each deadline: each step (days left, or overdue) is recorded and audited once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.calendar.service import appi_calendar
from mamori.db.base import utcnow
from mamori.incidents import repository as repo
from mamori.incidents.clocks import attention_order, reminder_due
from mamori.incidents.models import Incident, IncidentReminder
from mamori.incidents.rules import State
from mamori.incidents.service import bundle
from mamori.incidents.views import incident_clocks
from mamori.policy.service import current_version

SYSTEM_ACTOR = "system:incidents"


@dataclass(frozen=True, slots=True)
class Reminder:
    reference: str
    clock: str
    days_left: int  # -1: overdue
    due_on: date


def _already(session: Session, incident: Incident, reminder: Reminder) -> bool:
    return (
        session.scalars(
            select(IncidentReminder.id).where(
                IncidentReminder.incident_id == incident.id,
                IncidentReminder.clock == reminder.clock,
                IncidentReminder.days_left == reminder.days_left,
                IncidentReminder.due_on == reminder.due_on,
            )
        ).first()
        is not None
    )


def send_reminders(session: Session, *, now: datetime | None = None) -> list[Reminder]:
    """Record the reminders due now for every open incident, overdue ones first; each step only once."""
    if current_version(session) is None:
        return []
    now, policy, cal = now or utcnow(), bundle(session), appi_calendar()
    pairs = [
        (clock, incident)
        for state in (State.OPEN, State.CONTAINED)
        for incident in repo.incidents(session, state=state, limit=10_000)
        for clock in incident_clocks(session, incident, policy)
    ]
    given = []
    for clock, incident in attention_order(pairs, now):
        step = reminder_due(clock, now, policy.incidents.reminder_days, cal)
        if step is None:
            continue
        reminder = Reminder(incident.reference, str(clock.code), step, clock.due_on)
        if _already(session, incident, reminder):
            continue
        session.add(IncidentReminder(incident_id=incident.id, clock=reminder.clock, days_left=step,
                                     due_on=clock.due_on))  # fmt: skip
        record_event(
            session, actor=SYSTEM_ACTOR, action="incident.reminder_due", target_type="incident",
            target_id=str(incident.id),
            details={"reference": incident.reference, "clock": reminder.clock, "days_left": step,
                     "due_on": clock.due_on.isoformat()},
        )  # fmt: skip
        given.append(reminder)
    session.flush()
    return given
