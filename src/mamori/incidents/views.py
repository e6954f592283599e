"""What a reader sees of an incident: facts, reportability with reasons, clocks, closing blockers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from mamori.calendar.service import appi_calendar
from mamori.db.base import utcnow
from mamori.incidents import repository as repo
from mamori.incidents.clocks import Clock, ClockCode, attention_order, clocks
from mamori.incidents.messages import explain, label
from mamori.incidents.models import Incident
from mamori.incidents.rules import ActionStatus, ClosingFacts, State, closing_problems
from mamori.incidents.schemas import ClockRead, DeadlineRead, IncidentCreate, IncidentRead, ReasonRead
from mamori.incidents.service import assessment_of, bundle, facts_from, facts_of
from mamori.policy.schema import PolicyBundle


def incident_clocks(
    session: Session,
    incident: Incident,
    policy: PolicyBundle | None = None,
    done: dict[ClockCode, datetime] | None = None,
) -> tuple[Clock, ...]:
    """The incident's clocks; ``done`` (from :func:`repository.done_times_of`) saves its queries."""
    policy = policy or bundle(session)
    facts = facts_of(incident)
    return clocks(
        appi_calendar(), facts, assessment_of(facts, policy), policy.incidents,
        reportable_since=incident.reportable_since,
        done=repo.done_times(session, incident.id) if done is None else done,
    )  # fmt: skip


def clock_read(clock: Clock, now: datetime, lang: str = "en") -> ClockRead:
    return ClockRead(
        code=str(clock.code), name=label(clock.code, lang), starts_on=clock.starts_on, due_on=clock.due_on,
        due_at=clock.due_at, days=clock.days, hours=clock.hours, status=str(clock.status(now)),
        done_at=clock.done_at,
    )  # fmt: skip


def closing_blockers(session: Session, incident: Incident) -> list[str]:
    """Stable codes of what stops the incident from closing now."""
    done = repo.done_times(session, incident.id)
    filed = frozenset((r.authority, r.stage) for r in repo.reports(session, incident.id) if r.filed_at)
    facts = ClosingFacts(
        assessment=assessment_of(facts_of(incident), bundle(session)),
        filed=filed,
        individuals_told=ClockCode.INDIVIDUALS in done,
        actions=tuple(ActionStatus(a.status) for a in repo.actions(session, incident.id)),
    )
    return closing_problems(facts)


def incident_view(
    session: Session, incident: Incident, *, now: datetime | None = None, lang: str = "en"
) -> IncidentRead:
    now = now or utcnow()
    policy = bundle(session)
    facts = facts_of(incident)
    assessment = assessment_of(facts, policy)
    running = attention_order([(c, None) for c in incident_clocks(session, incident, policy)], now)
    open_ = State(incident.state) in {State.OPEN, State.CONTAINED}
    return IncidentRead(
        id=incident.id, reference=incident.reference, state=incident.state, kind=incident.kind,
        certainty=incident.certainty, occurred_at=incident.occurred_at, known_at=incident.known_at,
        facts=dict(incident.facts), reportable=incident.reportable,
        reportable_since=incident.reportable_since,
        triggers=[str(t) for t in assessment.triggers],
        reasons=[ReasonRead.model_validate(r) for r in explain(assessment, policy)],
        clocks=[clock_read(clock, now, lang) for clock, _ in running],
        subjects=len(repo.linked(session, incident.id)),
        closing_blockers=closing_blockers(session, incident) if open_ else [],
        created_at=incident.created_at, closed_at=incident.closed_at,
    )  # fmt: skip


def deadlines(
    session: Session, *, now: datetime | None = None, include_done: bool = False
) -> list[DeadlineRead]:
    """Every clock of every incident still open, overdue first, then by expiry.

    The done times of all of them are read in a few batched queries, not three per incident.
    """
    now = now or utcnow()
    policy = bundle(session)
    open_ = [
        i
        for state in (State.OPEN, State.CONTAINED)
        for i in repo.incidents(session, state=state, limit=10_000)
    ]
    done = repo.done_times_of(session, [i.id for i in open_])
    pairs = [(clock, i) for i in open_ for clock in incident_clocks(session, i, policy, done[i.id])]
    ordered = attention_order(pairs, now)
    return [
        DeadlineRead(incident_id=incident.id, reference=incident.reference, clock=clock_read(clock, now))
        for clock, incident in ordered
        if include_done or clock.done_at is None
    ]


@dataclass(frozen=True, slots=True)
class DraftAssessment:
    """What registering these facts would answer: reportable or not, why, and the clocks that would run."""

    reportable: bool
    reasons: list[ReasonRead]
    clocks: list[ClockRead]


def assess_draft(
    session: Session, data: IncidentCreate, *, now: datetime | None = None, lang: str = "en"
) -> DraftAssessment:
    """The reportability answer for facts being typed into a form; nothing is stored or audited.

    The same rules as :func:`mamori.incidents.service.register_incident` (which validates the facts
    and refuses wrong ones); here unknown items simply do not count.
    """
    now = now or utcnow()
    policy = bundle(session)
    facts = facts_from(data)
    assessment = assessment_of(facts, policy)
    running = clocks(appi_calendar(), facts, assessment, policy.incidents)
    return DraftAssessment(
        reportable=assessment.reportable,
        reasons=[ReasonRead.model_validate(r) for r in explain(assessment, policy)],
        clocks=[clock_read(clock, now, lang) for clock in running],
    )
