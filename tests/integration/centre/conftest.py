"""An outbox whose messages a test can read back, and settings with the test's own files folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mamori.config import Settings
from mamori.notify.backends import NullBackend
from mamori.notify.models import OutboundMessage
from mamori.notify.service import BODY_CONTEXT, Outbox
from mamori.security.crypto import cipher_from_settings


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=database_url, mail_backend="null", files_dir=tmp_path / "files", _env_file=None
    )


@pytest.fixture
def outbox(session: Session, settings: Settings) -> Outbox:
    return Outbox(
        session_factory=sessionmaker(bind=session.get_bind()),
        backend=NullBackend(),
        cipher=cipher_from_settings(settings),
        sender="privacy@example.jp",
        dispatch_on_commit=False,
    )


def mails(session: Session, settings: Settings, purpose: str) -> list[tuple[str, str]]:
    """(subject, clear body) of the queued messages of ``purpose``, oldest first."""
    cipher = cipher_from_settings(settings)
    rows = session.scalars(
        select(OutboundMessage).where(OutboundMessage.purpose == purpose).order_by(OutboundMessage.created_at)
    )
    return [(row.subject, cipher.decrypt(row.body_encrypted, context=BODY_CONTEXT)) for row in rows]
