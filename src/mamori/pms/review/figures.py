"""The figures of a management review, each computed from the rooms' own tables and services.

Periods are Tokyo calendar days, both ends included. Rules that belong to another room are not
repeated here: complaints come from the inquiries room's report, processor assessments that are
due from the provisions room, corrective actions of incidents through the incidents room's reader.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.calendar.service import TOKYO
from mamori.config import Settings
from mamori.consents.decisions.rules import tokyo_date
from mamori.dsr.models import Case
from mamori.dsr.rules import FINAL_STATES
from mamori.errors import ValidationFailed
from mamori.incidents.models import Incident, IncidentReport
from mamori.inquiries.reports import complaints_report
from mamori.pms import actions, training
from mamori.pms.models import Audit, Finding, Risk, RiskRating, TrainingRecord
from mamori.pms.rules import Level, Rating, level_of
from mamori.provisions.models import Assessment, Provision
from mamori.provisions.processors import overdue_assessments
from mamori.provisions.rules import DOMESTIC, NONE


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Tokyo days ``start`` … ``end`` as a half-open UTC interval."""
    low = datetime.combine(start, time(0), tzinfo=TOKYO).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time(0), tzinfo=TOKYO).astimezone(UTC)
    return low, high


def _sorted(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items()))


@dataclass(frozen=True)
class Requests:
    received: int
    by_type: dict[str, int]
    answered_on_time: int
    answered_late: int
    overdue_open: int


@dataclass(frozen=True)
class Inquiries:
    all_inquiries: int
    complaints: int
    complaints_open: int
    by_category: dict[str, int]
    complaints_by_language: dict[str, int]
    complaints_by_channel: dict[str, int]


@dataclass(frozen=True)
class Incidents:
    registered: int
    reportable: int
    reports_filed: dict[str, int]  # "ppc/preliminary" → count
    open_now: int


@dataclass(frozen=True)
class Provisions:
    provisions: int
    persons_provided: int
    foreign: int
    by_route: dict[str, int]


@dataclass(frozen=True)
class Processors:
    assessments: int
    by_result: dict[str, int]
    overdue: int


@dataclass(frozen=True)
class Audits:
    audits: int
    completed: int
    findings_by_kind: dict[str, int]
    nonconformities: int
    actions_open: int
    actions_overdue: int
    actions_by_source: dict[str, int]


@dataclass(frozen=True)
class Risks:
    registered: int
    reviewed: int
    raised: int
    lowered: int
    by_residual_level: dict[str, int]
    review_overdue: int


@dataclass(frozen=True)
class Training:
    records: int
    passed: int
    failed: int
    overdue: int
    by_course: dict[str, int]


@dataclass(frozen=True)
class Review:
    start: date
    end: date
    requests: Requests
    inquiries: Inquiries
    incidents: Incidents
    provisions: Provisions
    processors: Processors
    audits: Audits
    risks: Risks
    training: Training
    notes: list[str] = field(default_factory=list)


def compute_review(session: Session, settings: Settings, start: date, end: date) -> Review:
    """Every figure of the review for ``start`` … ``end``. Raises ValidationFailed when end < start."""
    if end < start:
        errors = [{"field": "to", "message": "is before from"}]
        raise ValidationFailed("the period ends before it starts", details={"errors": errors})
    low, high = bounds(start, end)
    return Review(
        start=start,
        end=end,
        requests=_requests(session, low, high, end),
        inquiries=_inquiries(session, start, end),
        incidents=_incidents(session, low, high),
        provisions=_provisions(session, low, high),
        processors=_processors(session, start, end),
        audits=_audits(session, settings, start, end),
        risks=_risks(session, low, high, end),
        training=_training(session, start, end),
    )


def _requests(session: Session, low: datetime, high: datetime, end: date) -> Requests:
    period = (Case.received_at >= low, Case.received_at < high)
    by_type = Counter(str(t) for t in session.scalars(select(Case.request_type).where(*period)))
    on_time = late = 0
    stmt = select(Case.responded_at, Case.target_on).where(Case.responded_at >= low, Case.responded_at < high)
    for responded, target in session.execute(stmt):
        if responded is None:
            continue
        if tokyo_date(responded) <= target:
            on_time += 1
        else:
            late += 1
    overdue = session.scalar(
        select(func.count())
        .select_from(Case)
        .where(
            Case.received_at < high,
            Case.responded_at.is_(None),
            Case.target_on < end,
            Case.state.not_in([str(s) for s in FINAL_STATES]),
        )
    )
    return Requests(sum(by_type.values()), _sorted(by_type), on_time, late, int(overdue or 0))


def _inquiries(session: Session, start: date, end: date) -> Inquiries:
    report = complaints_report(session, start, end)
    return Inquiries(
        all_inquiries=report.all_inquiries,
        complaints=report.complaints,
        complaints_open=report.open,
        by_category={row.key: row.count for row in report.by_category},
        complaints_by_language={row.key: row.count for row in report.by_language},
        complaints_by_channel={row.key: row.count for row in report.by_channel},
    )


def _incidents(session: Session, low: datetime, high: datetime) -> Incidents:
    rows = list(
        session.execute(select(Incident.reportable).where(Incident.known_at >= low, Incident.known_at < high))
    )
    filed = Counter(
        f"{authority}/{stage}"
        for authority, stage in session.execute(
            select(IncidentReport.authority, IncidentReport.stage).where(
                IncidentReport.filed_at >= low, IncidentReport.filed_at < high
            )
        )
    )
    open_now = session.scalar(select(func.count()).select_from(Incident).where(Incident.closed_at.is_(None)))
    return Incidents(len(rows), sum(1 for (r,) in rows if r), _sorted(filed), int(open_now or 0))


def _provisions(session: Session, low: datetime, high: datetime) -> Provisions:
    rows = list(
        session.execute(
            select(Provision.route, Provision.provided).where(
                Provision.provided_at >= low, Provision.provided_at < high
            )
        )
    )
    routes = Counter(str(route) for route, _ in rows)
    foreign = sum(count for route, count in routes.items() if route not in {DOMESTIC, NONE})
    return Provisions(len(rows), sum(int(n) for _, n in rows), foreign, _sorted(routes))


def _processors(session: Session, start: date, end: date) -> Processors:
    results = Counter(
        str(r)
        for r in session.scalars(select(Assessment.result).where(Assessment.assessed_on.between(start, end)))
    )
    return Processors(sum(results.values()), _sorted(results), len(overdue_assessments(session, today=end)))


def _audits(session: Session, settings: Settings, start: date, end: date) -> Audits:
    audits = list(session.scalars(select(Audit).where(Audit.starts_on.between(start, end))))
    ids = [a.id for a in audits]
    kinds = (
        Counter(str(k) for k in session.scalars(select(Finding.kind).where(Finding.audit_id.in_(ids))))
        if ids
        else Counter()
    )
    open_actions = actions.all_actions(session, settings, today=end, open_only=True)
    return Audits(
        audits=len(audits),
        completed=sum(1 for a in audits if a.state == "completed"),
        findings_by_kind=_sorted(kinds),
        nonconformities=sum(n for k, n in kinds.items() if k.endswith("nonconformity")),
        actions_open=len(open_actions),
        actions_overdue=sum(1 for a in open_actions if a.overdue),
        actions_by_source=_sorted(Counter(str(a.source) for a in open_actions)),
    )


def _risks(session: Session, low: datetime, high: datetime, end: date) -> Risks:
    registered = reviewed = raised = lowered = 0
    history: dict[object, list[RiskRating]] = {}
    for rating in session.scalars(
        select(RiskRating).where(RiskRating.recorded_at < high).order_by(RiskRating.recorded_at)
    ):
        history.setdefault(rating.risk_id, []).append(rating)
    for rows in history.values():
        for index, row in enumerate(rows):
            if row.recorded_at < low:
                continue
            if index == 0:
                registered += 1
                continue
            reviewed += 1
            before, after = _residual(rows[index - 1]), _residual(row)
            raised += after > before
            lowered += after < before
    levels = Counter(
        str(level_of(r.residual_likelihood * r.residual_impact)) for r in session.scalars(select(Risk))
    )
    by_level = {str(level): levels.get(str(level), 0) for level in Level}
    overdue = session.scalar(select(func.count()).select_from(Risk).where(Risk.review_on < end))
    return Risks(registered, reviewed, raised, lowered, by_level, int(overdue or 0))


def _residual(rating: RiskRating) -> int:
    return Rating(rating.residual_likelihood, rating.residual_impact).score


def _training(session: Session, start: date, end: date) -> Training:
    rows = list(
        session.scalars(select(TrainingRecord).where(TrainingRecord.completed_on.between(start, end)))
    )
    passed = sum(1 for r in rows if r.passed)
    courses = Counter(r.course for r in rows)
    return Training(
        len(rows), passed, len(rows) - passed, len(training.overdue(session, today=end)), _sorted(courses)
    )
