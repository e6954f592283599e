"""Periodic work of the request office: reminders before deadlines, overdue lists, deleting documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case as when_then
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.dsr import deadlines, messages
from mamori.dsr.models import Case, CaseDocument, WebSubmission
from mamori.dsr.rules import OPEN_STATES
from mamori.dsr.service import common
from mamori.dsr.storage import sealed_files
from mamori.notify.service import Outbox, queue_email

SYSTEM_ACTOR = "system:dsr"
_OPEN = [state.value for state in OPEN_STATES]


@dataclass(frozen=True, slots=True)
class DueCase:
    reference: str
    request_type: str
    state: str
    target_on: date
    overdue: bool
    art39_on: date


def list_open(session: Session, *, today: date | None = None, overdue_only: bool = False) -> list[DueCase]:
    """Open cases by the earlier of target and Art. 39 date (the overdue ones first by nature).

    A case opened under a bundle without the Art. 39 cap, or before it, may have its target after
    the Art. 39 date; the day a suit may follow is then the one that orders it.
    """
    today = today or common.tokyo_date(utcnow())
    earlier = when_then((Case.art39_on < Case.target_on, Case.art39_on), else_=Case.target_on)
    # The five columns the list shows, not whole cases: no ORM objects, nothing encrypted loaded.
    columns = (Case.reference, Case.request_type, Case.state, Case.target_on, Case.art39_on)
    stmt = select(*columns).where(Case.state.in_(_OPEN)).order_by(earlier, Case.target_on, Case.reference)
    if overdue_only:
        stmt = stmt.where(Case.target_on < today)
    return [
        DueCase(reference, kind, state, target, deadlines.is_overdue(target, today), art39)
        for reference, kind, state, target, art39 in session.execute(stmt)
    ]


def send_reminders(session: Session, *, outbox: Outbox, today: date | None = None) -> list[str]:
    """Mail the office one list of the open cases whose reminder day has come (each case once).

    The mail names references, types and dates only. Returns the references reminded of.
    """
    bundle = common.policy(session)
    handling, cal = bundle.request_handling, common.business_calendar(bundle)
    today = today or common.tokyo_date(utcnow())
    cases = [
        case
        for case in session.scalars(
            select(Case).where(Case.state.in_(_OPEN), Case.reminded_at.is_(None)).order_by(Case.target_on)
        )
        if deadlines.reminder_day(cal, case.target_on, handling.reminder_business_days) <= today
    ]
    if not cases or handling.office_email is None:
        return []
    lines = [
        f"{c.reference}\t{c.request_type}\t{c.state}\t{c.target_on.isoformat()}"
        + ("\tOVERDUE" if deadlines.is_overdue(c.target_on, today) else "")
        for c in cases
    ]
    queue_email(
        session,
        outbox=outbox,
        actor=SYSTEM_ACTOR,
        to=handling.office_email,
        language="ja",
        subject=f"{messages.text('mail.reminder_subject', 'ja')} ({len(cases)})",
        body="\n".join(lines),
        purpose="dsr.reminder",
    )
    for case in cases:
        case.reminded_at = utcnow()
        common.audit(
            session,
            case,
            actor=SYSTEM_ACTOR,
            action="request.reminder_sent",
            target_on=case.target_on.isoformat(),
        )
    session.flush()
    return [c.reference for c in cases]


def purge_documents(
    session: Session,
    *,
    actor: str = SYSTEM_ACTOR,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> int:
    """Delete the uploaded documents of cases closed more than ``documents_retention_days`` ago.

    Each case's deletion is audited (``request.documents_deleted`` with the count). Returns the
    number of documents deleted.
    """
    now = now or utcnow()
    days = common.policy(session).request_handling.documents_retention_days
    store = sealed_files(common.settings_or_default(settings))
    stmt = select(Case).where(
        Case.closed_at.is_not(None),
        Case.closed_at <= now - timedelta(days=days),
        Case.documents_purged_at.is_(None),
    )
    total = 0
    for case in session.scalars(stmt.with_for_update()):
        documents = list(
            session.scalars(
                select(CaseDocument).where(CaseDocument.case_id == case.id, CaseDocument.deleted_at.is_(None))
            )
        )
        for document in documents:
            if document.storage_key:
                store.delete(document.storage_key)
            document.storage_key, document.deleted_at = None, now
        case.documents_purged_at = now
        common.audit(
            session,
            case,
            actor=actor,
            action="request.documents_deleted",
            count=len(documents),
            retention_days=days,
        )
        total += len(documents)
    session.flush()
    return total


def drop_expired_submissions(session: Session, *, now: datetime | None = None) -> int:
    """Forget web submissions whose confirmation link expired unused."""
    now = now or utcnow()
    expired = list(
        session.scalars(
            select(WebSubmission).where(WebSubmission.confirmed_at.is_(None), WebSubmission.expires_at <= now)
        )
    )
    for submission in expired:
        session.delete(submission)
    session.flush()
    return len(expired)
