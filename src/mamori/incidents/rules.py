"""Pure rules of incidents: the facts, PPC and PIPL reportability, the lifecycle and what closing needs.

Reportability follows APPI Art. 26 and Rules 7 (1)-(4): a leak, loss or damage, actual or suspected,
is reportable to the PPC when special-care data is involved, when there is a risk of financial loss,
when an unlawful purpose is suspected (insiders, attackers, processors; data being acquired counts
too), or when more than 1,000 persons are affected, counting the possible maximum. Data that was all
under advanced encryption is exempt. Every answer names the triggers that fired with stable codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mamori.errors import InvalidTransition

PERSONS_THRESHOLD = 1000  # Rule 7 (4): "more than 1,000"


class Kind(StrEnum):
    LEAK = "leak"
    LOSS = "loss"
    DAMAGE = "damage"


class Certainty(StrEnum):
    ACTUAL = "actual"
    SUSPECTED = "suspected"


class UnlawfulPurpose(StrEnum):
    INSIDER = "insider"
    ATTACKER = "attacker"
    PROCESSOR = "processor"


class Trigger(StrEnum):
    SPECIAL_CARE = "special_care"
    FINANCIAL_LOSS = "financial_loss"
    UNLAWFUL_PURPOSE = "unlawful_purpose"
    OVER_THRESHOLD = "over_1000_persons"


class Exemption(StrEnum):
    ADVANCED_ENCRYPTION = "advanced_encryption"


@dataclass(frozen=True, slots=True)
class Facts:
    """What is known about an incident; no personal data (counts, ids and flags only)."""

    kind: Kind
    certainty: Certainty
    known_at: datetime
    occurred_at: datetime | None = None
    data_items: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()
    persons_known: int = 0
    persons_max: int = 0
    advanced_encryption: bool = False
    unlawful_purpose: UnlawfulPurpose | None = None
    financial_loss_risk: bool = False
    acquiring_data_affected: bool = False
    jurisdictions: tuple[str, ...] = ("JP",)
    pipl_major: bool = False


@dataclass(frozen=True, slots=True)
class Fired:
    """One trigger that fired, with what made it fire (item ids, the count, the suspected actor)."""

    trigger: Trigger
    items: tuple[str, ...] = ()
    count: int | None = None
    actor: UnlawfulPurpose | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    """The answer: reportable to the PPC or not, which triggers fired, and whether an exemption applied.

    ``fired`` lists the triggers even when the encryption exemption makes them moot, so the reader sees
    what would have applied.
    """

    reportable: bool
    fired: tuple[Fired, ...]
    exemption: Exemption | None
    notify_individuals: bool
    pipl_notice: bool

    @property
    def triggers(self) -> tuple[Trigger, ...]:
        return tuple(f.trigger for f in self.fired)


def assess(facts: Facts, *, special_care: Iterable[str], financial_items: Iterable[str]) -> Assessment:
    """Reportability of ``facts`` given the bundle's special-care and financial-loss item ids.

    The individuals must be told whenever the PPC must be (Art. 26(2)). PIPL Art. 57 asks a notice
    to the authority and the people for any incident touching people in China, with no threshold.
    """
    fired = _fired(facts, frozenset(special_care), frozenset(financial_items))
    exemption = Exemption.ADVANCED_ENCRYPTION if facts.advanced_encryption else None
    reportable = bool(fired) and exemption is None
    pipl = "CN" in facts.jurisdictions and exemption is None
    return Assessment(reportable, fired, exemption, notify_individuals=reportable, pipl_notice=pipl)


def _fired(facts: Facts, special_care: frozenset[str], financial: frozenset[str]) -> tuple[Fired, ...]:
    fired: list[Fired] = []
    if sensitive := tuple(i for i in facts.data_items if i in special_care):
        fired.append(Fired(Trigger.SPECIAL_CARE, items=sensitive))
    money = tuple(i for i in facts.data_items if i in financial)
    if money or facts.financial_loss_risk:
        fired.append(Fired(Trigger.FINANCIAL_LOSS, items=money))
    if facts.unlawful_purpose is not None:
        fired.append(Fired(Trigger.UNLAWFUL_PURPOSE, actor=facts.unlawful_purpose))
    counted = max(facts.persons_known, facts.persons_max)
    if counted > PERSONS_THRESHOLD:
        fired.append(Fired(Trigger.OVER_THRESHOLD, count=counted))
    return tuple(fired)


@dataclass(frozen=True, slots=True)
class FactProblem:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


def fact_problems(
    facts: Facts, *, known_items: Iterable[str], known_systems: Iterable[str] | None = None
) -> list[FactProblem]:
    """Every reason the facts cannot be accepted, each naming its field.

    ``known_systems`` are the data map's system ids; None (no data map in the bundle) accepts any id.
    """
    problems: list[FactProblem] = []
    if facts.known_at.tzinfo is None or (facts.occurred_at and facts.occurred_at.tzinfo is None):
        problems.append(FactProblem("known_at", "times need a time zone (ISO 8601 with an offset)"))
        return problems
    if facts.occurred_at is not None and facts.known_at < facts.occurred_at:
        problems.append(FactProblem("known_at", "is before the incident occurred (occurred_at)"))
    if facts.persons_known < 0:
        problems.append(FactProblem("persons_known", "cannot be negative"))
    if facts.persons_max < 0:
        problems.append(FactProblem("persons_max", "cannot be negative"))
    elif facts.persons_max < facts.persons_known:
        problems.append(FactProblem("persons_max", "cannot be below the number known (persons_known)"))
    known = frozenset(known_items)
    for index, item in enumerate(facts.data_items):
        if item not in known:
            problems.append(FactProblem(f"data_items[{index}]", f"{item!r} is not a data item of the policy"))
    if known_systems is not None:
        systems = frozenset(known_systems)
        problems += [
            FactProblem(f"systems[{i}]", f"{system!r} is not a system of the data map")
            for i, system in enumerate(facts.systems)
            if system not in systems
        ]
    problems += [
        FactProblem(f"jurisdictions[{i}]", "must be JP or CN")
        for i, code in enumerate(facts.jurisdictions)
        if code not in {"JP", "CN"}
    ]
    if not facts.jurisdictions:
        problems.append(FactProblem("jurisdictions", "at least one of JP, CN"))
    return problems


class State(StrEnum):
    OPEN = "open"
    CONTAINED = "contained"
    CLOSED = "closed"
    DISMISSED = "dismissed"


TRANSITIONS: dict[State, frozenset[State]] = {
    State.OPEN: frozenset({State.CONTAINED, State.CLOSED, State.DISMISSED}),
    State.CONTAINED: frozenset({State.OPEN, State.CLOSED}),
    State.CLOSED: frozenset({State.OPEN}),
    State.DISMISSED: frozenset({State.OPEN}),
}
EDITABLE = frozenset({State.OPEN, State.CONTAINED})


def check_transition(current: State, target: State) -> None:
    """Raise InvalidTransition unless the table allows ``current`` → ``target``."""
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise InvalidTransition(
            f"an incident cannot go from {current} to {target} (allowed: {allowed})",
            details={"errors": [{"field": "state", "message": f"not allowed from {current}"}]},
        )


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    ACCEPTED = "accepted"  # the remaining risk is accepted by the privacy office


ACTION_TRANSITIONS: dict[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.OPEN: frozenset({ActionStatus.DONE, ActionStatus.ACCEPTED}),
    ActionStatus.DONE: frozenset({ActionStatus.OPEN}),
    ActionStatus.ACCEPTED: frozenset({ActionStatus.OPEN}),
}


def check_action_transition(current: ActionStatus, target: ActionStatus) -> None:
    if target not in ACTION_TRANSITIONS[current]:
        raise InvalidTransition(
            f"a corrective action cannot go from {current} to {target}",
            details={"errors": [{"field": "status", "message": f"not allowed from {current}"}]},
        )


@dataclass(frozen=True, slots=True)
class ClosingFacts:
    """What closing looks at: the assessment, filed reports, notices given, action statuses."""

    assessment: Assessment
    filed: frozenset[tuple[str, str]]  # (authority, stage)
    individuals_told: bool
    actions: tuple[ActionStatus, ...]


def closing_problems(facts: ClosingFacts) -> list[str]:
    """Stable codes of what still stops the incident from closing (empty: it may close)."""
    problems = []
    if facts.assessment.reportable and ("ppc", "final") not in facts.filed:
        problems.append("ppc_final_report_not_filed")
    if facts.assessment.pipl_notice and not any(authority == "pipl" for authority, _ in facts.filed):
        problems.append("pipl_report_not_filed")
    if facts.assessment.notify_individuals and not facts.individuals_told:
        problems.append("individuals_not_notified")
    if any(status == ActionStatus.OPEN for status in facts.actions):
        problems.append("actions_open")
    return problems
