from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from mamori.audit.service import list_events
from mamori.db.base import utcnow
from mamori.errors import Conflict, NotFound, Unauthenticated, ValidationFailed
from mamori.security import service
from mamori.security.rules import ROLE_SCOPES, Role, Scope

PASSWORD = "correct horse battery"


def _user(session: Session, name: str = "hanako", role: Role = Role.AGENT) -> None:
    service.add_user(session, actor="test", username=name, display_name=name, role=role, password=PASSWORD)


class TestAddUser:
    def test_password_is_hashed_with_argon2_and_audited(self, session: Session) -> None:
        _user(session)
        user = service.get_user_by_username(session, "hanako")
        assert user is not None
        assert user.password_hash.startswith("$argon2")
        assert PASSWORD not in user.password_hash
        event = next(e for e in list_events(session, limit=1000) if e.action == "user.added")
        assert PASSWORD not in event.details

    def test_duplicate_and_short_password(self, session: Session) -> None:
        _user(session)
        with pytest.raises(Conflict):
            _user(session)
        with pytest.raises(ValidationFailed):
            service.add_user(
                session, actor="t", username="x", display_name="x", role=Role.AGENT, password="short"
            )


class TestAuthenticatePassword:
    def test_right_and_wrong(self, session: Session) -> None:
        _user(session)
        assert service.authenticate_password(session, "hanako", PASSWORD).username == "hanako"
        with pytest.raises(Unauthenticated):
            service.authenticate_password(session, "hanako", "wrong password!")


class TestTokens:
    def test_issue_authenticate_revoke(self, session: Session) -> None:
        _user(session, role=Role.AUDITOR)
        issued = service.create_token(session, actor="test", username="hanako", name="t")
        assert issued.secret.startswith("mam_")
        assert issued.token.digest != issued.secret
        principal = service.authenticate_token(session, issued.secret)
        assert principal.scopes == ROLE_SCOPES[Role.AUDITOR]
        assert Scope.AUDIT_READ in principal.scopes
        service.revoke_token(session, actor="test", token_id=str(issued.token.id))
        with pytest.raises(Unauthenticated):
            service.authenticate_token(session, issued.secret)

    def test_expired(self, session: Session) -> None:
        _user(session)
        issued = service.create_token(
            session, actor="t", username="hanako", name="t", valid_for=timedelta(days=1)
        )
        with pytest.raises(Unauthenticated, match="expired"):
            service.authenticate_token(session, issued.secret, now=utcnow() + timedelta(days=2))

    def test_scope_beyond_role_and_unknown_user(self, session: Session) -> None:
        _user(session)
        with pytest.raises(ValidationFailed):
            service.create_token(session, actor="t", username="hanako", name="t", scopes={Scope.AUDIT_READ})
        with pytest.raises(NotFound):
            service.create_token(session, actor="t", username="nobody", name="t")


class TestTokenCappedByRole:
    def test_a_scope_the_role_no_longer_grants_is_not_carried(self, session: Session) -> None:
        _user(session, "ken", Role.ENGINEER)
        issued = service.create_token(session, actor="t", username="ken", name="old")
        # as written before runs moved to fulfillment:run: the token still lists it
        issued.token.scopes = [*issued.token.scopes, Scope.FULFILLMENT_RUN.value, "retired:scope"]
        session.flush()
        principal = service.authenticate_token(session, issued.secret)
        assert Scope.FULFILLMENT_RUN not in principal.scopes
        assert principal.scopes == ROLE_SCOPES[Role.ENGINEER]
