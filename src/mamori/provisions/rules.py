"""Pure rules of provision: bases, foreign-transfer routes, retention ends, per-person verdicts.

No session and no I/O: the service loads the facts set-wise and asks these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from mamori.consents.decisions.rules import (
    CONSENT_MISSING,
    MINOR_UNENTITLED,
    PIPL_SEPARATE_MISSING,
    ConsentFact,
    PolicyFacts,
    Reason,
    SubjectFacts,
    consent_problem,
    tokyo_date,
)
from mamori.errors import InvalidTransition
from mamori.policy.schema import parse_period
from mamori.policy.sections.countries import ADEQUATE_COUNTRIES, HOME_COUNTRY

CONSENT, JOINT_USE, OPT_OUT = "consent", "joint_use", "opt_out"
RECIPIENT, GROUP_COMPANY, PROCESSOR, PROVIDER = "recipient", "group_company", "processor", "provider"
PARTY_KINDS: tuple[str, ...] = (RECIPIENT, GROUP_COMPANY, PROCESSOR, PROVIDER)
DOMESTIC, ADEQUATE, EQUIVALENT, BY_CONSENT, NONE = (
    "domestic",
    "adequate",
    "equivalent_measures",
    "consent",
    "none",
)
CONTRACT_RETENTION_YEARS, DEFAULT_RETENTION_YEARS = 1, 3

SUBJECT_ERASED = "subject_erased"
SUSPENDED = "third_party_provision_suspended"
CROSS_BORDER_MISSING = "cross_border_consent_missing"
JOINT_USE_CONSENT_MISSING = "joint_use_consent_missing"
BLOCKING_SUSPENSIONS = frozenset({"all", "third_party_provision"})


def add_years(instant: datetime, years: int) -> datetime:
    """The same moment ``years`` later (29 February becomes 28 February)."""
    try:
        return instant.replace(year=instant.year + years)
    except ValueError:
        return instant.replace(year=instant.year + years, day=28)


def retention_end(provided_at: datetime, *, contract_document: bool) -> datetime:
    """APPI Rules 21: 1 year after the provision where a contract document serves as the record, else 3."""
    years = CONTRACT_RETENTION_YEARS if contract_document else DEFAULT_RETENTION_YEARS
    return add_years(provided_at, years)


def period_after(day: date, period: str) -> date:
    """``day`` plus an ISO period such as P1Y, P6M or P180D (month ends clamp)."""
    years, months, days = parse_period(period)
    total = day.year * 12 + day.month - 1 + years * 12 + months
    year, month = divmod(total, 12)
    for clamp in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month + 1, day=clamp) + timedelta(days=days)
        except ValueError:
            continue
    raise AssertionError  # pragma: no cover - day 28 exists in every month


@dataclass(frozen=True, slots=True)
class Measures:
    """A foreign party's equivalent measures: when they were last checked and how often they must be."""

    basis: str
    checked_on: date
    interval: str

    def due(self) -> date:
        return period_after(self.checked_on, self.interval)

    def overdue(self, today: date) -> bool:
        return self.due() < today


@dataclass(frozen=True, slots=True)
class RouteVerdict:
    """How data may go to the party's country: ``route`` and, when refused, why."""

    route: str
    per_person_consent: bool = False
    problem: str | None = None
    measures_due: date | None = None  # equivalent measures whose periodic check is overdue


def foreign_route(country: str, measures: Measures | None, today: date) -> RouteVerdict:
    """APPI Art. 28: adequate country, equivalent measures checked in time, or each person's consent."""
    if country == HOME_COUNTRY:
        return RouteVerdict(DOMESTIC)
    if country in ADEQUATE_COUNTRIES:
        return RouteVerdict(ADEQUATE)
    if measures is not None and not measures.overdue(today):
        return RouteVerdict(EQUIVALENT)
    if measures is None:
        return RouteVerdict(BY_CONSENT, per_person_consent=True)
    due = measures.due()
    problem = f"the periodic check of the equivalent measures was due on {due.isoformat()}"
    return RouteVerdict(BY_CONSENT, per_person_consent=True, problem=problem, measures_due=due)


def cross_border_reason(code: str, ctx: GateContext) -> Reason:
    """The refusal for a missing route abroad: which routes failed (country, measures) and the scope."""
    details: dict[str, object] = {
        "scope": "cross_border:" + ctx.recipient_country,
        "country": ctx.recipient_country,
    }
    if ctx.route.measures_due is not None:
        details["measures_due"] = ctx.route.measures_due.isoformat()
    return Reason(CROSS_BORDER_MISSING if code == CONSENT_MISSING else code, details)


@dataclass(frozen=True, slots=True)
class JointUseTerms:
    """The joint-use items and joint users a policy version declared, and when it was made known."""

    number: int
    published_at: datetime
    effective: date
    items: frozenset[str]
    companies: frozenset[str]


def terms_at(history: Sequence[JointUseTerms], instant: datetime) -> JointUseTerms | None:
    """The joint-use terms made known when a person's data came in at ``instant``.

    The newest version published by then and in force on that day (Asia/Tokyo); data that came in
    before the first version is taken to have come in under it.
    """
    day = tokyo_date(instant)
    told = [t for t in history if t.published_at <= instant and t.effective <= day]
    if told:
        return max(told, key=lambda t: t.number)
    return min(history, key=lambda t: t.number) if history else None


def joint_use_beyond(terms: JointUseTerms | None, recipient: str, items: Iterable[str]) -> list[str]:
    """What sharing ``items`` with ``recipient`` adds to ``terms``: new items and a new joint user.

    APPI Art. 27(6): the items and the scope of joint users cannot change without the person's consent.
    """
    if terms is None:
        return []
    beyond = [] if recipient in terms.companies else [f"joint_user:{recipient}"]
    return beyond + [f"item:{item}" for item in items if item not in terms.items]


@dataclass(frozen=True, slots=True)
class GateContext:
    """What one provision asks, the same for every person in it."""

    policy: PolicyFacts
    basis: str
    recipient_key: str
    recipient_country: str
    group_company: bool
    route: RouteVerdict
    purpose_scope: str | None
    time: datetime


def consent_scopes(ctx: GateContext) -> tuple[str, ...]:
    """Consent scopes that allow a consent-based provision to this recipient."""
    scopes = ["recipient:" + ctx.recipient_key]
    if ctx.purpose_scope is not None:
        scopes.append(ctx.purpose_scope)
    return tuple(scopes)


def needed_scopes(ctx: GateContext) -> set[str]:
    """Every consent scope the verdicts of this provision may read."""
    return {*consent_scopes(ctx), "sharing", "cross_border:" + ctx.recipient_country}


def _best(scopes: Iterable[str], subject: SubjectFacts, ctx: GateContext, *, separate: bool) -> str | None:
    """None when one of ``scopes`` holds a usable consent, else the reason of the first one."""
    problems = [
        consent_problem(subject.consents.get(s), subject, ctx.policy, ctx.time, separate=separate)
        for s in scopes
    ]
    if None in problems:
        return None
    return MINOR_UNENTITLED if MINOR_UNENTITLED in problems else problems[0]


def consent_fact(subject: SubjectFacts, scopes: Iterable[str]) -> ConsentFact | None:
    """The given consent a record refers to (the first usable scope)."""
    for scope in scopes:
        state = subject.consents.get(scope)
        if state is not None and state.action == "given":
            return state
    return None


def _joint_use_refusals(
    subject: SubjectFacts, ctx: GateContext, beyond: Sequence[str], *, pipl: bool
) -> list[Reason]:
    """PIPL: a separate consent for any sharing; APPI: consent only for what goes beyond the terms."""
    scopes = ("recipient:" + ctx.recipient_key, "sharing")
    if not (pipl or beyond) or _best(scopes, subject, ctx, separate=pipl) is None:
        return []
    if pipl:
        return [Reason(PIPL_SEPARATE_MISSING, {"scope": scopes[0], "accepted": list(scopes)})]
    return [Reason(JOINT_USE_CONSENT_MISSING, {"beyond": list(beyond), "accepted": list(scopes)})]


def refusals(subject: SubjectFacts, ctx: GateContext, beyond: Sequence[str] = ()) -> list[Reason]:
    """Every reason this person's data may not go to the recipient; empty when it may.

    ``beyond`` is what a joint use adds to the terms made known when the person's data came in
    (see :func:`joint_use_beyond`): it needs their consent.
    """
    if subject.status == "erased":
        return [Reason(SUBJECT_ERASED)]
    reasons: list[Reason] = []
    hits = sorted(
        {s.scope for s in subject.suspensions if s.scope in BLOCKING_SUSPENSIONS and s.active(ctx.time)}
    )
    if hits:
        reasons.append(Reason(SUSPENDED, {"scopes": hits}))
    pipl = subject.jurisdiction == "CN"
    if ctx.basis == CONSENT:
        scopes = consent_scopes(ctx)
        code = _best(scopes, subject, ctx, separate=pipl)
        if code is not None:
            code = PIPL_SEPARATE_MISSING if pipl and code == CONSENT_MISSING else code
            reasons.append(Reason(code, {"scope": scopes[0], "accepted": list(scopes)}))
    elif ctx.basis == JOINT_USE:
        reasons += _joint_use_refusals(subject, ctx, beyond, pipl=pipl)
    if ctx.route.per_person_consent and ctx.basis in {CONSENT, JOINT_USE}:
        scope = "cross_border:" + ctx.recipient_country
        code = _best((scope,), subject, ctx, separate=pipl)
        if code is not None:
            reasons.append(cross_border_reason(code, ctx))
    return reasons


# --- sub-processors (APPI Art. 25: sub-processing needs the controller's prior approval) -------


class SubProcessorStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"  # also an approval withdrawn later


SUB_PROCESSOR_TRANSITIONS: dict[SubProcessorStatus, frozenset[SubProcessorStatus]] = {
    SubProcessorStatus.PENDING: frozenset({SubProcessorStatus.APPROVED, SubProcessorStatus.REFUSED}),
    SubProcessorStatus.APPROVED: frozenset({SubProcessorStatus.REFUSED}),
    SubProcessorStatus.REFUSED: frozenset(),
}


def check_sub_processor_transition(current: SubProcessorStatus, target: SubProcessorStatus) -> None:
    """Raise InvalidTransition unless the table allows ``current`` → ``target``."""
    if target not in SUB_PROCESSOR_TRANSITIONS[current]:
        raise InvalidTransition(
            f"a sub-processor cannot go from {current} to {target} (a refused one is registered anew)",
            details={"errors": [{"field": "status", "message": f"not allowed from {current}"}]},
        )


@dataclass(frozen=True, slots=True)
class SubProcessorFact:
    id: str
    name: str
    status: str
    duties: tuple[str, ...]
    country: str
    measures: Measures | None = None


def sub_processor_reach(
    subs: Iterable[SubProcessorFact], duty: str, today: date
) -> tuple[list[str], list[str]]:
    """The approved sub-processors data entrusted for ``duty`` may reach, and what blocks entrusting it.

    A pending sub-processor of the duty blocks (approve or refuse it first), and so does an approved
    one abroad whose foreign-transfer route has lapsed; a refused one is not to be reached at all.
    """
    reached: list[str] = []
    problems: list[str] = []
    for sub in subs:
        if duty not in sub.duties or sub.status == SubProcessorStatus.REFUSED:
            continue
        if sub.status == SubProcessorStatus.PENDING:
            problems.append(
                f"sub-processor {sub.name!r} of {duty!r} awaits approval: approve or refuse it first"
            )
            continue
        route = foreign_route(sub.country, sub.measures, today)
        if route.per_person_consent:
            why = route.problem or "no equivalent measures"
            problems.append(
                f"approved sub-processor {sub.name!r} abroad has no foreign-transfer route ({why})"
            )
            continue
        reached.append(sub.id)
    return reached, problems


# --- PIPL cross-border counters (CAC provisions of 2024, per calendar year) -------------------

NON_SENSITIVE_EXEMPT, NON_SENSITIVE_ASSESSMENT, SENSITIVE_ASSESSMENT = 100_000, 1_000_000, 10_000


def pipl_obligation(non_sensitive: int, sensitive: int) -> str:
    """``exempt``, ``standard_contract`` (or certification) or ``security_assessment``."""
    if non_sensitive >= NON_SENSITIVE_ASSESSMENT or sensitive >= SENSITIVE_ASSESSMENT:
        return "security_assessment"
    if non_sensitive >= NON_SENSITIVE_EXEMPT or sensitive > 0:
        return "standard_contract"
    return "exempt"


def tokyo_year_bounds(year: int) -> tuple[datetime, datetime]:
    """The calendar year in Asia/Tokyo as UTC instants [start, end)."""
    offset = timedelta(hours=9)
    return datetime(year, 1, 1, tzinfo=UTC) - offset, datetime(year + 1, 1, 1, tzinfo=UTC) - offset
