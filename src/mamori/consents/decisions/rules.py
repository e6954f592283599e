"""May this subject's items be used for this purpose now? Pure rules: no session, no I/O.

The same rules are evaluated set-wise in SQL by :mod:`mamori.consents.decisions.audiences`;
both read their time arithmetic from the helpers here (:func:`period_cutoff`, :func:`minor_threshold`)
so that a decision and an audience always agree.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

from mamori.consents.rules import CONTACT_CHANNELS
from mamori.policy.changes.history import Baseline, PurposeBaselines
from mamori.policy.schema import PolicyBundle, PurposeFlag, parse_period

TOKYO_OFFSET = timedelta(hours=9)  # Asia/Tokyo has no daylight saving time
LEGAL_REPRESENTATIVES = frozenset({"legal_representative_minor", "legal_representative_ward"})
SHARING_FLAGS = frozenset({PurposeFlag.JOINT_USE.value, PurposeFlag.THIRD_PARTY_PROVISION.value})

PURPOSE_UNKNOWN = "purpose_unknown"
NOT_DECLARED = "purpose_not_declared_for_subject"
ITEM_NOT_IN_PURPOSE = "item_not_in_purpose"
CONSENT_MISSING = "consent_missing"
CONSENT_WITHDRAWN = "consent_withdrawn"
CONSENT_EXPIRED = "consent_expired"
SUSPENDED = "suspended"
RETENTION_EXPIRED = "retention_expired"
SUBJECT_ERASED = "subject_erased"
PIPL_SEPARATE_MISSING = "pipl_separate_consent_missing"
MINOR_UNENTITLED = "minor_consent_unentitled"
CONSENT_PREDATES_CHANGE = "consent_predates_change"
COLLECTED_BEFORE_CHANGE = "collected_before_change"
CHANNEL_WITHDRAWN = "channel_withdrawn"
REASON_CODES = (
    PURPOSE_UNKNOWN,
    NOT_DECLARED,
    ITEM_NOT_IN_PURPOSE,
    CONSENT_MISSING,
    CONSENT_WITHDRAWN,
    CONSENT_EXPIRED,
    SUSPENDED,
    RETENTION_EXPIRED,
    SUBJECT_ERASED,
    PIPL_SEPARATE_MISSING,
    MINOR_UNENTITLED,
    CONSENT_PREDATES_CHANGE,
    COLLECTED_BEFORE_CHANGE,
)


@dataclass(frozen=True, slots=True)
class PurposeInfo:
    """What the rules need of one purpose, precomputed once per policy version."""

    id: str
    category: str
    items: frozenset[str]
    consent_required: bool
    retention: str
    period: tuple[int, int, int]
    sharing: bool
    countries: tuple[str, ...] = ()
    camera: bool = False
    # The version that last widened the purpose: a consent given before it does not cover it.
    consent_since: Baseline | None = None
    # The version of its last needs_consent change: data collected before needs a consent since.
    data_since: Baseline | None = None


@dataclass(frozen=True, slots=True)
class PolicyFacts:
    version: int
    purposes: Mapping[str, PurposeInfo]
    data_items: frozenset[str]
    sensitive_items: frozenset[str]
    minor_age: Mapping[str, int]

    @classmethod
    def of(cls, bundle: PolicyBundle, version: int, history: PurposeBaselines | None = None) -> PolicyFacts:
        """The rules' view of a bundle; ``history`` says which purposes earlier versions widened."""
        history = history or PurposeBaselines({}, {})
        purposes = {
            p.id: PurposeInfo(
                id=p.id,
                category=category.id,
                items=frozenset(p.items),
                consent_required=p.consent_required,
                retention=p.retention,
                period=parse_period(p.retention),
                sharing=bool(SHARING_FLAGS.intersection(p.flags)),
                countries=tuple(p.countries),
                camera=PurposeFlag.CAMERA_IMAGES in p.flags,
                consent_since=history.consent.get(p.id),
                data_since=history.data.get(p.id),
            )
            for category in bundle.subject_categories
            for p in category.purposes
        }
        return cls(
            version=version,
            purposes=purposes,
            data_items=frozenset(item.id for item in bundle.data_items),
            sensitive_items=frozenset(item.id for item in bundle.data_items if item.pipl_sensitive),
            minor_age={str(k): v for k, v in bundle.consent_rules.minor_age.items()},
        )


@dataclass(frozen=True, slots=True)
class ConsentFact:
    """The current state of one consent scope (the latest event)."""

    scope: str
    action: str
    occurred_at: datetime
    expires_at: datetime | None = None
    separate: bool = False
    on_behalf_by_id: uuid.UUID | None = None
    version: int | None = None  # the policy version it was given under (None: not recorded)


@dataclass(frozen=True, slots=True)
class SuspensionFact:
    id: uuid.UUID
    scope: str
    starts_at: datetime
    ends_at: datetime | None = None
    lifted_at: datetime | None = None

    def active(self, time: datetime) -> bool:
        return (
            self.starts_at <= time
            and (self.ends_at is None or self.ends_at > time)
            and (self.lifted_at is None or self.lifted_at > time)
        )


@dataclass(frozen=True, slots=True)
class RelationshipFact:
    """``related_subject_id`` acts for the subject as ``kind`` from ``valid_from`` to ``valid_until``."""

    related_subject_id: uuid.UUID
    kind: str
    valid_from: date
    valid_until: date | None = None

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    id: uuid.UUID
    status: str = "active"
    jurisdiction: str = "JP"
    date_of_birth: date | None = None
    categories: Mapping[str, datetime] = field(default_factory=dict)
    consents: Mapping[str, ConsentFact] = field(default_factory=dict)
    suspensions: tuple[SuspensionFact, ...] = ()
    relationships: tuple[RelationshipFact, ...] = ()


@dataclass(frozen=True, slots=True)
class DecisionContext:
    policy: PolicyFacts
    subject: SubjectFacts
    purpose_id: str
    items: tuple[str, ...]
    time: datetime


class Reason(NamedTuple):  # tuples: refusals build several per call, and decisions must be cheap
    code: str
    details: Mapping[str, Any] = MappingProxyType({})


class Decision(NamedTuple):
    allowed: bool
    reasons: tuple[Reason, ...] = ()


ALLOWED = Decision(allowed=True)


# --- time arithmetic shared with the SQL of audiences ----------------------------------------


def _minus_years_months(day: date, years: int, months: int) -> date:
    total = day.year * 12 + (day.month - 1) - years * 12 - months
    year, month = divmod(total, 12)
    if year < 1:
        return date.min
    for clamp in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month + 1, day=clamp)
        except ValueError:
            continue
    raise AssertionError  # pragma: no cover - day 28 exists in every month


def period_cutoff(time: datetime, period: tuple[int, int, int]) -> datetime:
    """``time`` minus an ISO period: data collected before the cutoff is past its retention."""
    return time - _shift(time.date(), period)


@lru_cache(maxsize=4096)
def _shift(day: date, period: tuple[int, int, int]) -> timedelta:
    # The calendar part depends on the day only, so it is cached (decisions call this a lot).
    years, months, days = period
    moved = _minus_years_months(day, years, months) if years or months else day
    return (day - moved) + timedelta(days=days)


def tokyo_date(instant: datetime) -> date:
    """The calendar day in Asia/Tokyo of an aware instant."""
    if instant.tzinfo is not UTC:
        instant = instant.astimezone(UTC)
    return (instant + TOKYO_OFFSET).date()


@lru_cache(maxsize=65536)
def minor_threshold(day: date, age: int) -> date:
    """Persons born after this day are younger than ``age`` on ``day`` (29 Feb falls to 28 Feb)."""
    return _minus_years_months(day, age, 0)


def is_minor(date_of_birth: date | None, day: date, age: int | None) -> bool:
    return date_of_birth is not None and age is not None and date_of_birth > minor_threshold(day, age)


# --- merges ----------------------------------------------------------------------------------


def _rank(state: ConsentFact) -> tuple[datetime, bool]:
    # The latest state wins; on an exact tie a withdrawal or expiry beats a consent (caution).
    return (state.occurred_at, state.action != "given")


def latest_states(states: Iterable[ConsentFact]) -> dict[str, ConsentFact]:
    """Per scope, the state that counts among several (a survivor and the subjects merged into it)."""
    chosen: dict[str, ConsentFact] = {}
    for state in states:
        held = chosen.get(state.scope)
        if held is None or _rank(state) > _rank(held):
            chosen[state.scope] = state
    return chosen


def merge_categories(rows: Iterable[tuple[str, datetime]]) -> dict[str, datetime]:
    """Per category, the latest collection (a newer collection restarts the retention clock)."""
    merged: dict[str, datetime] = {}
    for category, collected_at in rows:
        held = merged.get(category)
        if held is None or collected_at > held:
            merged[category] = collected_at
    return merged


# --- the decision ----------------------------------------------------------------------------


def decide(ctx: DecisionContext) -> Decision:
    """Every reason that refuses the use, or an allowed decision when there is none."""
    purpose = ctx.policy.purposes.get(ctx.purpose_id)
    if purpose is None:
        return Decision(allowed=False, reasons=(Reason(PURPOSE_UNKNOWN, {"purpose": ctx.purpose_id}),))
    subject = ctx.subject
    if subject.status == "erased":
        return Decision(allowed=False, reasons=(Reason(SUBJECT_ERASED, {"subject": str(subject.id)}),))
    reasons: list[Reason] = []
    _declared(purpose, subject, ctx.time, reasons)
    if ctx.items and not purpose.items.issuperset(ctx.items):
        reasons.extend(
            Reason(ITEM_NOT_IN_PURPOSE, {"item": item, "purpose": purpose.id})
            for item in ctx.items
            if item not in purpose.items
        )
    _consented(purpose, ctx, reasons)
    return Decision(allowed=False, reasons=tuple(reasons)) if reasons else ALLOWED


def _consented(purpose: PurposeInfo, ctx: DecisionContext, reasons: list[Reason]) -> None:
    subject = ctx.subject
    if purpose.consent_required:
        scope = "purpose:" + purpose.id
        state = subject.consents.get(scope)
        code = consent_problem(state, subject, ctx.policy, ctx.time, separate=False)
        if code is not None:
            reasons.append(Reason(code, {"scope": scope}))
        elif purpose.consent_since is not None and not covers(purpose.consent_since, state):
            reasons.append(
                Reason(CONSENT_PREDATES_CHANGE, {"scope": scope, "version": purpose.consent_since.version})
            )
        _channels(purpose, ctx, reasons)
    elif purpose.data_since is not None:
        _collected_before_change(purpose, purpose.data_since, ctx, reasons)
    if subject.suspensions:
        _suspended(purpose, subject, ctx.time, reasons)
    if subject.jurisdiction == "CN":
        for scopes in pipl_requirements(purpose, ctx.items, ctx.policy):
            code = separate_problem(scopes, subject, ctx.policy, ctx.time)
            if code is not None:
                reasons.append(Reason(code, {"scope": scopes[0], "accepted": list(scopes)}))


def _channels(purpose: PurposeInfo, ctx: DecisionContext, reasons: list[Reason]) -> None:
    """A use of a contact item (e-mail, address, phone) whose channel the person withdrew for this purpose."""
    for channel, item in CONTACT_CHANNELS.items():
        if item in ctx.items:
            scope = f"channel:{purpose.id}:{channel}"
            state = ctx.subject.consents.get(scope)
            if state is not None and state.action == "withdrawn" and state.occurred_at <= ctx.time:
                reasons.append(Reason(CHANNEL_WITHDRAWN, {"scope": scope, "item": item}))


def covers(baseline: Baseline, state: ConsentFact | None) -> bool:
    """Whether a consent saw the version that changed the purpose."""
    return state is not None and baseline.covers(state.version, state.occurred_at)


def _collected_before_change(
    purpose: PurposeInfo, baseline: Baseline, ctx: DecisionContext, reasons: list[Reason]
) -> None:
    """APPI Art. 18(1): data collected before an unrelated change is used for it only with consent."""
    collected = ctx.subject.categories.get(purpose.category)
    if collected is None or collected >= baseline.since:
        return
    scope = "purpose:" + purpose.id
    state = ctx.subject.consents.get(scope)
    code = consent_problem(state, ctx.subject, ctx.policy, ctx.time, separate=False)
    if code is None and covers(baseline, state):
        return
    details = {"purpose": purpose.id, "scope": scope, "version": baseline.version}
    reasons.append(Reason(CONSENT_PREDATES_CHANGE if code is None else COLLECTED_BEFORE_CHANGE, details))


def _declared(purpose: PurposeInfo, subject: SubjectFacts, time: datetime, reasons: list[Reason]) -> None:
    collected = subject.categories.get(purpose.category)
    if collected is None:
        details = {"purpose": purpose.id, "category": purpose.category}
        reasons.append(Reason(NOT_DECLARED, details))
    elif collected < period_cutoff(time, purpose.period):
        details = {"purpose": purpose.id, "category": purpose.category, "retention": purpose.retention}
        reasons.append(Reason(RETENTION_EXPIRED, details))


def suspension_scopes(purpose: PurposeInfo) -> frozenset[str]:
    """The suspension scopes that stop ``purpose``."""
    scopes = {"all", "purpose:" + purpose.id}
    if purpose.sharing:
        scopes.add("third_party_provision")
    return frozenset(scopes)


def _suspended(purpose: PurposeInfo, subject: SubjectFacts, time: datetime, reasons: list[Reason]) -> None:
    covering = suspension_scopes(purpose)
    hits = [s for s in subject.suspensions if s.scope in covering and s.active(time)]
    if hits:
        details = {"scopes": sorted({s.scope for s in hits}), "suspensions": sorted(str(s.id) for s in hits)}
        reasons.append(Reason(SUSPENDED, details))


def pipl_requirements(
    purpose: PurposeInfo, items: Iterable[str], policy: PolicyFacts
) -> list[tuple[str, ...]]:
    """Separate consents a CN subject needs: each entry lists the scopes that satisfy it."""
    needed: list[tuple[str, ...]] = []
    if purpose.sharing:
        needed.append(("sharing", "purpose:" + purpose.id))
    needed.extend(("cross_border:" + country,) for country in purpose.countries)
    if any(item in policy.sensitive_items for item in items):
        needed.append(("sensitive",))
    if purpose.camera:
        needed.append(("camera",))
    return needed


def consent_problem(
    state: ConsentFact | None, subject: SubjectFacts, policy: PolicyFacts, time: datetime, *, separate: bool
) -> str | None:
    """Why ``state`` cannot be relied on at ``time`` (None: it can)."""
    if state is None or (state.action == "given" and state.occurred_at > time):
        return CONSENT_MISSING
    if state.action == "withdrawn":
        return CONSENT_WITHDRAWN
    if state.action != "given" or (state.expires_at is not None and state.expires_at <= time):
        return CONSENT_EXPIRED
    if separate and not state.separate:
        return CONSENT_MISSING
    if not entitled(state, subject, policy):
        return MINOR_UNENTITLED
    return None


def separate_problem(
    scopes: tuple[str, ...], subject: SubjectFacts, policy: PolicyFacts, time: datetime
) -> str | None:
    """None if one of ``scopes`` holds a usable separate consent; else the reason code."""
    problems = [
        consent_problem(subject.consents.get(scope), subject, policy, time, separate=True) for scope in scopes
    ]
    if None in problems:
        return None
    return MINOR_UNENTITLED if MINOR_UNENTITLED in problems else PIPL_SEPARATE_MISSING


def entitled(state: ConsentFact, subject: SubjectFacts, policy: PolicyFacts) -> bool:
    """An adult's own consent, or a minor's given by a legal representative valid on that day."""
    day = tokyo_date(state.occurred_at)
    if not is_minor(subject.date_of_birth, day, policy.minor_age.get(subject.jurisdiction)):
        return True
    by = state.on_behalf_by_id
    return by is not None and any(
        r.related_subject_id == by and r.kind in LEGAL_REPRESENTATIVES and r.valid_on(day)
        for r in subject.relationships
    )
