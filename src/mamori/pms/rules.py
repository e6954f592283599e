"""Rules of the management system, pure: ratings, review and due dates, training validity, actions.

Rating scale (documented in docs/guides/privacy-office.md): likelihood and impact are each rated
1 to 5 (1 rare / negligible … 5 almost certain / severe); the score is their product (1–25) and
its level is low (1–4), medium (5–9), high (10–14) or critical (15–25). A risk is reviewed again
after 12 months when low or medium, 6 months when high and 3 months when critical; a review date
before today is overdue.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from mamori.errors import InvalidTransition, ValidationFailed

SCALE = range(1, 6)


class Stage(StrEnum):
    """The life-cycle stages of personal information (JIS Q 15001 risk assessment)."""

    ACQUISITION = "acquisition"
    USE = "use"
    STORAGE = "storage"
    PROVISION = "provision"
    DISPOSAL = "disposal"


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


_LEVELS: tuple[tuple[int, Level], ...] = (
    (4, Level.LOW),
    (9, Level.MEDIUM),
    (14, Level.HIGH),
    (25, Level.CRITICAL),
)
REVIEW_MONTHS: dict[Level, int] = {Level.LOW: 12, Level.MEDIUM: 12, Level.HIGH: 6, Level.CRITICAL: 3}


@dataclass(frozen=True, slots=True)
class Rating:
    likelihood: int
    impact: int

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def level(self) -> Level:
        return level_of(self.score)


def level_of(score: int) -> Level:
    """The level of a score 1–25."""
    for ceiling, level in _LEVELS:
        if score <= ceiling:
            return level
    msg = f"score {score} is beyond 25"
    raise ValueError(msg)


def rating_problems(inherent: Rating, residual: Rating) -> list[dict[str, str]]:
    """Each value on the 1–5 scale; the residual rating never above the inherent one."""
    problems = [
        {"field": name, "message": "must be 1 to 5"}
        for name, value in (
            ("likelihood", inherent.likelihood),
            ("impact", inherent.impact),
            ("residual_likelihood", residual.likelihood),
            ("residual_impact", residual.impact),
        )
        if value not in SCALE
    ]
    if not problems and residual.score > inherent.score:
        problems.append({"field": "residual", "message": "the residual rating is above the inherent one"})
    return problems


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the last day of a shorter month)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review(rated_on: date, residual: Rating) -> date:
    """When a risk is reviewed again, by the level of its residual rating."""
    return add_months(rated_on, REVIEW_MONTHS[residual.level])


def is_overdue(due_on: date | None, today: date) -> bool:
    return due_on is not None and due_on < today


class ActionState(StrEnum):
    """A corrective action: open → done → verified (effective) or back to open (not effective)."""

    OPEN = "open"
    DONE = "done"
    VERIFIED = "verified"


class ActionSource(StrEnum):
    AUDIT = "audit"
    INCIDENT = "incident"
    COMPLAINT = "complaint"
    REVIEW = "review"
    OTHER = "other"


def check_completion(state: ActionState) -> None:
    if state != ActionState.OPEN:
        raise InvalidTransition(f"only an open action can be marked done (it is {state})")


def verification_outcome(state: ActionState, owner: str, verifier: str, *, effective: bool) -> ActionState:
    """Verification of effect: only a done action, by someone other than its owner.

    Effective → verified; not effective → open again (the action goes on).
    """
    if state != ActionState.DONE:
        raise InvalidTransition(f"only a done action can be verified (it is {state})")
    if owner == verifier:
        errors = [{"field": "verifier", "message": "the owner cannot verify their own action"}]
        raise ValidationFailed("the owner cannot verify their own action", details={"errors": errors})
    return ActionState.VERIFIED if effective else ActionState.OPEN


def action_overdue(state: str, due_on: date, today: date) -> bool:
    """An action not yet done past its due date (a done action waits for verification, not its owner)."""
    return state == ActionState.OPEN and due_on < today


class TrainingResult(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ATTENDED = "attended"


@dataclass(frozen=True, slots=True)
class TrainingFact:
    course: str
    person: str
    completed_on: date
    result: str
    valid_until: date | None


def valid_until(completed_on: date, result: str, valid_months: int | None) -> date | None:
    """How long a record counts: failed never; passed or attended for ``valid_months`` (None: no end)."""
    if result == TrainingResult.FAILED:
        return completed_on  # counts for nothing after the day itself
    return None if valid_months is None else add_months(completed_on, valid_months)


@dataclass(frozen=True, slots=True)
class TrainingDue:
    course: str
    person: str
    last_completed_on: date | None
    expired_on: date | None


def overdue_training(
    records: Iterable[TrainingFact], people: Iterable[str], courses: Iterable[str], today: date
) -> list[TrainingDue]:
    """For each person and course: overdue when no passed or attended record is valid today."""
    best: dict[tuple[str, str], TrainingFact] = {}
    for record in records:
        if record.result == TrainingResult.FAILED:
            continue
        key = (record.course, record.person)
        held = best.get(key)
        if held is None or record.completed_on > held.completed_on:
            best[key] = record
    due: list[TrainingDue] = []
    for course in sorted(set(courses)):
        for person in sorted(set(people)):
            found = best.get((course, person))
            if found is None:
                due.append(TrainingDue(course, person, None, None))
            elif found.valid_until is not None and found.valid_until < today:
                due.append(TrainingDue(course, person, found.completed_on, found.valid_until))
    return due


class FindingKind(StrEnum):
    CONFORMITY = "conformity"
    OBSERVATION = "observation"
    MINOR = "minor_nonconformity"
    MAJOR = "major_nonconformity"

    @property
    def nonconformity(self) -> bool:
        return self in {FindingKind.MINOR, FindingKind.MAJOR}


class AuditState(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


AUDIT_TRANSITIONS: dict[AuditState, frozenset[AuditState]] = {
    AuditState.PLANNED: frozenset({AuditState.IN_PROGRESS}),
    AuditState.IN_PROGRESS: frozenset({AuditState.COMPLETED}),
    AuditState.COMPLETED: frozenset(),
}


def check_audit_transition(current: AuditState, wanted: AuditState) -> None:
    if wanted not in AUDIT_TRANSITIONS[current]:
        raise InvalidTransition(f"an audit cannot go from {current} to {wanted}")
