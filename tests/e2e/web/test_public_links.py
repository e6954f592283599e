"""Links in mails come from MAMORI_PUBLIC_BASE_URL, never from the Host header of whoever asked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.dsr.service import decide
from mamori.notify.models import OutboundMessage
from mamori.notify.service import BODY_CONTEXT
from mamori.policy.service import publish_bundle
from mamori.security.crypto import cipher_from_settings
from mamori.security.rules import Role
from mamori.security.service import add_user, create_token
from tests.e2e.web.clients import client_on
from tests.factories.dsr import case_in_progress, held_nowhere_else

PUBLIC = "https://privacy.example.jp"
EVIL = "evil.example"
FORM = {
    "request_type": "disclosure",
    "name": "山田 花子",
    "email": "hanako@example.jp",
    "response_method": "electronic",
}


def _bodies(session: Session, settings: Settings) -> list[str]:
    cipher = cipher_from_settings(settings)
    return [
        cipher.decrypt(message.body_encrypted, context=BODY_CONTEXT)
        for message in session.scalars(select(OutboundMessage))
    ]


def _links(bodies: list[str]) -> list[str]:
    return [link for body in bodies for link in re.findall(r"https?://\S+", body)]


class TestRequestFormLink:
    def test_the_confirmation_link_ignores_a_forged_host_header(
        self, session: Session, settings: Settings
    ) -> None:
        publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
        settings = settings.model_copy(update={"public_base_url": PUBLIC})
        with client_on(session, settings) as client:
            sent = client.post("/requests/new?lang=en", data=FORM, headers={"Host": EVIL})
        assert sent.status_code == 200, sent.text
        [link] = _links(_bodies(session, settings))
        assert link.startswith(f"{PUBLIC}/requests/confirm/")
        assert EVIL not in link


class TestDownloadLink:
    def test_the_api_download_link_ignores_a_forged_host_header(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        settings = settings.model_copy(update={"public_base_url": PUBLIC, "files_dir": tmp_path / "files"})
        publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
        add_user(session, actor="t", username="officer", display_name="o", role=Role.PRIVACY_OFFICER,
                 password="x" * 12)  # fmt: skip
        token = create_token(session, actor="t", username="officer", name="t").secret
        case = case_in_progress(session, settings, response_method="electronic")
        decide(session, actor="user:officer", case_id=case.id, outcome="full", settings=settings)
        held_nowhere_else(session, case)  # no data map to search in the default bundle
        with client_on(session, settings) as client:
            sent = client.post(
                f"/api/v1/requests/{case.id}/deliveries",
                json={"method": "electronic"},
                headers={"Host": EVIL, "Authorization": f"Bearer {token}"},
            )
        assert sent.status_code == 201, sent.text
        [link] = _links(_bodies(session, settings))
        assert link.startswith(f"{PUBLIC}/requests/download/")

    def test_requests_send_links_to_the_public_base_url(
        self, fresh_database_url: str, tmp_path: Path
    ) -> None:
        files = tmp_path / "files"
        settings = Settings(  # type: ignore[call-arg]
            database_url=fresh_database_url, mail_backend="null", files_dir=files, _env_file=None
        )
        engine = make_engine(fresh_database_url)
        try:
            with unit_of_work(make_session_factory(engine)) as session:
                publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
                case = case_in_progress(session, settings, response_method="electronic")
                decide(session, actor="user:officer", case_id=case.id, outcome="full", settings=settings)
                held_nowhere_else(session, case)  # no data map to search in the default bundle
                reference = case.reference
            env = {**os.environ, "MAMORI_DATABASE_URL": fresh_database_url, "MAMORI_MAIL_BACKEND": "null",
                   "MAMORI_FILES_DIR": str(tmp_path / "files"), "MAMORI_PUBLIC_BASE_URL": PUBLIC}  # fmt: skip
            done = subprocess.run(
                [sys.executable, "-m", "mamori", "requests", "send", reference, "--method", "electronic"],
                capture_output=True, text=True, env=env, timeout=180, check=False,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            with unit_of_work(make_session_factory(engine)) as session:
                [link] = _links(_bodies(session, settings))
        finally:
            engine.dispose()
        assert link.startswith(f"{PUBLIC}/requests/download/")
