"""Request cases for tests, opened through the real service (encrypted, audited)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.dsr.models import Case
from mamori.dsr.rules import RequesterKind
from mamori.dsr.schemas import RequesterIn
from mamori.dsr.service import (
    decide,
    open_case,
    record_held_nowhere_else,
    record_identity_check,
    transition_case,
)
from tests.factories.subjects import ensure_policy

ADDRESS = "〒224-0001 神奈川県横浜市都筑区中川1-2-3"


def requester(
    kind: RequesterKind = RequesterKind.SELF,
    *,
    name: str = "山田 花子",
    email: str | None = "hanako@example.jp",
    address: str | None = ADDRESS,
    representation: str | None = None,
) -> RequesterIn:
    return RequesterIn(kind=kind, name=name, email=email, address=address, representation=representation)


def create_case(  # noqa: PLR0913 - every attribute defaulted
    session: Session,
    settings: Settings,
    *,
    request_type: str = "disclosure",
    who: RequesterIn | None = None,
    subject_id: uuid.UUID | None = None,
    channel: str = "post",
    language: str = "ja",
    response_method: str = "post",
    ground: str | None = None,
    erasure: bool = False,
    jurisdiction: str | None = None,
    received_at: datetime | None = None,
    inquiry_id: uuid.UUID | None = None,
) -> Case:
    ensure_policy(session)
    return open_case(
        session,
        actor="user:agent",
        request_type=request_type,
        channel=channel,
        language=language,
        subject_id=subject_id,
        requester=who or requester(),
        inquiry_id=inquiry_id,
        response_method=response_method,
        ground=ground,
        erasure=erasure,
        jurisdiction=jurisdiction,
        received_at=received_at,
        settings=settings,
    )


def verify_person(session: Session, settings: Settings, case: Case, *, whose: str = "person") -> None:
    """Record a verified driving-licence check (name and address matched) for the case."""
    record_identity_check(
        session,
        actor="user:agent",
        case_id=case.id,
        whose=whose,
        document_type="drivers_licence",
        matched=["name", "address"],
        outcome="verified",
        settings=settings,
    )


def case_in_progress(session: Session, settings: Settings, **kwargs: object) -> Case:
    """A case of the person themself with a verified ID, ready for a decision."""
    case = create_case(session, settings, **kwargs)  # type: ignore[arg-type]
    verify_person(session, settings, case)
    transition_case(session, actor="user:agent", case_id=case.id, to="in_progress", reason="ID verified")
    return case


def accepted_case(  # noqa: PLR0913 - every attribute defaulted
    session: Session,
    settings: Settings,
    *,
    subject_id: uuid.UUID,
    request_type: str = "disclosure",
    outcome: str = "full",
    erasure: bool = False,
    ground: str | None = None,
    changes: dict[str, str] | None = None,
) -> Case:
    """A case of the person themself, verified and decided (``outcome``) by the privacy officer."""
    case = case_in_progress(
        session, settings, subject_id=subject_id, request_type=request_type, erasure=erasure, ground=ground
    )
    reasons = ["no_retained_data"] if outcome != "full" else []
    decide(
        session,
        actor="user:officer",
        case_id=case.id,
        outcome=outcome,
        reasons=reasons,
        explanation="test" if reasons else "",
        changes=changes,
        settings=settings,
    )
    return case


def held_nowhere_else(
    session: Session, case: Case, reason: str = "no system of ours holds customer data"
) -> None:
    """The privacy officer's statement, so that a disclosure letter may go without a data map search."""
    record_held_nowhere_else(session, actor="user:officer", case_id=case.id, reason=reason)
