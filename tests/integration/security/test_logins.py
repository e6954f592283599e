"""Sign-in with a password: lockout with an injected clock, and what the audit log keeps."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.errors import Unauthenticated
from mamori.security.logins import name_hmac, sign_in
from mamori.security.models import LoginThrottle
from mamori.security.service import set_active
from tests.factories.inquiries import PASSWORD, create_staff

WRONG = "wrong-password-123"


def _events(session: Session, action: str) -> list[dict[str, object]]:
    rows = session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
    return [json.loads(row.details) for row in rows]


def _fail(session: Session, settings: Settings, name: str, password: str = WRONG, **kw: object) -> None:
    with pytest.raises(Unauthenticated, match="unknown user or wrong password"):
        sign_in(session, settings, name, password, **kw)  # type: ignore[arg-type]


class TestSignIn:
    def test_the_right_password_starts_a_session_and_clears_the_count(
        self, session: Session, settings: Settings
    ) -> None:
        create_staff(session, "sato")
        _fail(session, settings, "sato")
        started = sign_in(session, settings, "sato", PASSWORD, user_agent="Firefox")
        assert started.row.user.username == "sato"
        assert session.get(LoginThrottle, name_hmac(settings, "sato")) is None
        assert _events(session, "user.logged_in")[-1]["session"] == str(started.row.id)

    def test_locked_then_open_again_when_the_period_ends(self, session: Session, settings: Settings) -> None:
        create_staff(session, "sato")
        start = utcnow()
        for second in range(settings.login_max_failures):
            _fail(session, settings, "sato", now=start + timedelta(seconds=second))
        _fail(session, settings, "sato", PASSWORD, now=start + timedelta(minutes=14))
        locked_out = _events(session, "user.locked_out")
        assert len(locked_out) == 1
        assert locked_out[0]["failures"] == settings.login_max_failures
        assert _events(session, "user.login_failed")[-1]["reason"] == "locked"
        later = start + timedelta(seconds=4 + settings.login_lockout_seconds)
        assert sign_in(session, settings, "sato", PASSWORD, now=later).row.user.username == "sato"

    def test_a_disabled_user_cannot_sign_in_with_the_right_password(
        self, session: Session, settings: Settings
    ) -> None:
        create_staff(session, "sato")
        set_active(session, actor="test", username="sato", active=False)
        _fail(session, settings, "sato", PASSWORD)

    def test_the_typed_name_is_kept_as_a_keyed_hash_and_its_length(
        self, session: Session, settings: Settings
    ) -> None:
        user = create_staff(session, "sato")
        _fail(session, settings, "my secret password!")
        _fail(session, settings, "sato")
        unknown, known = _events(session, "user.login_failed")[-2:]
        assert unknown == {"name_hmac": name_hmac(settings, "my secret password!"), "name_length": 19,
                           "reason": "wrong_credentials"}  # fmt: skip
        assert known["user_id"] == str(user.id)
        other = settings.model_copy(
            update={"secret_key": settings.secret_key.__class__("another-key-0123456789")}
        )
        assert name_hmac(other, "sato") != name_hmac(settings, "sato")  # keyed: no dictionary of names

    def test_old_counts_are_forgotten(self, session: Session, settings: Settings) -> None:
        start = utcnow()
        _fail(session, settings, "typo-one", now=start)
        _fail(
            session,
            settings,
            "typo-two",
            now=start + timedelta(seconds=settings.login_failure_window_seconds),
        )
        kept = set(session.scalars(select(LoginThrottle.name_hmac)))
        assert kept == {name_hmac(settings, "typo-two")}


def test_two_failures_at_once_both_count(fresh_database_url: str) -> None:
    """The first failure of a name, twice at the same moment: no error, and the count is 2."""
    settings = Settings(database_url=fresh_database_url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with unit_of_work(factory) as other:
                _fail(other, settings, "hanako")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    with unit_of_work(factory) as first:
        _fail(first, settings, "hanako")
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)  # the second one now waits for this transaction
    thread.join(timeout=60)
    with unit_of_work(factory) as check:
        row = check.get(LoginThrottle, name_hmac(settings, "hanako"))
        assert row is not None
        assert row.failures == 2
    engine.dispose()
    assert errors == []
