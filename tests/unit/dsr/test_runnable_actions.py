"""Which fulfillment actions a case allows: those its accepted decision sets off, nothing else."""

from __future__ import annotations

import pytest

from mamori.dsr.rules import CaseState, RequestKind, runnable_actions

K = RequestKind


class TestRunnableActions:
    @pytest.mark.parametrize(
        ("request_kind", "erasure", "actions"),
        [
            (K.DISCLOSURE, False, ("access",)),
            (K.COPY, False, ("access",)),
            (K.PORTABILITY, False, ("access",)),
            (K.CORRECTION, False, ("correct",)),
            (K.UTILISATION_CEASE, False, ("suspend",)),
            (K.UTILISATION_CEASE, True, ("suspend", "erase")),
            (K.PROVISION_CEASE, False, ("suspend",)),
            (K.PURPOSE_NOTIFICATION, False, ()),
        ],
    )
    @pytest.mark.parametrize("state", [CaseState.DECIDED, CaseState.RESPONDED, CaseState.CLOSED])
    @pytest.mark.parametrize("outcome", ["full", "partial"])
    def test_an_accepted_case_allows_what_it_asked_for(
        self,
        request_kind: RequestKind,
        erasure: bool,
        actions: tuple[str, ...],
        state: CaseState,
        outcome: str,
    ) -> None:
        assert runnable_actions(state, request_kind, outcome, erasure=erasure) == actions

    @pytest.mark.parametrize("state", list(CaseState))
    def test_a_refused_or_undecided_case_allows_nothing(self, state: CaseState) -> None:
        assert runnable_actions(state, K.DISCLOSURE, "refused", erasure=False) == ()
        assert runnable_actions(state, K.DISCLOSURE, None, erasure=False) == ()

    @pytest.mark.parametrize(
        "state",
        [
            CaseState.RECEIVED,
            CaseState.IDENTITY_CHECK,
            CaseState.IN_PROGRESS,
            CaseState.REJECTED,
            CaseState.WITHDRAWN,
        ],
    )
    def test_a_case_not_decided_allows_nothing_whatever_its_outcome_field(self, state: CaseState) -> None:
        assert runnable_actions(state, K.DISCLOSURE, "full", erasure=False) == ()
