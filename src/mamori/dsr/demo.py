"""Sample request cases for ``mamori demo``: one or more in each state, some past their target date.

The people are fictitious (reserved domains): the demo's sample people and customers of the demo
shop (``user{k}@example.jp``), so that an accepted disclosure finds their records in the shop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.dsr.models import Case
from mamori.dsr.schemas import RequesterIn
from mamori.dsr.service import (
    decide,
    generate_letter,
    open_case,
    record_identity_check,
    reject_case,
    transition_case,
)
from mamori.dsr.service.delivery import create_print_batch, record_mailing, send_by_post
from mamori.subjects.repository import subjects_by_identifier


@dataclass(frozen=True)
class Sample:
    """One case: whose, what, how it came in, how far it got and how many days ago it arrived."""

    email: str
    request_type: str
    language: str
    state: str
    days_ago: int = 0
    method: str = "electronic"
    address: str | None = None
    ground: str | None = None


# The first one is the README's example: received today, waiting for its identity check.
SAMPLES = (
    Sample("user2@example.jp", "disclosure", "ja", "received"),
    Sample(
        "hanako.sample@example.jp", "disclosure", "ja", "received", 3, "post", "〒224-0001 横浜市見本区1-1"
    ),
    Sample("li.sample@example.cn", "copy", "zh-Hans", "identity_check", 40),
    Sample("user3@example.jp", "utilisation_cease", "en", "identity_check", 2, ground="no_longer_needed"),
    Sample("user4@example.jp", "disclosure", "zh-Hant", "in_progress", 25),
    Sample("user5@example.jp", "disclosure", "ja", "decided", 6),
    Sample("user6@example.jp", "disclosure", "en", "rejected", 9),
    Sample("user7@example.jp", "purpose_notification", "ja", "withdrawn", 12),
    Sample("user8@example.jp", "purpose_notification", "ja", "responded", 8, "post", "東京都見本区8-8"),
    Sample("user9@example.jp", "purpose_notification", "en", "closed", 20, "post", "大阪府見本市9-9"),
)


def add_sample_requests(session: Session, settings: Settings, *, actor: str = "system:demo") -> list[Case]:
    """Open the sample cases once (none when cases exist); the cases opened, README example first."""
    if session.scalar(select(func.count()).select_from(Case)):
        return []
    opened = []
    for sample in SAMPLES:
        found = subjects_by_identifier(session, settings, "email", sample.email)
        if not found:
            continue
        case = open_case(
            session,
            actor=actor,
            request_type=sample.request_type,
            channel="web",
            language=sample.language,
            subject_id=found[0].id,
            requester=RequesterIn(name="見本 太郎 (sample)", email=sample.email, address=sample.address),
            response_method=sample.method,
            ground=sample.ground,
            received_at=utcnow() - timedelta(days=sample.days_ago),
            settings=settings,
        )
        _advance(session, settings, actor, case, sample.state)
        opened.append(case)
    return opened


def _advance(session: Session, settings: Settings, actor: str, case: Case, state: str) -> None:
    """Move a new case on to ``state`` the way staff would."""
    if state == "received":
        return
    if state == "withdrawn":
        transition_case(session, actor=actor, case_id=case.id, to="withdrawn", reason="（見本）取り下げ")
        return
    if state == "rejected":
        reject_case(
            session,
            actor=actor,
            case_id=case.id,
            reason_code="identity_not_verified",
            explanation="（見本）本人確認書類の提出なし",
            settings=settings,
        )
        return
    if state == "identity_check":
        transition_case(session, actor=actor, case_id=case.id, to="identity_check", reason="（見本）書類待ち")
        return
    record_identity_check(
        session,
        actor=actor,
        case_id=case.id,
        whose="person",
        outcome="verified",
        settings=settings,
        document_type="drivers_licence",
        matched=["name", "email"],
    )
    transition_case(session, actor=actor, case_id=case.id, to="in_progress", reason="（見本）確認済み")
    if state == "in_progress":
        return
    decide(session, actor=actor, case_id=case.id, outcome="full", settings=settings)
    if state in {"responded", "closed"}:
        _answer_by_post(session, settings, actor, case)
    if state == "closed":
        transition_case(session, actor=actor, case_id=case.id, to="closed", reason="（見本）対応完了")


def _answer_by_post(session: Session, settings: Settings, actor: str, case: Case) -> None:
    """Letter, print batch, registered mail: the case is then responded."""
    generate_letter(session, actor=actor, case_id=case.id, settings=settings)
    delivery = send_by_post(session, actor=actor, case_id=case.id, settings=settings)
    create_print_batch(session, actor=actor, settings=settings)
    record_mailing(
        session, actor=actor, delivery_id=delivery.id, tracking_number=f"SAMPLE{case.reference[-6:]}"
    )
