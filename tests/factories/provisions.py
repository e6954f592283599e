"""Provisions, parties and officers for the provisions tests, made through the real services."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.provisions.gate import ProvisionOutcome, ProvisionRequest, provide
from mamori.security.models import StaffUser

OFFICER = "officer.sato"
ITEMS = ("name", "address")


def create_officer(session: Session, *, username: str = OFFICER, role: str = "privacy_officer") -> StaffUser:
    """A staff user who may approve exceptions (no password needed by these tests)."""
    user = StaffUser(username=username, display_name=username, role=role, password_hash="-")
    session.add(user)
    session.flush()
    return user


def make_provision(  # noqa: PLR0913 - every field defaulted
    session: Session,
    settings: Settings,
    subjects: Sequence[uuid.UUID],
    *,
    recipient: str = "sample_credit_bureau",
    basis: str = "consent",
    items: Sequence[str] = ITEMS,
    justification: str | None = None,
    approved_by: str | None = None,
    now: datetime | None = None,
) -> ProvisionOutcome:
    request = ProvisionRequest(
        recipient=recipient,
        subjects=list(subjects),
        items=list(items),
        basis=basis,
        justification=justification,
        approved_by=approved_by,
    )
    return provide(session, settings, actor="test", request=request, now=now)
