"""Inquiries and staff for tests, made through the real services (encrypted, audited)."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.inquiries.intake import NewInquiry, open_inquiry
from mamori.inquiries.models import Inquiry
from mamori.security.models import StaffUser
from mamori.security.rules import Role
from mamori.security.service import add_user, get_user_by_username
from tests.factories.subjects import ensure_policy

_serial = itertools.count(1)
PASSWORD = "correct-horse-battery"


def create_inquiry(  # noqa: PLR0913 - one argument per fact of an inquiry
    session: Session,
    settings: Settings,
    *,
    channel: str = "email",
    language: str = "ja",
    category: str = "other",
    message: str = "ポイントカードの登録内容を確認したいです。",
    name: str | None = "山田 花子",
    email: str | None = "hanako@example.jp",
    phone: str | None = None,
    subject_id: uuid.UUID | None = None,
    received_at: datetime | None = None,
    client_address: str | None = None,
) -> Inquiry:
    """An inquiry in state ``new`` under the default policy (published first if needed)."""
    ensure_policy(session)
    new = NewInquiry(
        channel=channel, language=language, category=category, message=message, name=name, email=email,
        phone=phone, subject_id=subject_id, received_at=received_at, client_address=client_address,
    )  # fmt: skip
    return open_inquiry(session, settings, "test", new)


def create_staff(session: Session, username: str | None = None, role: Role = Role.AGENT) -> StaffUser:
    """A staff user with the password :data:`PASSWORD` (reused when the name exists)."""
    username = username or f"agent{next(_serial)}"
    existing = get_user_by_username(session, username)
    if existing is not None:
        return existing
    return add_user(
        session, actor="test", username=username, display_name=username, role=role, password=PASSWORD
    )
