"""Pure rules of request cases: the state machine, who may ask, what proof they owe, what a decision needs.

No session, no I/O: the service layer feeds facts in and acts on the answers. Deadlines are in
:mod:`mamori.dsr.deadlines`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from mamori.errors import InvalidTransition


class CaseState(StrEnum):
    RECEIVED = "received"
    IDENTITY_CHECK = "identity_check"
    IN_PROGRESS = "in_progress"
    DECIDED = "decided"
    RESPONDED = "responded"
    CLOSED = "closed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


S = CaseState
TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    S.RECEIVED: frozenset({S.IDENTITY_CHECK, S.REJECTED, S.WITHDRAWN}),
    S.IDENTITY_CHECK: frozenset({S.IN_PROGRESS, S.REJECTED, S.WITHDRAWN}),
    S.IN_PROGRESS: frozenset({S.DECIDED, S.WITHDRAWN}),
    S.DECIDED: frozenset({S.RESPONDED}),
    S.RESPONDED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
# The case is over: no deadline runs, documents start their countdown to deletion.
FINAL_STATES = frozenset({S.CLOSED, S.REJECTED, S.WITHDRAWN})
OPEN_STATES = frozenset(CaseState) - FINAL_STATES


def check_transition(current: CaseState, target: CaseState) -> None:
    """Raise InvalidTransition unless the machine allows ``current`` → ``target``."""
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (the case is final)"
        raise InvalidTransition(
            f"a case cannot go from {current.value} to {target.value}; allowed: {allowed}",
            details={"state": current.value, "requested": target.value},
        )


class RequestKind(StrEnum):
    """The request types the law knows; a bundle offers some of them (``requests.types``)."""

    PURPOSE_NOTIFICATION = "purpose_notification"
    DISCLOSURE = "disclosure"
    PROVISION_RECORD_DISCLOSURE = "provision_record_disclosure"
    CORRECTION = "correction"
    UTILISATION_CEASE = "utilisation_cease"
    PROVISION_CEASE = "provision_cease"
    COPY = "copy"
    PORTABILITY = "portability"
    EXPLANATION = "explanation"
    DECEASED_NEXT_OF_KIN = "deceased_next_of_kin"


K = RequestKind
DISCLOSING = frozenset({K.DISCLOSURE, K.PROVISION_RECORD_DISCLOSURE, K.COPY, K.PORTABILITY})
# Requests answered with the records of the organisation's systems (provision records come from Mamori).
ACCESSING = frozenset({K.DISCLOSURE, K.COPY, K.PORTABILITY, K.DECEASED_NEXT_OF_KIN})


class Ground(StrEnum):
    """APPI Art. 35(1), (5): why use should stop or the data be erased."""

    UNLAWFUL_USE = "unlawful_use"
    UNLAWFUL_ACQUISITION = "unlawful_acquisition"
    NO_LONGER_NEEDED = "no_longer_needed"
    REPORTABLE_BREACH = "reportable_breach"
    RISK_TO_RIGHTS = "risk_to_rights"


class RequesterKind(StrEnum):
    SELF = "self"
    LEGAL_REPRESENTATIVE = "legal_representative"
    AGENT = "agent"
    NEXT_OF_KIN = "next_of_kin"


class Representation(StrEnum):
    MINOR = "minor"
    ADULT_WARD = "adult_ward"


class Channel(StrEnum):
    POST = "post"
    API = "api"
    WEB = "web"
    INQUIRY = "inquiry"


class DocumentKind(StrEnum):
    ID_DOCUMENT = "id_document"
    POWER_OF_ATTORNEY = "power_of_attorney"
    RELATION_PROOF = "relation_proof"
    DEATH_PROOF = "death_proof"
    OTHER = "other"


class Whose(StrEnum):
    """Whose identity a document or a check is about."""

    PERSON = "person"
    REQUESTER = "requester"


class CheckOutcome(StrEnum):
    VERIFIED = "verified"
    FAILED = "failed"


# What an agent may compare on an ID document; each only if the organisation holds it (Art. 37(2)).
MATCHABLE = ("name", "address", "date_of_birth", "email", "phone", "member_number", "photo")
MY_NUMBER_FRONT = "my_number_card_front"
REGISTERED_LOGIN = "registered_login"


@dataclass(frozen=True, slots=True)
class CheckFact:
    whose: Whose
    outcome: CheckOutcome


def missing_proof(
    kind: RequesterKind,
    representation: Representation | None,
    documents: Collection[DocumentKind],
    checks: Iterable[CheckFact],
) -> list[str]:
    """What the requester still owes before the case may go on (empty when eligible).

    The person: their own verified ID. A legal representative of a minor or an adult ward: proof of
    the relation and their own verified ID. An agent: a power of attorney, the person's verified ID
    and their own. A next of kin (PIPL Art. 49): proof of death, of the relation, and their own ID.
    """
    verified = {c.whose for c in checks if c.outcome is CheckOutcome.VERIFIED}
    needed: list[str] = []
    if kind is RequesterKind.LEGAL_REPRESENTATIVE and representation is None:
        needed.append("representation")
    wanted_documents = {
        RequesterKind.SELF: (),
        RequesterKind.LEGAL_REPRESENTATIVE: (DocumentKind.RELATION_PROOF,),
        RequesterKind.AGENT: (DocumentKind.POWER_OF_ATTORNEY,),
        RequesterKind.NEXT_OF_KIN: (DocumentKind.DEATH_PROOF, DocumentKind.RELATION_PROOF),
    }[kind]
    needed += [d.value for d in wanted_documents if d not in documents]
    if kind in {RequesterKind.SELF, RequesterKind.AGENT} and Whose.PERSON not in verified:
        needed.append("person_id")
    if kind is not RequesterKind.SELF and Whose.REQUESTER not in verified:
        needed.append("requester_id")
    return needed


def requester_problems(kind: RequesterKind, request: RequestKind, jurisdiction: str) -> list[str]:
    """Why this requester cannot file this request at all (empty when they can)."""
    problems: list[str] = []
    if (kind is RequesterKind.NEXT_OF_KIN) != (request is RequestKind.DECEASED_NEXT_OF_KIN):
        problems.append("a request of a deceased person's next of kin is filed by a next of kin only")
    if kind is RequesterKind.NEXT_OF_KIN and jurisdiction != "CN":
        problems.append("next-of-kin requests exist for people covered by PIPL only")
    return problems


class Outcome(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    REFUSED = "refused"


class Reason(StrEnum):
    """Legal grounds for not doing (all of) what was asked."""

    HARM_TO_PERSON_OR_OTHERS = "harm_to_person_or_others"  # APPI Art. 33(2)(i)
    SERIOUS_BUSINESS_HINDRANCE = "serious_business_hindrance"  # Art. 33(2)(ii)
    VIOLATES_OTHER_LAW = "violates_other_law"  # Art. 33(2)(iii)
    OTHER_LAW_PROCEDURE = "other_law_procedure"  # Art. 33(4)
    PURPOSES_EVIDENT = "purposes_evident"  # Art. 32(2), 21(4)
    NO_RETAINED_DATA = "no_retained_data"  # nothing held about the person
    DATA_ACCURATE = "data_accurate"  # Art. 34: investigated, the data is correct
    NO_GROUND = "no_ground"  # Art. 35: the ground given is not met
    ALTERNATIVE_MEASURE = "alternative_measure"  # Art. 35(2), (6) proviso: costly, alternative taken
    PIPL_LEGAL_EXCEPTION = "pipl_legal_exception"  # PIPL Art. 18, 35, 47
    DECEASED_ARRANGED_OTHERWISE = "deceased_arranged_otherwise"  # PIPL Art. 49


R = Reason
_ANY = frozenset(RequestKind)
REASONS_FOR: dict[Reason, frozenset[RequestKind]] = {
    R.HARM_TO_PERSON_OR_OTHERS: DISCLOSING | {K.DECEASED_NEXT_OF_KIN},
    R.SERIOUS_BUSINESS_HINDRANCE: DISCLOSING | {K.DECEASED_NEXT_OF_KIN},
    R.VIOLATES_OTHER_LAW: DISCLOSING | {K.DECEASED_NEXT_OF_KIN},
    R.OTHER_LAW_PROCEDURE: DISCLOSING,
    R.PURPOSES_EVIDENT: frozenset({K.PURPOSE_NOTIFICATION}),
    R.NO_RETAINED_DATA: _ANY,
    R.DATA_ACCURATE: frozenset({K.CORRECTION, K.DECEASED_NEXT_OF_KIN}),
    R.NO_GROUND: frozenset({K.UTILISATION_CEASE, K.PROVISION_CEASE}),
    R.ALTERNATIVE_MEASURE: frozenset({K.UTILISATION_CEASE, K.PROVISION_CEASE}),
    R.PIPL_LEGAL_EXCEPTION: _ANY,
    R.DECEASED_ARRANGED_OTHERWISE: frozenset({K.DECEASED_NEXT_OF_KIN}),
}


class RejectReason(StrEnum):
    """Why a case ends before any decision on its substance."""

    AGENT_WITHOUT_POWER_OF_ATTORNEY = "agent_without_power_of_attorney"
    IDENTITY_NOT_VERIFIED = "identity_not_verified"
    RELATION_NOT_PROVEN = "relation_not_proven"
    NOT_ELIGIBLE = "not_eligible"
    INCOMPLETE = "incomplete"


def decision_problems(request: RequestKind, outcome: Outcome, reasons: Collection[Reason]) -> list[str]:
    """Why a decision is not valid: a refusal without reasons (Art. 36) or a reason that does not fit."""
    problems: list[str] = []
    if outcome is Outcome.FULL and reasons:
        problems.append("a full decision gives no refusal reasons")
    if outcome is not Outcome.FULL and not reasons:
        problems.append("a partial or refused decision must give at least one reason (APPI Art. 36)")
    problems += [
        f"reason {reason.value} does not apply to a {request.value} request"
        for reason in reasons
        if request not in REASONS_FOR[reason]
    ]
    return problems


def fee_for(request: RequestKind, fees: dict[str, int]) -> int:
    """The fee in yen, zero for every type the law lets no fee be charged for."""
    return fees.get(request.value, 0)


def effects_of(request: RequestKind, outcome: Outcome, *, erasure: bool) -> tuple[str, ...]:
    """What an accepted (fully or partly) request sets off: a suspension and/or fulfillment work.

    ``suspend`` stops use in Mamori's decisions (all use, or third-party provision); ``access``
    (the search whose records the letter discloses), ``correct`` and ``erase`` are work for the
    organisation's systems (fulfillment).
    """
    if outcome is Outcome.REFUSED:
        return ()
    if request in ACCESSING:
        return ("access",)
    if request is K.UTILISATION_CEASE:
        return ("suspend", "erase") if erasure else ("suspend",)
    if request is K.PROVISION_CEASE:
        return ("suspend",)
    if request is K.CORRECTION:
        return ("correct",)
    return ()


# A case whose decision is made (and possibly answered or closed) is the basis of a fulfillment run.
RUNNABLE_STATES = frozenset({S.DECIDED, S.RESPONDED, S.CLOSED})


def runnable_actions(
    state: CaseState, request: RequestKind, outcome: str | None, *, erasure: bool
) -> tuple[str, ...]:
    """The fulfillment actions a case allows: those its accepted decision sets off, else none.

    Access for disclosure, copy and portability; correct for a correction; suspend (and erase,
    when asked) for a cease request. An undecided, refused, rejected or withdrawn case allows none.
    """
    if state not in RUNNABLE_STATES or outcome not in {o.value for o in Outcome}:
        return ()
    return effects_of(request, Outcome(outcome), erasure=erasure)
