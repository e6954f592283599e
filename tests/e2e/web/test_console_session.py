"""The console's session cookie: signed, expiring, bound to the password, refused when forged."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.security.service import set_password
from mamori.web.staff import SESSION_SECONDS, safe_next, session_value, user_of
from tests.factories.inquiries import create_staff


class TestSessionCookie:
    def test_a_fresh_cookie_names_its_user(self, session: Session, settings: Settings) -> None:
        user = create_staff(session, "sato")
        assert user_of(session, settings, session_value(settings, user)) is user

    @pytest.mark.parametrize("tamper", ["", "x.y", "not-a-uuid.1.abc"])
    def test_garbage_is_refused(self, session: Session, settings: Settings, tamper: str) -> None:
        create_staff(session, "sato")
        assert user_of(session, settings, tamper) is None

    def test_a_changed_signature_is_refused(self, session: Session, settings: Settings) -> None:
        value = session_value(settings, create_staff(session, "sato"))
        forged = value[:-1] + ("0" if value[-1] != "0" else "1")
        assert user_of(session, settings, forged) is None

    def test_another_key_does_not_verify(self, session: Session, settings: Settings) -> None:
        value = session_value(settings, create_staff(session, "sato"))
        other = settings.model_copy(
            update={"secret_key": settings.secret_key.__class__("another-key-0123456789")}
        )
        assert user_of(session, other, value) is None

    def test_it_expires_after_a_working_day(self, session: Session, settings: Settings) -> None:
        user = create_staff(session, "sato")
        issued = time.time() - SESSION_SECONDS - 1
        assert user_of(session, settings, session_value(settings, user, now=issued)) is None

    def test_a_new_password_ends_old_sessions(self, session: Session, settings: Settings) -> None:
        user = create_staff(session, "sato")
        value = session_value(settings, user)
        set_password(session, actor="test", username="sato", password="another-long-password")
        assert user_of(session, settings, value) is None

    def test_a_disabled_user_is_refused(self, session: Session, settings: Settings) -> None:
        user = create_staff(session, "sato")
        value = session_value(settings, user)
        user.active = False
        assert user_of(session, settings, value) is None


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [("/console/inquiries", "/console/inquiries"), ("https://evil.example/", "/console"),
     ("//evil.example/console", "/console"), ("/console\\@evil", "/console"), (None, "/console")],
)  # fmt: skip
def test_only_console_paths_are_followed_after_login(wanted: str | None, expected: str) -> None:
    assert safe_next(wanted) == expected
