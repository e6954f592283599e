from __future__ import annotations

import pytest

from mamori.security.rules import ROLE_SCOPES, Role, Scope, scopes_allowed


class TestScopesAllowed:
    def test_role_default(self) -> None:
        assert scopes_allowed(Role.AUDITOR, None) == ROLE_SCOPES[Role.AUDITOR]

    def test_subset(self) -> None:
        assert scopes_allowed(Role.PRIVACY_OFFICER, {Scope.POLICY_READ}) == {Scope.POLICY_READ}

    def test_beyond_role_refused(self) -> None:
        with pytest.raises(ValueError, match="users:admin"):
            scopes_allowed(Role.AGENT, {Scope.USERS_ADMIN})

    def test_admin_has_everything_but_break_glass(self) -> None:
        assert ROLE_SCOPES[Role.ADMIN] == frozenset(Scope) - {Scope.FULFILLMENT_BREAK_GLASS}


class TestFulfillmentDuties:
    """Legal item 7: the roles that decide cases start their runs; break-glass is the officer's alone."""

    @pytest.mark.parametrize("role", list(Role))
    def test_the_roles_that_decide_cases_start_their_runs(self, role: Role) -> None:
        decides = Scope.REQUESTS_WRITE in ROLE_SCOPES[role]
        assert (Scope.FULFILLMENT_RUN in ROLE_SCOPES[role]) == decides

    def test_only_the_privacy_officer_breaks_glass(self) -> None:
        assert [r for r in Role if Scope.FULFILLMENT_BREAK_GLASS in ROLE_SCOPES[r]] == [Role.PRIVACY_OFFICER]
