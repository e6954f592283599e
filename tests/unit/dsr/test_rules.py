"""The case state machine and the eligibility and decision rules."""

from __future__ import annotations

import itertools

import pytest

from mamori.dsr.rules import (
    FINAL_STATES,
    TRANSITIONS,
    CaseState,
    CheckFact,
    CheckOutcome,
    DocumentKind,
    Outcome,
    Reason,
    Representation,
    RequesterKind,
    RequestKind,
    Whose,
    check_transition,
    decision_problems,
    effects_of,
    fee_for,
    missing_proof,
    requester_problems,
)
from mamori.errors import InvalidTransition

S = CaseState
HAPPY_PATH = [S.RECEIVED, S.IDENTITY_CHECK, S.IN_PROGRESS, S.DECIDED, S.RESPONDED, S.CLOSED]
PERSON_OK = CheckFact(Whose.PERSON, CheckOutcome.VERIFIED)
REQUESTER_OK = CheckFact(Whose.REQUESTER, CheckOutcome.VERIFIED)


class TestStateMachine:
    def test_the_happy_path_is_allowed_step_by_step(self) -> None:
        for current, target in itertools.pairwise(HAPPY_PATH):
            check_transition(current, target)

    @pytest.mark.parametrize(("current", "target"), list(itertools.product(CaseState, CaseState)))
    def test_every_pair_is_allowed_exactly_when_the_table_says_so(self, current: S, target: S) -> None:
        if target in TRANSITIONS[current]:
            check_transition(current, target)
        else:
            with pytest.raises(InvalidTransition, match=f"from {current.value} to {target.value}"):
                check_transition(current, target)

    def test_final_states_lead_nowhere_and_every_open_state_can_end(self) -> None:
        assert all(not TRANSITIONS[state] for state in FINAL_STATES)
        for state in set(CaseState) - FINAL_STATES:
            reached, frontier = {state}, {state}
            while frontier:
                frontier = {n for s in frontier for n in TRANSITIONS[s]} - reached
                reached |= frontier
            assert reached & FINAL_STATES, state

    def test_a_decided_case_can_no_longer_be_withdrawn(self) -> None:
        with pytest.raises(InvalidTransition):
            check_transition(S.DECIDED, S.WITHDRAWN)


class TestMissingProof:
    def test_the_person_needs_their_own_verified_id(self) -> None:
        assert missing_proof(RequesterKind.SELF, None, set(), []) == ["person_id"]
        assert missing_proof(RequesterKind.SELF, None, set(), [PERSON_OK]) == []

    def test_a_failed_check_proves_nothing(self) -> None:
        failed = CheckFact(Whose.PERSON, CheckOutcome.FAILED)
        assert missing_proof(RequesterKind.SELF, None, set(), [failed]) == ["person_id"]

    def test_an_agent_needs_a_power_of_attorney_the_persons_id_and_their_own(self) -> None:
        assert missing_proof(RequesterKind.AGENT, None, set(), []) == [
            "power_of_attorney",
            "person_id",
            "requester_id",
        ]
        docs = {DocumentKind.POWER_OF_ATTORNEY}
        assert missing_proof(RequesterKind.AGENT, None, docs, [PERSON_OK, REQUESTER_OK]) == []

    def test_an_agent_with_every_id_but_no_power_of_attorney_is_not_eligible(self) -> None:
        assert missing_proof(RequesterKind.AGENT, None, set(), [PERSON_OK, REQUESTER_OK]) == [
            "power_of_attorney"
        ]

    @pytest.mark.parametrize("representation", list(Representation))
    def test_a_legal_representative_proves_the_relation(self, representation: Representation) -> None:
        kind = RequesterKind.LEGAL_REPRESENTATIVE
        assert missing_proof(kind, representation, set(), [REQUESTER_OK]) == ["relation_proof"]
        assert missing_proof(kind, representation, {DocumentKind.RELATION_PROOF}, [REQUESTER_OK]) == []

    def test_a_legal_representative_must_say_whom_they_represent(self) -> None:
        docs = {DocumentKind.RELATION_PROOF}
        assert missing_proof(RequesterKind.LEGAL_REPRESENTATIVE, None, docs, [REQUESTER_OK]) == [
            "representation"
        ]

    def test_next_of_kin_prove_the_death_and_the_relation(self) -> None:
        assert missing_proof(RequesterKind.NEXT_OF_KIN, None, set(), [REQUESTER_OK]) == [
            "death_proof",
            "relation_proof",
        ]


class TestRequesterProblems:
    def test_next_of_kin_requests_are_pipl_only_and_by_next_of_kin_only(self) -> None:
        kin, deceased = RequesterKind.NEXT_OF_KIN, RequestKind.DECEASED_NEXT_OF_KIN
        assert requester_problems(kin, deceased, "CN") == []
        assert requester_problems(kin, deceased, "JP") != []
        assert requester_problems(RequesterKind.SELF, deceased, "CN") != []
        assert requester_problems(kin, RequestKind.DISCLOSURE, "CN") != []


class TestDecisionProblems:
    def test_a_refusal_needs_a_reason(self) -> None:
        assert decision_problems(RequestKind.DISCLOSURE, Outcome.REFUSED, []) != []

    def test_a_full_decision_gives_none(self) -> None:
        assert decision_problems(RequestKind.DISCLOSURE, Outcome.FULL, []) == []
        assert decision_problems(RequestKind.DISCLOSURE, Outcome.FULL, [Reason.NO_GROUND]) != []

    def test_reasons_must_fit_the_request(self) -> None:
        harm = [Reason.HARM_TO_PERSON_OR_OTHERS]
        assert decision_problems(RequestKind.DISCLOSURE, Outcome.PARTIAL, harm) == []
        assert decision_problems(RequestKind.CORRECTION, Outcome.REFUSED, harm) == [
            "reason harm_to_person_or_others does not apply to a correction request"
        ]


class TestEffectsAndFees:
    def test_accepted_cease_requests_suspend_and_erasure_adds_fulfillment_work(self) -> None:
        cease = RequestKind.UTILISATION_CEASE
        assert effects_of(cease, Outcome.FULL, erasure=False) == ("suspend",)
        assert effects_of(cease, Outcome.PARTIAL, erasure=True) == ("suspend", "erase")
        assert effects_of(RequestKind.PROVISION_CEASE, Outcome.FULL, erasure=False) == ("suspend",)
        assert effects_of(RequestKind.CORRECTION, Outcome.FULL, erasure=False) == ("correct",)
        assert effects_of(cease, Outcome.REFUSED, erasure=True) == ()
        assert effects_of(RequestKind.DISCLOSURE, Outcome.PARTIAL, erasure=False) == ("access",)
        assert effects_of(RequestKind.DECEASED_NEXT_OF_KIN, Outcome.FULL, erasure=False) == ("access",)
        assert effects_of(RequestKind.PROVISION_RECORD_DISCLOSURE, Outcome.FULL, erasure=False) == ()
        assert effects_of(RequestKind.DISCLOSURE, Outcome.REFUSED, erasure=False) == ()

    def test_fees_only_for_the_types_that_carry_one(self) -> None:
        fees = {"disclosure": 1000}
        assert fee_for(RequestKind.DISCLOSURE, fees) == 1000
        assert fee_for(RequestKind.CORRECTION, fees) == 0
