"""The console's server-side sessions: random tokens, idle and absolute limits, revocation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.security.rules import Role
from mamori.security.service import change_role, set_active, set_password
from mamori.security.sessions import end_session, limits_of, resolve_session, start_session
from mamori.web.staff import safe_next
from tests.factories.inquiries import create_staff


class TestSessions:
    def test_a_fresh_session_names_its_user_and_only_a_digest_is_kept(
        self, session: Session, settings: Settings
    ) -> None:
        user = create_staff(session, "sato")
        started = start_session(session, user)
        row = resolve_session(session, started.token, limits_of(settings))
        assert row is not None
        assert row.user is user
        assert started.token not in row.digest

    @pytest.mark.parametrize("token", ["", "x.y", "not-a-session", None])
    def test_garbage_is_refused(self, session: Session, settings: Settings, token: str | None) -> None:
        start_session(session, create_staff(session, "sato"))
        assert resolve_session(session, token, limits_of(settings)) is None

    def test_each_sign_in_gets_its_own_token(self, session: Session) -> None:
        user = create_staff(session, "sato")
        assert start_session(session, user).token != start_session(session, user).token

    def test_it_ends_after_the_absolute_limit_however_busy(
        self, session: Session, settings: Settings
    ) -> None:
        user = create_staff(session, "sato")
        start = utcnow()
        started = start_session(session, user, now=start)
        limits = limits_of(settings)
        for minutes in range(10, 12 * 60, 10):  # used every ten minutes all day
            assert resolve_session(session, started.token, limits, now=start + timedelta(minutes=minutes))
        assert resolve_session(session, started.token, limits, now=start + timedelta(hours=12)) is None

    def test_it_ends_when_idle(self, session: Session, settings: Settings) -> None:
        started = start_session(session, create_staff(session, "sato"))
        later = utcnow() + timedelta(seconds=settings.console_idle_seconds + 1)
        assert resolve_session(session, started.token, limits_of(settings), now=later) is None

    def test_logout_revokes_it(self, session: Session, settings: Settings) -> None:
        started = start_session(session, create_staff(session, "sato"))
        assert end_session(session, started.token) is not None
        assert resolve_session(session, started.token, limits_of(settings)) is None
        assert end_session(session, started.token) is None  # twice is harmless

    @pytest.mark.parametrize(
        "change",
        [
            lambda s: set_password(s, actor="test", username="sato", password="another-long-password"),
            lambda s: set_active(s, actor="test", username="sato", active=False),
            lambda s: change_role(s, actor="test", username="sato", role=Role.AUDITOR),
        ],
        ids=["password", "disabled", "role"],
    )
    def test_an_account_change_ends_every_session(
        self, session: Session, settings: Settings, change: Callable[[Session], object]
    ) -> None:
        user = create_staff(session, "sato")
        tokens = [start_session(session, user).token for _ in range(2)]
        change(session)
        assert [resolve_session(session, t, limits_of(settings)) for t in tokens] == [None, None]


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("/console/inquiries", "/console/inquiries"),
        ("https://evil.example/", "/console"),
        ("//evil.example/console", "/console"),
        ("/console\\@evil", "/console"),
        (None, "/console"),
    ],
)
def test_only_console_paths_are_followed_after_login(wanted: str | None, expected: str) -> None:
    assert safe_next(wanted) == expected
