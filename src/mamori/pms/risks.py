"""The risk register: risks per ledger dataset and life-cycle stage, rated, with measures and owner."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.errors import NotFound
from mamori.pms import common
from mamori.pms.models import Risk, RiskRating
from mamori.pms.rules import Rating, Stage, next_review, rating_problems
from mamori.policy.schema import PolicyBundle


@dataclass(frozen=True, slots=True)
class RiskInput:
    system: str
    dataset: str
    stage: str
    description: str
    owner: str
    likelihood: int
    impact: int
    residual_likelihood: int
    residual_impact: int
    measures: list[str] = field(default_factory=list)
    review_on: date | None = None


@dataclass(frozen=True, slots=True)
class RatingInput:
    likelihood: int
    impact: int
    residual_likelihood: int
    residual_impact: int
    measures: list[str] | None = None
    review_on: date | None = None


def _ledger_problems(bundle: PolicyBundle, data: RiskInput) -> list[dict[str, str]]:
    problems: list[dict[str, str]] = []
    system = next((s for s in bundle.datamap if s.id == data.system), None)
    if system is None:
        problems.append({"field": "system", "message": f"no system {data.system!r} in the data map"})
    elif system.dataset(data.dataset) is None:
        problems.append({"field": "dataset", "message": f"no dataset {data.dataset!r} in {data.system}"})
    if data.stage not in set(Stage):
        problems.append({"field": "stage", "message": f"must be one of {', '.join(Stage)}"})
    if not data.description.strip():
        problems.append({"field": "description", "message": "is empty"})
    if not data.owner.strip():
        problems.append({"field": "owner", "message": "is empty"})
    return problems


def _measure_problems(bundle: PolicyBundle, measures: list[str]) -> list[dict[str, str]]:
    known = {measure.id for measure in bundle.safety_measures}
    return [
        {"field": "measures", "message": f"no safety measure {ident!r} in the policy"}
        for ident in measures
        if ident not in known
    ]


def register_risk(session: Session, *, actor: str, data: RiskInput) -> Risk:
    """Add a risk. Raises ValidationFailed (unknown dataset, stage or measure; rating off the scale)."""
    bundle = common.bundle(session)
    inherent = Rating(data.likelihood, data.impact)
    residual = Rating(data.residual_likelihood, data.residual_impact)
    common.refuse(
        _ledger_problems(bundle, data)
        + _measure_problems(bundle, data.measures)
        + rating_problems(inherent, residual),
        "the risk",
    )
    today = common.today()
    risk = Risk(
        id=uuid.uuid4(),
        system=data.system,
        dataset=data.dataset,
        stage=data.stage,
        description=data.description.strip(),
        owner=data.owner.strip(),
        likelihood=inherent.likelihood,
        impact=inherent.impact,
        residual_likelihood=residual.likelihood,
        residual_impact=residual.impact,
        measures=list(data.measures),
        review_on=data.review_on or next_review(today, residual),
        created_by=actor,
    )
    session.add(risk)
    _append_rating(session, actor, risk, today)
    common.audit(session, actor, "pms.risk_registered", "pms_risk", str(risk.id), _facts(risk))
    return risk


def rate_risk(session: Session, *, actor: str, risk_id: uuid.UUID, data: RatingInput) -> Risk:
    """Review a risk: a new rating (kept beside the earlier ones), measures and next review date."""
    risk = get_risk(session, risk_id)
    inherent = Rating(data.likelihood, data.impact)
    residual = Rating(data.residual_likelihood, data.residual_impact)
    measures = risk.measures if data.measures is None else data.measures
    common.refuse(
        _measure_problems(common.bundle(session), measures) + rating_problems(inherent, residual),
        "the rating",
    )
    before = _facts(risk)
    today = common.today()
    risk.likelihood, risk.impact = inherent.likelihood, inherent.impact
    risk.residual_likelihood, risk.residual_impact = residual.likelihood, residual.impact
    risk.measures = list(measures)
    risk.review_on = data.review_on or next_review(today, residual)
    _append_rating(session, actor, risk, today)
    after = _facts(risk)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    common.audit(session, actor, "pms.risk_rated", "pms_risk", str(risk.id), changes)
    return risk


def _append_rating(session: Session, actor: str, risk: Risk, today: date) -> None:
    session.add(
        RiskRating(
            id=uuid.uuid4(),
            risk_id=risk.id,
            likelihood=risk.likelihood,
            impact=risk.impact,
            residual_likelihood=risk.residual_likelihood,
            residual_impact=risk.residual_impact,
            measures=list(risk.measures),
            rated_on=today,
            actor=actor,
        )
    )
    session.flush()


def _facts(risk: Risk) -> dict[str, object]:
    return {
        "dataset": f"{risk.system}.{risk.dataset}",
        "stage": risk.stage,
        "score": risk.likelihood * risk.impact,
        "residual_score": risk.residual_likelihood * risk.residual_impact,
        "measures": list(risk.measures),
        "owner": risk.owner,
        "review_on": risk.review_on.isoformat(),
    }


def get_risk(session: Session, risk_id: uuid.UUID) -> Risk:
    risk = session.get(Risk, risk_id)
    if risk is None:
        raise NotFound(f"no risk {risk_id}")
    return risk


def list_risks(session: Session, *, overdue_on: date | None = None) -> list[Risk]:
    """Every risk by dataset and stage; with ``overdue_on``, only those whose review date is before it."""
    stmt = select(Risk)
    if overdue_on is not None:
        stmt = stmt.where(Risk.review_on < overdue_on)
    order = {str(stage): index for index, stage in enumerate(Stage)}
    return sorted(
        session.scalars(stmt), key=lambda r: (r.system, r.dataset, order.get(r.stage, 9), r.created_at)
    )


def ratings(session: Session, risk_id: uuid.UUID) -> list[RiskRating]:
    stmt = select(RiskRating).where(RiskRating.risk_id == risk_id).order_by(RiskRating.recorded_at)
    return list(session.scalars(stmt))


def assessed(session: Session) -> set[tuple[str, str, str]]:
    """(system, dataset, stage) of every risk registered."""
    return {
        (r.system, r.dataset, r.stage) for r in session.execute(select(Risk.system, Risk.dataset, Risk.stage))
    }
