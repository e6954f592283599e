"""Queries of the incidents room. Functions return None or empty results; services raise NotFound."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from mamori.incidents.clocks import ClockCode
from mamori.incidents.models import (
    Incident,
    IncidentAction,
    IncidentEvent,
    IncidentNotice,
    IncidentReport,
    IncidentSubject,
)
from mamori.subjects.models import Subject

PUBLIC = "public"
SENT_STATUSES = ("queued", "printed", "published")


def incident(session: Session, incident_id: uuid.UUID) -> Incident | None:
    return session.get(Incident, incident_id)


def by_reference(session: Session, reference: str) -> Incident | None:
    return session.scalars(select(Incident).where(Incident.reference == reference)).one_or_none()


def incidents(session: Session, *, state: str | None = None, limit: int = 100) -> list[Incident]:
    stmt = select(Incident).order_by(Incident.known_at.desc(), Incident.reference.desc()).limit(limit)
    if state:
        stmt = stmt.where(Incident.state == state)
    return list(session.scalars(stmt))


def next_seq(session: Session, incident_id: uuid.UUID) -> int:
    last = session.scalar(select(func.max(IncidentEvent.seq)).where(IncidentEvent.incident_id == incident_id))
    return (last or 0) + 1


def lock_reference_year(session: Session, prefix: str) -> None:
    """PostgreSQL: a lock on the year's numbering, held until the transaction ends."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: one writer at a time already (BEGIN IMMEDIATE)
    key = int.from_bytes(
        hashlib.sha256(f"mamori.incident_reference:{prefix}".encode()).digest()[:8], signed=True
    )
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def count_in_year(session: Session, prefix: str) -> int:
    return session.scalar(select(func.count()).where(Incident.reference.like(f"{prefix}%"))) or 0


def events(session: Session, incident_id: uuid.UUID) -> list[IncidentEvent]:
    return list(
        session.scalars(
            select(IncidentEvent).where(IncidentEvent.incident_id == incident_id).order_by(IncidentEvent.seq)
        )
    )


def subject_jurisdictions(session: Session, incident_id: uuid.UUID) -> dict[uuid.UUID, str]:
    rows = session.execute(
        select(IncidentSubject.subject_id, Subject.jurisdiction)
        .join(Subject, Subject.id == IncidentSubject.subject_id)
        .where(IncidentSubject.incident_id == incident_id)
    )
    return {subject_id: jurisdiction for subject_id, jurisdiction in rows}  # noqa: C416 - rows, not pairs


def linked(session: Session, incident_id: uuid.UUID) -> set[uuid.UUID]:
    return set(
        session.scalars(select(IncidentSubject.subject_id).where(IncidentSubject.incident_id == incident_id))
    )


def reports(session: Session, incident_id: uuid.UUID) -> list[IncidentReport]:
    return list(
        session.scalars(
            select(IncidentReport)
            .where(IncidentReport.incident_id == incident_id)
            .order_by(IncidentReport.authority, IncidentReport.stage, IncidentReport.version)
        )
    )


def notices(session: Session, incident_id: uuid.UUID) -> list[IncidentNotice]:
    return list(
        session.scalars(
            select(IncidentNotice)
            .where(IncidentNotice.incident_id == incident_id)
            .order_by(IncidentNotice.created_at, IncidentNotice.id)
        )
    )


def actions(session: Session, incident_id: uuid.UUID) -> list[IncidentAction]:
    return list(
        session.scalars(
            select(IncidentAction)
            .where(IncidentAction.incident_id == incident_id)
            .order_by(IncidentAction.due_on, IncidentAction.created_at)
        )
    )


def _earliest(values: Sequence[datetime | None]) -> datetime | None:
    present = [value for value in values if value is not None]
    return min(present) if present else None


def _told_at(notices_: Sequence[IncidentNotice], people: set[uuid.UUID]) -> datetime | None:
    """When every one of ``people`` had been told (a public statement covers everyone)."""
    statement = _earliest([n.created_at for n in notices_ if n.channel == PUBLIC])
    if statement is not None:
        return statement
    told = {n.subject_id: n.created_at for n in notices_ if n.subject_id and n.status in SENT_STATUSES}
    if not people or not people <= told.keys():
        return None
    return max(told[person] for person in people)


def done_times(session: Session, incident_id: uuid.UUID) -> dict[ClockCode, datetime]:
    """When each clock was satisfied: reports filed, everyone (or everyone in China) told."""
    filed = [r for r in reports(session, incident_id) if r.filed_at is not None]
    return _done(filed, notices(session, incident_id), subject_jurisdictions(session, incident_id))


BATCH = 500  # ids per IN list (well within SQLite's and PostgreSQL's parameter limits)


def done_times_of(
    session: Session, incident_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[ClockCode, datetime]]:
    """:func:`done_times` of many incidents in three queries per :data:`BATCH` (the listing of all clocks)."""
    filed: dict[uuid.UUID, list[IncidentReport]] = defaultdict(list)
    given: dict[uuid.UUID, list[IncidentNotice]] = defaultdict(list)
    people: dict[uuid.UUID, dict[uuid.UUID, str]] = defaultdict(dict)
    for start in range(0, len(incident_ids), BATCH):
        ids = list(incident_ids[start : start + BATCH])
        for report in session.scalars(
            select(IncidentReport).where(
                IncidentReport.incident_id.in_(ids), IncidentReport.filed_at.is_not(None)
            )
        ):
            filed[report.incident_id].append(report)
        for notice in session.scalars(
            select(IncidentNotice)
            .where(IncidentNotice.incident_id.in_(ids))
            .order_by(IncidentNotice.created_at, IncidentNotice.id)
        ):
            given[notice.incident_id].append(notice)
        for incident_id, subject_id, jurisdiction in session.execute(
            select(IncidentSubject.incident_id, IncidentSubject.subject_id, Subject.jurisdiction)
            .join(Subject, Subject.id == IncidentSubject.subject_id)
            .where(IncidentSubject.incident_id.in_(ids))
        ):
            people[incident_id][subject_id] = jurisdiction
    return {i: _done(filed[i], given[i], people[i]) for i in incident_ids}


def _done(
    filed: Sequence[IncidentReport], given: Sequence[IncidentNotice], people: dict[uuid.UUID, str]
) -> dict[ClockCode, datetime]:
    found = {
        ClockCode.PPC_PRELIMINARY: _earliest([r.filed_at for r in filed if r.authority == "ppc"]),
        ClockCode.PPC_FINAL: _earliest(
            [r.filed_at for r in filed if (r.authority, r.stage) == ("ppc", "final")]
        ),
        ClockCode.PIPL_AUTHORITY: _earliest([r.filed_at for r in filed if r.authority == "pipl"]),
        ClockCode.INDIVIDUALS: _told_at(given, set(people)),
        ClockCode.PIPL_INDIVIDUALS: _told_at(given, {p for p, j in people.items() if j == "CN"}),
    }
    return {code: at for code, at in found.items() if at is not None}
