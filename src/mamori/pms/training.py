"""Training records: who attended which course, when, with what result, until when it counts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.pms import common
from mamori.pms.models import TrainingRecord
from mamori.pms.rules import TrainingDue, TrainingFact, TrainingResult, overdue_training, valid_until
from mamori.security.models import StaffUser


@dataclass(frozen=True, slots=True)
class TrainingInput:
    course: str
    person: str
    completed_on: date
    result: str
    valid_months: int | None = 12


def record_training(session: Session, *, actor: str, data: TrainingInput) -> TrainingRecord:
    """Record one attendance.

    Raises:
        ValidationFailed: unknown result, empty course or person, validity off 1–120 months, a future date.
    """
    problems = [
        {"field": f, "message": "is empty"}
        for f, v in (("course", data.course), ("person", data.person))
        if not v.strip()
    ]
    if data.result not in set(TrainingResult):
        problems.append({"field": "result", "message": f"must be one of {', '.join(TrainingResult)}"})
    if data.valid_months is not None and not 1 <= data.valid_months <= 120:  # noqa: PLR2004 - ten years
        problems.append({"field": "valid_months", "message": "must be 1 to 120"})
    if data.completed_on > common.today():
        problems.append({"field": "completed_on", "message": "is in the future"})
    common.refuse(problems, "the training record")
    record = TrainingRecord(
        id=uuid.uuid4(),
        course=data.course.strip(),
        person=data.person.strip(),
        completed_on=data.completed_on,
        result=data.result,
        passed=data.result != TrainingResult.FAILED,
        created_by=actor,
        valid_until=valid_until(data.completed_on, data.result, data.valid_months),
    )
    session.add(record)
    session.flush()
    details = {
        "course": record.course,
        "person": record.person,
        "result": record.result,
        "valid_until": None if record.valid_until is None else str(record.valid_until),
    }
    common.audit(session, actor, "pms.training_recorded", "pms_training", str(record.id), details)
    return record


def list_training(session: Session, *, course: str | None = None) -> list[TrainingRecord]:
    stmt = select(TrainingRecord)
    if course is not None:
        stmt = stmt.where(TrainingRecord.course == course)
    return list(session.scalars(stmt.order_by(TrainingRecord.completed_on.desc(), TrainingRecord.person)))


def overdue(session: Session, *, today: date | None = None, course: str | None = None) -> list[TrainingDue]:
    """Who is overdue: every active staff user and everyone with a record, for every course recorded."""
    records = list_training(session, course=course)
    facts = [TrainingFact(r.course, r.person, r.completed_on, r.result, r.valid_until) for r in records]
    staff = session.scalars(select(StaffUser.username).where(StaffUser.active.is_(True)))
    people = {*staff, *(r.person for r in records)}
    courses = {course} if course else {r.course for r in records}
    return overdue_training(facts, people, courses, today or common.today())
