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

    def test_admin_has_everything(self) -> None:
        assert ROLE_SCOPES[Role.ADMIN] == frozenset(Scope)
